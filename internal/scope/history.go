package scope

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// The two histories a system's page shows. The audit trail keeps only digests of what a
// record was, so the values a grading or a CII status had before are kept here, per
// change: what a reviewer asks first is "since when is this level 3, and who said so".
const (
	HistoryMLPS = "mlps"
	HistoryCII  = "cii"
)

// FieldChange is one field's value before and after a change ("" for unset).
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// HistoryEntry is one change to a system's MLPS grading or CII status.
type HistoryEntry struct {
	At      time.Time     `json:"at"`
	Actor   string        `json:"actor"`
	Kind    string        `json:"kind"`
	Changes []FieldChange `json:"changes"`
}

// historyFields are the fields each history follows, in the order the page lists them.
func historyFields(s SystemInput) map[string][][2]string {
	return map[string][][2]string{
		HistoryMLPS: {
			{"mlps_level", strconv.FormatInt(s.MLPSLevel, 10)}, {"graded_on", string(s.GradedOn)}, {"filing_number", s.FilingNumber},
			{"filed_on", string(s.FiledOn)}, {"last_mlps_test", string(s.LastMLPSTest)}, {"last_self_inspection", string(s.LastSelfInspection)},
		},
		HistoryCII: {
			{"cii_status", s.CIIStatus}, {"identified_on", string(s.IdentifiedOn)}, {"identification_doc", s.IdentificationDoc},
			{"deidentified_on", string(s.DeidentifiedOn)}, {"deidentification_doc", s.DeidentificationDoc}, {"major_change_on", string(s.MajorChangeOn)},
		},
	}
}

// recordHistory stores, in the transaction of the change, what changed in each history
// between before (nil for a new system) and after.
func recordHistory(t *store.Tenant, before *SystemInput, after System, at time.Time) error {
	var old map[string][][2]string
	if before != nil {
		old = historyFields(*before)
	}
	for _, kind := range []string{HistoryMLPS, HistoryCII} {
		var changes []FieldChange
		for i, f := range historyFields(after.SystemInput)[kind] {
			was := ""
			if old != nil {
				was = old[kind][i][1]
			}
			if f[1] != was && !(before == nil && f[1] == "") {
				changes = append(changes, FieldChange{Field: f[0], Before: was, After: f[1]})
			}
		}
		if len(changes) == 0 {
			continue
		}
		b, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("encode %s history of system %d: %w", kind, after.ID, err)
		}
		if _, err := t.Exec(`INSERT INTO scope_system_history (org_id, system_id, at, actor, kind, changes) VALUES ($1, $2, $3, $4, $5, $6)`,
			after.ID, at, audit.ActorFrom(t.Tx().Context()).Label, kind, string(b)); err != nil {
			return fmt.Errorf("record %s history of system %d: %w", kind, after.ID, err)
		}
	}
	return nil
}

// History returns the changes to a system's MLPS grading and CII status, newest first;
// store.ErrNotFound when the organisation has no such system.
func (s *Service) History(ctx context.Context, id int64) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getSystem(t, id); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT at, actor, kind, changes FROM scope_system_history WHERE org_id = $1 AND system_id = $2 ORDER BY id DESC`, id)
		if err != nil {
			return fmt.Errorf("read history of system %d: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var e HistoryEntry
			var changes string
			if err := rows.Scan(&e.At, &e.Actor, &e.Kind, &changes); err != nil {
				return fmt.Errorf("read history of system %d: %w", id, err)
			}
			if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
				return fmt.Errorf("read history of system %d: %w", id, err)
			}
			e.At = e.At.UTC()
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
