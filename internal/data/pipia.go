package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// AddPIPIA records an impact assessment of a transfer (PIPL Art. 55: its content is the
// purpose and necessity, the impact on the individuals' rights and the risks, and whether
// the security measures are lawful, effective and proportionate; for export, the recipient
// country's protection is part of the risk).
func (s *Service) AddPIPIA(ctx context.Context, transferID int64, in PIPIAInput) (PIPIA, error) {
	p := PIPIA{TransferID: transferID, PurposeNecessity: strings.TrimSpace(in.PurposeNecessity), RightsImpact: strings.TrimSpace(in.RightsImpact),
		SecurityMeasures: strings.TrimSpace(in.SecurityMeasures), CountryRisks: strings.TrimSpace(in.CountryRisks), Approver: strings.TrimSpace(in.Approver)}
	v := &problem.Invalid{}
	p.AssessedOn = dayField(v, "assessed_on", in.AssessedOn, true)
	s.notFuture(v, "assessed_on", p.AssessedOn)
	v.Text("purpose_necessity", p.PurposeNecessity, true, maxText)
	v.Text("rights_impact", p.RightsImpact, true, maxText)
	v.Text("security_measures", p.SecurityMeasures, true, maxText)
	v.Text("country_risks", p.CountryRisks, true, maxText)
	v.Text("approver", p.Approver, true, maxName)
	if err := v.Err(); err != nil {
		return PIPIA{}, err
	}
	p.CreatedBy, p.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	p.KeepUntil = keepUntil(p.AssessedOn)
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getTransfer(t, transferID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO data_pipias (org_id, transfer_id, assessed_on, purpose_necessity, rights_impact, security_measures, country_risks, approver, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, p.TransferID, p.AssessedOn, p.PurposeNecessity, p.RightsImpact, p.SecurityMeasures,
			p.CountryRisks, p.Approver, p.CreatedBy, p.CreatedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("record impact assessment: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_pipia", strconv.FormatInt(p.ID, 10), audit.Create, nil, p, p.AssessedOn)
	})
	return p, err
}

// keepUntil is the last day an assessment of day must be kept: three years on (PIPL Art. 56).
func keepUntil(day string) string {
	return mustDay(day).AddDate(KeepYears, 0, 0).Format("2006-01-02")
}

// DeletePIPIA deletes an impact assessment, which PIPL Art. 56 allows only once it has been
// kept three years: before then it is refused (409).
func (s *Service) DeletePIPIA(ctx context.Context, id int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		ps, err := readPIPIAs(t, id)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return store.ErrNotFound
		}
		p := ps[0]
		if !s.today().After(mustDay(p.KeepUntil)) {
			return problem.Conflictf("id", "must be kept until %s: an impact assessment is kept at least three years (PIPL Art. 56)", p.KeepUntil)
		}
		if _, err := t.Exec(`DELETE FROM data_pipias WHERE org_id = $1 AND id = $2`, id); err != nil {
			return fmt.Errorf("delete impact assessment: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_pipia", strconv.FormatInt(id, 10), audit.Delete, p, nil, p.AssessedOn)
	})
}

// readPIPIAs reads the organisation's impact assessments, the newest first; id > 0 keeps
// that one.
func readPIPIAs(t *store.Tenant, id int64) ([]PIPIA, error) {
	rows, err := t.Query(`SELECT id, transfer_id, assessed_on, purpose_necessity, rights_impact, security_measures, country_risks, approver, created_by, created_at
FROM data_pipias WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY assessed_on DESC, id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("list impact assessments: %w", err)
	}
	defer rows.Close()
	var out []PIPIA
	for rows.Next() {
		var p PIPIA
		if err := rows.Scan(&p.ID, &p.TransferID, &p.AssessedOn, &p.PurposeNecessity, &p.RightsImpact, &p.SecurityMeasures, &p.CountryRisks,
			&p.Approver, &p.CreatedBy, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("read impact assessment: %w", err)
		}
		p.KeepUntil = keepUntil(p.AssessedOn)
		out = append(out, p)
	}
	return out, rows.Err()
}
