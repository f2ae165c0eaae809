package oversight

import (
	"context"
	"errors"
	"fmt"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The operator's protection-work department is recorded here, by the operator, as a link
// to a regulator organisation of this installation (oversight_links). The organisation
// profile (scope) names regulators as free text, which cannot route a filing; a link to
// an organisation can. It is the operator's own record: changing it does not move what
// was already filed (each submission keeps the regulator it was filed with).

// Regulators lists the installation's regulator organisations an operator may name.
func (s *Service) Regulators(ctx context.Context) ([]kernel.RegulatorRef, error) {
	orgs, err := s.auth.ListOrgs(ctx, auth.Regulator)
	if err != nil {
		return nil, fmt.Errorf("list regulators: %w", err)
	}
	out := make([]kernel.RegulatorRef, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, kernel.RegulatorRef{ID: o.ID, NameZH: o.NameZH, NameEN: o.NameEN})
	}
	return out, nil
}

// Regulator implements kernel.Submissions: the context operator's protection-work
// department, store.ErrNotFound while it has named none.
func (s *Service) Regulator(ctx context.Context) (kernel.RegulatorRef, error) {
	var id int64
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT regulator_id FROM oversight_links WHERE org_id = $1`).Scan(&id)
	})
	if err != nil {
		return kernel.RegulatorRef{}, err
	}
	return s.regulatorRef(ctx, id)
}

func (s *Service) regulatorRef(ctx context.Context, id int64) (kernel.RegulatorRef, error) {
	o, err := s.auth.GetOrg(ctx, id)
	if err != nil {
		return kernel.RegulatorRef{}, fmt.Errorf("regulator %d: %w", id, err)
	}
	return kernel.RegulatorRef{ID: o.ID, NameZH: o.NameZH, NameEN: o.NameEN}, nil
}

// SetRegulator names the context operator's protection-work department: a regulator
// organisation of this installation. Anything else is a problem.Invalid on "regulator_id".
func (s *Service) SetRegulator(ctx context.Context, regulatorID int64) (kernel.RegulatorRef, error) {
	o, err := s.auth.GetOrg(ctx, regulatorID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.Kind != auth.Regulator) {
		return kernel.RegulatorRef{}, problem.Field("regulator_id", "is not a regulator of this installation")
	}
	if err != nil {
		return kernel.RegulatorRef{}, err
	}
	ref := kernel.RegulatorRef{ID: o.ID, NameZH: o.NameZH, NameEN: o.NameEN}
	operatorID, err := orgOf(ctx)
	if err != nil {
		return kernel.RegulatorRef{}, err
	}
	op, err := s.auth.GetOrg(ctx, operatorID)
	if err != nil {
		return kernel.RegulatorRef{}, fmt.Errorf("operator %d: %w", operatorID, err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var before *int64
		var cur int64
		switch err := t.QueryRow(`SELECT regulator_id FROM oversight_links WHERE org_id = $1`).Scan(&cur); {
		case err == nil:
			before = &cur
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if before != nil && *before == regulatorID {
			return nil
		}
		if before == nil {
			if _, err := t.Exec(`INSERT INTO oversight_links (org_id, regulator_id, set_at) VALUES ($1, $2, $3)`, regulatorID, s.now()); err != nil {
				return fmt.Errorf("name the regulator: %w", err)
			}
		} else if _, err := t.Exec(`UPDATE oversight_links SET regulator_id = $2, set_at = $3 WHERE org_id = $1`, regulatorID, s.now()); err != nil {
			return fmt.Errorf("name the regulator: %w", err)
		}
		// Naming the department enters the operator in its registry (registry.go).
		if err := linkEntry(t.Tx(), op, regulatorID, before, s.now()); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_link", idStr(t.OrgID()), "set", before, ref, "protection-work department: "+o.NameEN)
	})
	return ref, err
}
