package appstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// MalwareInput adds an entry to the capability's own malicious-app list.
type MalwareInput struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Label  string `json:"label"`
	Source string `json:"source"`
}

// Malware kinds: a SHA-256 of a package or one of its code files, or a package name.
const (
	MalwareSHA256  = "sha256"
	MalwarePackage = "package"
)

// AddMalware records an entry of the malicious-app list. Uploads after it are checked
// against it; versions already on sale that match count in the fact set at once.
func (s *Service) AddMalware(ctx context.Context, in MalwareInput) (MalwareEntry, error) {
	e := MalwareEntry{Kind: strings.TrimSpace(in.Kind), Value: strings.TrimSpace(in.Value), Label: strings.TrimSpace(in.Label), Source: strings.TrimSpace(in.Source)}
	v := &problem.Invalid{}
	switch e.Kind {
	case MalwareSHA256:
		e.Value = strings.ToLower(e.Value)
		if !shaRE.MatchString(e.Value) {
			v.Add("value", "is not a SHA-256 (64 lower-case hexadecimal characters)")
		}
	case MalwarePackage:
		if !validPackageName(e.Value) {
			v.Add("value", "is not an Android package name")
		}
	default:
		v.Add("kind", "must be sha256 or package")
	}
	v.Text("label", e.Label, true, maxName)
	v.Text("source", e.Source, true, maxName)
	if err := v.Err(); err != nil {
		return MalwareEntry{}, err
	}
	e.AddedBy, e.AddedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM appstore_malware WHERE org_id = $1 AND kind = $2 AND value = $3`, e.Kind, e.Value).Scan(&n); err != nil {
			return fmt.Errorf("look up the malicious-app list: %w", err)
		}
		if n > 0 {
			return problem.Conflictf("value", "is already on the malicious-app list")
		}
		if err := t.QueryRow(`INSERT INTO appstore_malware (org_id, kind, value, label, source, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			e.Kind, e.Value, e.Label, e.Source, e.AddedBy, e.AddedAt).Scan(&e.ID); err != nil {
			return fmt.Errorf("record the malicious-app entry: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_malware", fmt.Sprint(e.ID), "create", nil, &e, "")
	})
	return e, err
}

// Malware lists the malicious-app list, newest first.
func (s *Service) Malware(ctx context.Context) ([]MalwareEntry, error) {
	out := []MalwareEntry{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, kind, value, label, source, added_by, added_at FROM appstore_malware WHERE org_id = $1 ORDER BY id DESC`)
		if err != nil {
			return fmt.Errorf("list the malicious-app list: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m MalwareEntry
			if err := rows.Scan(&m.ID, &m.Kind, &m.Value, &m.Label, &m.Source, &m.AddedBy, &m.AddedAt); err != nil {
				return fmt.Errorf("read the malicious-app list: %w", err)
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// Blacklist lists the blacklist's entries, newest first.
func (s *Service) Blacklist(ctx context.Context) ([]BlacklistEntry, error) {
	out := []BlacklistEntry{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, kind, value, reason, added_by, added_at, lifted_by, lifted_at, lift_reason FROM appstore_blacklist WHERE org_id = $1 ORDER BY id DESC`)
		if err != nil {
			return fmt.Errorf("list the blacklist: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e BlacklistEntry
			var lifted sql.NullTime
			if err := rows.Scan(&e.ID, &e.Kind, &e.Value, &e.Reason, &e.AddedBy, &e.AddedAt, &e.LiftedBy, &lifted, &e.LiftReason); err != nil {
				return fmt.Errorf("read the blacklist: %w", err)
			}
			e.LiftedAt = nullTime(lifted)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Takedowns lists an app's take-downs, newest first; another organisation's app is
// store.ErrNotFound.
func (s *Service) Takedowns(ctx context.Context, appID int64) ([]Takedown, error) {
	out := []Takedown{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := appIn(t, appID); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT `+takedownCols+` FROM appstore_takedowns WHERE org_id = $1 AND app_id = $2 ORDER BY id DESC`, appID)
		if err != nil {
			return fmt.Errorf("list take-downs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanTakedown(rows)
			if err != nil {
				return fmt.Errorf("read a take-down: %w", err)
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

const takedownCols = `id, app_id, version_id, version_name, reason, legal_basis, notice, malicious, taken_by, taken_at, reinstated_by, reinstated_at, reinstate_reason, notice_state, notice_to,
shared_at, shared_by, shared_to, shared_indicators`

func scanTakedown(sc interface{ Scan(...any) error }) (Takedown, error) {
	var k Takedown
	var re, sh sql.NullTime
	err := sc.Scan(&k.ID, &k.AppID, &k.VersionID, &k.VersionName, &k.Reason, &k.LegalBasis, &k.Notice, &k.Malicious, &k.TakenBy, &k.TakenAt, &k.ReinstatedBy, &re, &k.ReinstateReason, &k.NoticeState, &k.NoticeTo,
		&sh, &k.SharedBy, &k.SharedTo, &k.SharedIndicators)
	k.ReinstatedAt, k.SharedAt = nullTime(re), nullTime(sh)
	return k, err
}

// takedownIn reads one of the organisation's take-downs; another's is store.ErrNotFound.
func takedownIn(t *store.Tenant, id int64) (Takedown, error) {
	k, err := scanTakedown(t.QueryRow(`SELECT `+takedownCols+` FROM appstore_takedowns WHERE org_id = $1 AND id = $2`, id))
	if err != nil {
		return k, fmt.Errorf("take-down %d: %w", id, err)
	}
	return k, nil
}
