package suppliers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// A supplier registered in an operator's register may also be an organisation of this
// installation (a supplier organisation, with its own users). The operator links the two;
// the link is the operator's statement that the organisation supplies it, and the only way
// the supplier learns of the operator: the supplier's list of customers is a row in the
// supplier's own tenant (supplier_customers) written in the same transaction, so no query
// ever reads across organisations, and an operator that did not link a supplier is invisible
// to it.

// Orgs reads the installation's organisations (auth.Service implements it).
type Orgs interface {
	GetOrg(ctx context.Context, id int64) (auth.Org, error)
	ListOrgs(ctx context.Context, kind auth.OrgKind) ([]auth.Org, error)
}

var _ kernel.SupplierCustomers = (*Service)(nil) // the compiler checks the contract

// PlatformOrgs lists the supplier organisations of this installation an operator may link a
// supplier record to.
func (s *Service) PlatformOrgs(ctx context.Context) ([]auth.Org, error) {
	if s.orgs == nil {
		return nil, nil
	}
	orgs, err := s.orgs.ListOrgs(ctx, auth.Supplier)
	if err != nil {
		return nil, fmt.Errorf("list supplier organisations: %w", err)
	}
	return orgs, nil
}

// LinkPlatformOrg links the context operator's supplier id to the supplier organisation
// orgID of this installation (0 removes the link). Another operator's supplier is
// store.ErrNotFound before the organisation is looked at; an organisation that is not a
// supplier's is a problem on "org_id"; a second supplier record linked to the same
// organisation is a conflict.
func (s *Service) LinkPlatformOrg(ctx context.Context, id, orgID int64) (Supplier, error) {
	x, err := s.Supplier(ctx, id)
	if err != nil {
		return Supplier{}, err
	}
	if orgID < 0 {
		return Supplier{}, problem.Field("org_id", "is not a supplier organisation of this installation")
	}
	if orgID > 0 {
		if s.orgs == nil {
			return Supplier{}, problem.Field("org_id", "is not a supplier organisation of this installation")
		}
		o, err := s.orgs.GetOrg(ctx, orgID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && o.Kind != auth.Supplier) {
			return Supplier{}, problem.Field("org_id", "is not a supplier organisation of this installation")
		}
		if err != nil {
			return Supplier{}, fmt.Errorf("read organisation %d: %w", orgID, err)
		}
	}
	if x.PlatformOrgID == orgID {
		return x, nil
	}
	by, now := audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getSupplier(t, id)
		if err != nil {
			return err
		}
		if orgID > 0 {
			var other int64
			switch err := t.QueryRow(`SELECT id FROM suppliers WHERE org_id = $1 AND platform_org_id = $2 AND id <> $3`, orgID, id).Scan(&other); {
			case err == nil:
				return problem.Conflictf("org_id", "supplier %d is already linked to this organisation", other)
			case !errors.Is(err, store.ErrNotFound):
				return fmt.Errorf("check the link: %w", err)
			}
		}
		if _, err := t.Exec(`UPDATE suppliers SET platform_org_id = $2 WHERE org_id = $1 AND id = $3`, orgID, id); err != nil {
			return fmt.Errorf("link the supplier: %w", err)
		}
		operator, sid := t.OrgID(), strconv.FormatInt(id, 10)
		// The supplier organisation's own list of its customers: written in its tenant,
		// in this transaction, and audited in its trail as well as the operator's.
		if before.PlatformOrgID > 0 {
			if _, err := t.Tx().Exec(`DELETE FROM supplier_customers WHERE org_id = $1 AND operator_id = $2`, before.PlatformOrgID, operator); err != nil {
				return fmt.Errorf("unlink the supplier organisation: %w", err)
			}
			if err := audit.Record(t.Tx(), before.PlatformOrgID, "supplier_customer", strconv.FormatInt(operator, 10), "customer_unlink", nil, nil,
				"the operator no longer names this organisation as its supplier"); err != nil {
				return err
			}
		}
		if orgID > 0 {
			if _, err := t.Tx().Exec(`INSERT INTO supplier_customers (org_id, operator_id, supplier_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)`,
				orgID, operator, id, by, now); err != nil {
				return fmt.Errorf("link the supplier organisation: %w", err)
			}
			if err := audit.Record(t.Tx(), orgID, "supplier_customer", strconv.FormatInt(operator, 10), "customer_link", nil, nil,
				"an operator names this organisation as its supplier"); err != nil {
				return err
			}
		}
		x = before
		x.PlatformOrgID = orgID
		return audit.InTenant(t, "supplier", sid, "link_platform_org", map[string]int64{"platform_org_id": before.PlatformOrgID},
			map[string]int64{"platform_org_id": orgID}, x.Name)
	})
	if err != nil {
		return Supplier{}, err
	}
	return x, nil
}

// Customers implements kernel.SupplierCustomers: the operators that link the context's
// supplier organisation, by name.
func (s *Service) Customers(ctx context.Context) ([]kernel.CustomerRef, error) {
	if s.orgs == nil {
		return []kernel.CustomerRef{}, nil
	}
	var ids []int64
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT operator_id FROM supplier_customers WHERE org_id = $1 ORDER BY operator_id`)
		if err != nil {
			return fmt.Errorf("list customers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("read a customer: %w", err)
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]kernel.CustomerRef, 0, len(ids))
	for _, id := range ids {
		o, err := s.orgs.GetOrg(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("read customer %d: %w", id, err)
		}
		out = append(out, kernel.CustomerRef{ID: o.ID, NameZH: o.NameZH, NameEN: o.NameEN})
	}
	return out, nil
}
