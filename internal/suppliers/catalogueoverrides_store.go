package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The overrides are the installation's, not a tenant's: they are read and written outside any
// organisation (store.DB.Read/Write, as the holiday schedules), recorded in the audit trail
// of the acting user's organisation and in their own history, and every change tells the
// change bus that every organisation's facts may have moved (a product's duty follows the
// catalogue without the product being edited).

const overrideCols = `code, kind, payload, reason, made_by, made_at`

func scanOverride(sc interface{ Scan(...any) error }) (Override, error) {
	var o Override
	var payload string
	if err := sc.Scan(&o.Code, &o.Kind, &payload, &o.Reason, &o.By, &o.At); err != nil {
		return o, err
	}
	var p overrideJSON
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return o, fmt.Errorf("override %s payload: %w", o.Code, err)
	}
	o.Values, o.Entry, o.At = p.Values, p.Entry, o.At.UTC()
	return o, nil
}

func overridesIn(tx *store.Tx) ([]Override, error) {
	rows, err := tx.Query(`SELECT ` + overrideCols + ` FROM supplier_catalogue_overrides ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list catalogue overrides: %w", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		o, err := scanOverride(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Overrides lists the installation's catalogue overrides by code.
func (s *Service) Overrides(ctx context.Context) ([]Override, error) {
	var out []Override
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = overridesIn(tx)
		return err
	})
	if out == nil {
		out = []Override{}
	}
	return out, err
}

// EffectiveCatalogue is the catalogue as this installation applies it.
func (s *Service) EffectiveCatalogue(ctx context.Context) (Effective, error) {
	os, err := s.Overrides(ctx)
	if err != nil {
		return Effective{}, err
	}
	return NewEffective(os), nil
}

// OverrideHistory lists every change to the overrides, the latest first.
func (s *Service) OverrideHistory(ctx context.Context) ([]OverrideChange, error) {
	out := []OverrideChange{}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, code, action, before_json, after_json, reason, made_by, made_at FROM supplier_catalogue_override_history ORDER BY id DESC`)
		if err != nil {
			return fmt.Errorf("list the overrides' history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c OverrideChange
			var before, after string
			if err := rows.Scan(&c.ID, &c.Code, &c.Action, &before, &after, &c.Reason, &c.By, &c.At); err != nil {
				return fmt.Errorf("read the overrides' history: %w", err)
			}
			c.At = c.At.UTC()
			for _, x := range []struct {
				s  string
				to **Override
			}{{before, &c.Before}, {after, &c.After}} {
				if x.s == "" {
					continue
				}
				var o Override
				if err := json.Unmarshal([]byte(x.s), &o); err != nil {
					return fmt.Errorf("override history %d: %w", c.ID, err)
				}
				*x.to = &o
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

func getOverride(tx *store.Tx, code string) (*Override, error) {
	o, err := scanOverride(tx.QueryRow(`SELECT `+overrideCols+` FROM supplier_catalogue_overrides WHERE code = $1`, code))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read override %s: %w", code, err)
	}
	return &o, nil
}

func jsonOrEmpty(o *Override) (string, error) {
	if o == nil {
		return "", nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return "", fmt.Errorf("encode override %s: %w", o.Code, err)
	}
	return string(b), nil
}

// recordOverride writes the history line and the audit entry of a change to code's override.
func recordOverride(tx *store.Tx, orgID int64, code, action string, before, after *Override, reason, by string, at time.Time) error {
	b, err := jsonOrEmpty(before)
	if err != nil {
		return err
	}
	a, err := jsonOrEmpty(after)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO supplier_catalogue_override_history (code, action, before_json, after_json, reason, made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		code, action, b, a, reason, by, at); err != nil {
		return fmt.Errorf("record the override's history: %w", err)
	}
	var bv, av any
	if before != nil {
		bv = before
	}
	if after != nil {
		av = after
	}
	return audit.Record(tx, orgID, "catalogue_override", code, action, bv, av, "catalogue override "+code+": "+reason)
}

// SetOverride creates or replaces the override of code; orgID is the acting user's
// organisation, whose audit trail records it. Bad input is refused by field.
func (s *Service) SetOverride(ctx context.Context, orgID int64, code string, in OverrideInput) (Override, error) {
	o, err := validOverride(code, in)
	if err != nil {
		return Override{}, err
	}
	o.By, o.At = audit.ActorFrom(ctx).Label, s.now()
	payload, err := o.payload()
	if err != nil {
		return Override{}, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		before, err := getOverride(tx, o.Code)
		if err != nil {
			return err
		}
		action := audit.Create
		if before != nil {
			action = audit.Update
			_, err = tx.Exec(`UPDATE supplier_catalogue_overrides SET kind = $2, payload = $3, reason = $4, made_by = $5, made_at = $6 WHERE code = $1`,
				o.Code, o.Kind, payload, o.Reason, o.By, o.At)
		} else {
			_, err = tx.Exec(`INSERT INTO supplier_catalogue_overrides (`+overrideCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
				o.Code, o.Kind, payload, o.Reason, o.By, o.At)
		}
		if err != nil {
			return fmt.Errorf("store override %s: %w", o.Code, err)
		}
		return recordOverride(tx, orgID, o.Code, action, before, &o, o.Reason, o.By, o.At)
	})
	if err != nil {
		return Override{}, err
	}
	s.announceAll(ctx)
	return o, nil
}

// WithdrawOverride removes the override of code, with the reason; the entry is the built-in
// one again (or, for an added entry, gone: its products keep their kind's duty).
func (s *Service) WithdrawOverride(ctx context.Context, orgID int64, code, reason string) error {
	v := &problem.Invalid{}
	v.Text("reason", reason, true, maxOverrideReason)
	if err := v.Err(); err != nil {
		return err
	}
	by, at := audit.ActorFrom(ctx).Label, s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		before, err := getOverride(tx, code)
		if err != nil {
			return err
		}
		if before == nil {
			return store.ErrNotFound
		}
		if _, err := tx.Exec(`DELETE FROM supplier_catalogue_overrides WHERE code = $1`, code); err != nil {
			return fmt.Errorf("withdraw override %s: %w", code, err)
		}
		return recordOverride(tx, orgID, code, "withdraw", before, nil, reason, by, at)
	})
	if err != nil {
		return err
	}
	s.announceAll(ctx)
	return nil
}

// announceAll tells the change bus that every organisation's supplier facts may have moved.
func (s *Service) announceAll(ctx context.Context) {
	if s.changedAll != nil {
		s.changedAll(ctx)
	}
}
