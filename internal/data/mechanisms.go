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

// AddMechanism records a standard contract, certification or assessment for a transfer.
func (s *Service) AddMechanism(ctx context.Context, transferID int64, in MechanismInput) (Mechanism, error) {
	m := Mechanism{TransferID: transferID, Kind: strings.TrimSpace(in.Kind)}
	v := &problem.Invalid{}
	switch m.Kind {
	case KindContract:
		m.EffectiveOn = dayField(v, "effective_on", in.EffectiveOn, true)
		m.FiledOn = dayField(v, "filed_on", in.FiledOn, false)
		s.notFuture(v, "filed_on", m.FiledOn)
		m.FilingRef = strings.TrimSpace(in.FilingRef)
		v.Text("filing_ref", m.FilingRef, m.FiledOn != "", maxShort)
		if m.FiledOn != "" && m.EffectiveOn != "" && m.FiledOn < m.EffectiveOn {
			v.Add("filed_on", "is before the contract takes effect")
		}
	case KindCertification:
		m.Body, m.Certificate = strings.TrimSpace(in.Body), strings.TrimSpace(in.Certificate)
		v.Text("body", m.Body, true, maxName)
		v.Text("certificate", m.Certificate, true, maxShort)
		m.IssuedOn = dayField(v, "issued_on", in.IssuedOn, true)
		s.notFuture(v, "issued_on", m.IssuedOn)
		m.ExpiresOn = dayField(v, "expires_on", in.ExpiresOn, true)
		if m.IssuedOn != "" && m.ExpiresOn != "" && m.ExpiresOn < m.IssuedOn {
			v.Add("expires_on", "is before the issue")
		}
	case KindAssessment:
		m.AppliedOn = dayField(v, "applied_on", in.AppliedOn, true)
		s.notFuture(v, "applied_on", m.AppliedOn)
		m.Result = strings.TrimSpace(in.Result)
		if m.Result == "" {
			m.Result = "pending"
		}
		m.ResultOn = validResult(v, m.Result, in.ResultOn, m.AppliedOn)
		s.notFuture(v, "result_on", m.ResultOn)
	default:
		v.Add("kind", "is required: one of %s", codes(MechanismKinds))
	}
	if err := v.Err(); err != nil {
		return Mechanism{}, err
	}
	m.CreatedBy, m.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getTransfer(t, transferID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO data_mechanisms (org_id, transfer_id, kind, effective_on, filed_on, filing_ref, body, certificate, issued_on, expires_on, applied_on, result, result_on, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`, m.TransferID, m.Kind, m.EffectiveOn, m.FiledOn, m.FilingRef,
			m.Body, m.Certificate, m.IssuedOn, m.ExpiresOn, m.AppliedOn, m.Result, m.ResultOn, m.CreatedBy, m.CreatedAt).Scan(&m.ID); err != nil {
			return fmt.Errorf("record mechanism: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_mechanism", strconv.FormatInt(m.ID, 10), audit.Create, nil, m, m.Kind)
	})
	return m, err
}

// validResult checks an assessment's result and its day.
func validResult(v *problem.Invalid, result, resultOn, appliedOn string) string {
	if _, ok := optionOf(Results, result); !ok {
		v.Add("result", "is not a result (%s)", codes(Results))
		return ""
	}
	day := dayField(v, "result_on", resultOn, result != "pending")
	if result == "pending" && day != "" {
		v.Add("result_on", "is for a decided assessment: the result is pending")
		return ""
	}
	if day != "" && appliedOn != "" && day < appliedOn {
		v.Add("result_on", "is before the application")
	}
	return day
}

func getTransfer(t *store.Tenant, id int64) (Transfer, error) {
	xs, err := readTransfers(t, id)
	if err != nil {
		return Transfer{}, err
	}
	if len(xs) == 0 {
		return Transfer{}, store.ErrNotFound
	}
	return xs[0], nil
}

// FileContract records a standard contract's filing with the provincial CAC.
func (s *Service) FileContract(ctx context.Context, id int64, in FilingInput) (Mechanism, error) {
	v := &problem.Invalid{}
	filed := dayField(v, "filed_on", in.FiledOn, true)
	s.notFuture(v, "filed_on", filed)
	ref := strings.TrimSpace(in.FilingRef)
	v.Text("filing_ref", ref, true, maxShort)
	if err := v.Err(); err != nil {
		return Mechanism{}, err
	}
	return s.updateMechanism(ctx, id, func(m *Mechanism) error {
		if m.Kind != KindContract {
			return problem.Field("filed_on", "only a standard contract is filed; this is a %s", m.Kind)
		}
		if filed < m.EffectiveOn {
			return problem.Field("filed_on", "is before the contract takes effect (%s)", m.EffectiveOn)
		}
		m.FiledOn, m.FilingRef = filed, ref
		return nil
	})
}

// RecordResult records an assessment's result or its extension's application.
func (s *Service) RecordResult(ctx context.Context, id int64, in ResultInput) (Mechanism, error) {
	return s.updateMechanism(ctx, id, func(m *Mechanism) error {
		if m.Kind != KindAssessment {
			return problem.Field("result", "only a security assessment has a result; this is a %s", m.Kind)
		}
		v := &problem.Invalid{}
		if strings.TrimSpace(in.ExtensionAppliedOn) != "" {
			ext := dayField(v, "extension_applied_on", in.ExtensionAppliedOn, true)
			s.notFuture(v, "extension_applied_on", ext)
			if m.Result != "approved" {
				v.Add("extension_applied_on", "only an approved assessment is extended")
			}
			m.ExtensionAppliedOn = ext
		} else {
			m.Result = strings.TrimSpace(in.Result)
			m.ResultOn = validResult(v, m.Result, in.ResultOn, m.AppliedOn)
			s.notFuture(v, "result_on", m.ResultOn)
		}
		return v.Err()
	})
}

// updateMechanism applies change to a stored mechanism and stores it, audited.
func (s *Service) updateMechanism(ctx context.Context, id int64, change func(*Mechanism) error) (Mechanism, error) {
	var m Mechanism
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		ms, err := readMechanisms(t, id)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return store.ErrNotFound
		}
		before := ms[0]
		m = before
		if err := change(&m); err != nil {
			return err
		}
		if _, err := t.Exec(`UPDATE data_mechanisms SET filed_on = $3, filing_ref = $4, result = $5, result_on = $6, extension_applied_on = $7 WHERE org_id = $1 AND id = $2`,
			id, m.FiledOn, m.FilingRef, m.Result, m.ResultOn, m.ExtensionAppliedOn); err != nil {
			return fmt.Errorf("update mechanism: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_mechanism", strconv.FormatInt(id, 10), audit.Update, before, m, m.Kind)
	})
	return m, err
}

const mechanismCols = `id, transfer_id, kind, effective_on, filed_on, filing_ref, body, certificate, issued_on, expires_on, applied_on, result, result_on, extension_applied_on, created_by, created_at`

// readMechanisms reads the organisation's mechanisms; id > 0 keeps that one.
func readMechanisms(t *store.Tenant, id int64) ([]Mechanism, error) {
	rows, err := t.Query(`SELECT `+mechanismCols+` FROM data_mechanisms WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list mechanisms: %w", err)
	}
	defer rows.Close()
	var out []Mechanism
	for rows.Next() {
		var m Mechanism
		if err := rows.Scan(&m.ID, &m.TransferID, &m.Kind, &m.EffectiveOn, &m.FiledOn, &m.FilingRef, &m.Body, &m.Certificate, &m.IssuedOn,
			&m.ExpiresOn, &m.AppliedOn, &m.Result, &m.ResultOn, &m.ExtensionAppliedOn, &m.CreatedBy, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("read mechanism: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
