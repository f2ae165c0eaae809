package threat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// DefaultTriageHours is the time a hit may wait for a person's triage when the organisation
// has set none: a working day. The catalog's duty reads the organisation's own setting.
const DefaultTriageHours = 24

// recordHit keeps the sighting of indicator in by hunt (0: the live sweep): the first event
// that showed it, proved against a signed checkpoint, with first and last seen and the
// count; then opens or joins an incident for it.
func (s *Service) recordHit(ctx context.Context, hunt int64, in Indicator, m *match) error {
	if hunt == 0 {
		// The live sweep's events are newer than a hit already held: add them to its
		// count without signing a checkpoint for a proof that would not be kept.
		done := false
		err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
			res, err := t.Exec(`UPDATE threat_hits SET seen_count = seen_count + $2, last_seen = CASE WHEN last_seen < $3 THEN $3 ELSE last_seen END
WHERE org_id = $1 AND indicator_id = $4 AND first_seen <= $5`, m.count, m.last, in.ID, m.first)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			done = n > 0
			return err
		})
		if err != nil || done {
			return err
		}
	}
	ep, err := s.vault.ProveEvent(ctx, m.firstSeq)
	if errors.Is(err, store.ErrNotFound) {
		return nil // retention removed it while the hunt ran
	}
	if err != nil {
		return fmt.Errorf("prove event %d: %w", m.firstSeq, err)
	}
	ev, err := json.Marshal(ep.Event)
	if err != nil {
		return err
	}
	pr, err := json.Marshal(Proof{Seq: m.firstSeq, TreeSize: ep.TreeSize, Leaf: ep.Leaf, Hashes: ep.Hashes, Root: ep.Root,
		Checkpoint: ep.Checkpoint, VerifierKey: ep.VerifierKey, Origin: ep.Origin})
	if err != nil {
		return err
	}
	now := s.now()
	var hitID int64
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var existing int64
		var first, last time.Time
		var count int
		switch err := t.QueryRow(`SELECT id, first_seen, last_seen, seen_count FROM threat_hits WHERE org_id = $1 AND indicator_id = $2`, in.ID).Scan(&existing, &first, &last, &count); {
		case err == nil:
			// A retro-hunt counts its whole window (the count it found replaces the one
			// held); the live sweep (hunt 0) counts only events after the last sweep.
			if hunt == 0 {
				count += m.count
			} else {
				count = m.count
			}
			if m.last.After(last) {
				last = m.last
			}
			if m.first.Before(first) {
				_, err := t.Exec(`UPDATE threat_hits SET first_seen = $2, event_seq = $3, event = $4, proof = $5 WHERE org_id = $1 AND id = $6`,
					m.first, int64(m.firstSeq), string(ev), string(pr), existing)
				if err != nil {
					return err
				}
			}
			_, err := t.Exec(`UPDATE threat_hits SET last_seen = $2, seen_count = $3 WHERE org_id = $1 AND id = $4`, last, count, existing)
			return err
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := t.QueryRow(`INSERT INTO threat_hits (org_id, indicator_id, hunt_id, event_seq, event, proof, first_seen, last_seen, seen_count, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, in.ID, hunt, int64(m.firstSeq), string(ev), string(pr), m.first, m.last, m.count, now).Scan(&hitID); err != nil {
			return fmt.Errorf("record hit: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "threat_hit", idStr(hitID), audit.Create, nil, map[string]any{"indicator": in.Value, "event_seq": m.firstSeq, "count": m.count},
			fmt.Sprintf("%s seen %d times, first %s", in.Value, m.count, m.first.Format(time.RFC3339)))
	})
	if err != nil || hitID == 0 {
		return err
	}
	return s.linkIncident(ctx, hitID, in, m)
}

// incidentKind is the GB/T 20986-2023 category of a sighting from collection.
func incidentKind(collection string) (string, string) {
	switch collection {
	case "miit_c2":
		return "malware", "botnet"
	case "miit_mobile":
		return "malware", "other"
	case "miit_phishing":
		return "attack", "phishing"
	}
	return "attack", "other"
}

// linkIncident opens an incident for a new hit, or joins the open incident of another hit of
// the same notification or import. Without the incidents capability the hit stays an alert.
func (s *Service) linkIncident(ctx context.Context, hitID int64, in Indicator, m *match) error {
	if s.incidents == nil {
		return nil
	}
	var ref kernel.IncidentRef
	var joined bool
	var others []int64
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT DISTINCT h.incident_id FROM threat_hits h JOIN threat_indicators i ON i.org_id = h.org_id AND i.id = h.indicator_id
WHERE h.org_id = $1 AND i.source = $2 AND h.incident_id IS NOT NULL`, in.Source)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			others = append(others, id)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("incidents of other hits: %w", err)
	}
	for _, id := range others {
		r, err := s.incidents.Incident(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if r.Open {
			ref, joined = r, true
			break
		}
	}
	if !joined {
		si := s.sightingIncident(ctx, in, m)
		if ref, err = s.incidents.OpenFromSighting(ctx, si); err != nil {
			return fmt.Errorf("open an incident: %w", err)
		}
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := t.Exec(`UPDATE threat_hits SET incident_id = $2, incident_path = $3 WHERE org_id = $1 AND id = $4`, ref.ID, ref.Path, hitID); err != nil {
			return err
		}
		action := "open_incident"
		if joined {
			action = "join_incident"
		}
		return audit.InTenant(t, "threat_hit", idStr(hitID), action, nil, nil, ref.Path)
	})
}

// severityZh names the severities in Chinese for the incident's reason (incidents keep
// free text in one language).
var severityZh = map[string]string{"low": "低", "medium": "中", "high": "高", "critical": "严重"}

// sightingIncident describes a hit as an incident. A hit of a notification the regulator
// rated high or critical is raised to 较大 (relatively major) at once: the regulator's warning
// makes it a major threat to report (CIIR 2021 Art. 18) before any impact is measured.
func (s *Service) sightingIncident(ctx context.Context, in Indicator, m *match) kernel.SightingIncident {
	typ, sub := incidentKind(in.Collection)
	si := kernel.SightingIncident{
		Title: "威胁情报命中：" + clip(in.Value),
		Description: fmt.Sprintf("“%s”中的指标 %s 在本单位日志中出现 %d 次，首次 %s，最近 %s（北京时间）；首个事件（序号 %d）的包含证明见威胁情报页面的命中记录。",
			in.CollectionZh(), clip(in.Value), m.count, bj(m.first), bj(m.last), m.firstSeq),
		Type: typ, Subtype: sub, DetectedAt: s.now(),
	}
	if strings.HasPrefix(in.Source, "inbox:") {
		var sev, title string
		_ = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
			return t.QueryRow(`SELECT severity, title_zh FROM threat_inbox WHERE org_id = $1 AND id = $2`, strings.TrimPrefix(in.Source, "inbox:")).Scan(&sev, &title)
		})
		if sev == "high" || sev == "critical" {
			si.RaiseTo = "relatively_major"
			si.RaiseReason = fmt.Sprintf("监管部门危害等级为“%s”的预警通报“%s”所列指标在本单位日志中出现，按重大网络安全威胁处理", severityZh[sev], title)
		}
	}
	return si
}

const hitCols = `h.id, h.hunt_id, h.event_seq, h.event, h.proof, h.first_seen, h.last_seen, h.seen_count, h.incident_id, h.incident_path, h.triage, h.triage_note, h.triaged_by, h.triaged_at, h.shared_at, h.created_at,
i.id, i.collection, i.stix_id, i.pattern, i.kind, i.value, i.confidence, i.tlp, i.valid_from, i.valid_until, i.source, i.created_at`

const hitFrom = ` FROM threat_hits h JOIN threat_indicators i ON i.org_id = h.org_id AND i.id = h.indicator_id`

func scanHit(sc interface{ Scan(...any) error }, now time.Time, triageHours int) (Hit, error) {
	var h Hit
	var seq int64
	var ev, pr string
	var inc sql.NullInt64
	var triaged, shared sql.NullTime
	var conf sql.NullInt64
	var until sql.NullTime
	in := &h.Indicator
	if err := sc.Scan(&h.ID, &h.HuntID, &seq, &ev, &pr, &h.FirstSeen, &h.LastSeen, &h.Count, &inc, &h.IncidentPath, &h.Triage, &h.TriageNote, &h.TriagedBy, &triaged, &shared, &h.CreatedAt,
		&in.ID, &in.Collection, &in.STIXID, &in.Pattern, &in.Kind, &in.Value, &conf, &in.TLP, &in.ValidFrom, &until, &in.Source, &in.CreatedAt); err != nil {
		return h, err
	}
	h.EventSeq, h.Event = uint64(seq), json.RawMessage(ev)
	h.Proof = &Proof{}
	if err := json.Unmarshal([]byte(pr), h.Proof); err != nil {
		return h, fmt.Errorf("hit %d proof: %w", h.ID, err)
	}
	if inc.Valid {
		h.IncidentID = &inc.Int64
	}
	if conf.Valid {
		c := int(conf.Int64)
		in.Confidence = &c
	}
	if until.Valid {
		u := until.Time.UTC()
		in.ValidUntil = &u
	}
	in.ValidFrom, in.CreatedAt = in.ValidFrom.UTC(), in.CreatedAt.UTC()
	in.Active = in.ValidUntil == nil || in.ValidUntil.After(now)
	h.TriagedAt, h.SharedAt = nullTime(triaged), nullTime(shared)
	h.FirstSeen, h.LastSeen, h.CreatedAt = h.FirstSeen.UTC(), h.LastSeen.UTC(), h.CreatedAt.UTC()
	h.TriageDue = h.CreatedAt.Add(time.Duration(triageHours) * time.Hour)
	return h, nil
}

// triageHours is the organisation's time for triaging a hit.
func triageHours(t *store.Tenant) (int, error) {
	var h int
	err := t.QueryRow(`SELECT triage_hours FROM threat_settings WHERE org_id = $1`).Scan(&h)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultTriageHours, nil
	}
	return h, err
}

// Hits lists the context organisation's hits, newest first, at most limit.
func (s *Service) Hits(ctx context.Context, limit int) ([]Hit, error) {
	return s.queryHits(ctx, `WHERE h.org_id = $1 ORDER BY h.id DESC LIMIT $2`, limit)
}

// queryHits lists the context organisation's hits that cond (after the SELECT, with the
// organisation as $1 and args from $2) picks.
func (s *Service) queryHits(ctx context.Context, cond string, args ...any) ([]Hit, error) {
	out := []Hit{}
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		th, err := triageHours(t)
		if err != nil {
			return err
		}
		rows, err := t.Query(`SELECT `+hitCols+hitFrom+` `+cond, args...)
		if err != nil {
			return fmt.Errorf("list hits: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHit(rows, now, th)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// HitOf is one of the context organisation's hits; another's is store.ErrNotFound.
func (s *Service) HitOf(ctx context.Context, id int64) (Hit, error) {
	var h Hit
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		h, err = hitIn(t, id, s.now())
		return err
	})
	return h, err
}

func hitIn(t *store.Tenant, id int64, now time.Time) (Hit, error) {
	th, err := triageHours(t)
	if err != nil {
		return Hit{}, err
	}
	return scanHit(t.QueryRow(`SELECT `+hitCols+hitFrom+` WHERE h.org_id = $1 AND h.id = $2`, id), now, th)
}

// Triage records a person's decision on a hit: confirmed or false_positive, with a note.
func (s *Service) Triage(ctx context.Context, id int64, decision, note string) (Hit, error) {
	note = strings.TrimSpace(note)
	v := &problem.Invalid{}
	if !slices.Contains(Triages, decision) {
		v.Add("triage", "must be confirmed or false_positive")
	}
	v.Text("note", note, false, maxText)
	if err := v.Err(); err != nil {
		return Hit{}, err
	}
	now := s.now()
	var after Hit
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := hitIn(t, id, now)
		if err != nil {
			return err
		}
		if before.Triage != "" {
			return problem.Conflictf("triage", "the hit is already triaged as %s", before.Triage)
		}
		after = before
		after.Triage, after.TriageNote, after.TriagedBy, after.TriagedAt = decision, note, audit.ActorFrom(ctx).Label, &now
		if _, err := t.Exec(`UPDATE threat_hits SET triage = $2, triage_note = $3, triaged_by = $4, triaged_at = $5 WHERE org_id = $1 AND id = $6`,
			decision, note, after.TriagedBy, now, id); err != nil {
			return fmt.Errorf("record triage: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "threat_hit", idStr(id), "triage", map[string]string{"triage": ""}, map[string]string{"triage": decision}, decision)
	})
	return after, err
}

// SetTriageHours sets the organisation's time for triaging a hit (1 to 720 hours).
func (s *Service) SetTriageHours(ctx context.Context, hours int) error {
	if hours < 1 || hours > 720 {
		return problem.Field("triage_hours", "must be a whole number of hours from 1 to 720")
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := triageHours(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM threat_settings WHERE org_id = $1`); err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO threat_settings (org_id, triage_hours) VALUES ($1, $2)`, hours); err != nil {
			return fmt.Errorf("set triage time: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "threat_settings", idStr(t.OrgID()), audit.Update, map[string]int{"triage_hours": before}, map[string]int{"triage_hours": hours}, "")
	})
}
