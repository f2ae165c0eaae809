package threat

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// ProofProperty is the custom STIX property carrying a sighting's inclusion proof.
const ProofProperty = "x_ciiguard_inclusion_proof"

// proofJSON is the inclusion proof as a shared sighting carries it: what a regulator needs
// to check, with the operator's vault key only, that the operator's log held the event.
type proofJSON struct {
	Origin      string   `json:"log_origin"`
	LeafIndex   uint64   `json:"leaf_index"`
	TreeSize    uint64   `json:"tree_size"`
	Leaf        string   `json:"leaf"`         // base64 leaf data
	Hashes      []string `json:"audit_path"`   // base64, RFC 9162 order
	Root        string   `json:"root_hash"`    // base64
	Checkpoint  string   `json:"checkpoint"`   // the signed note
	VerifierKey string   `json:"verifier_key"` // the note's verifier
	Hash        string   `json:"hash_algorithm"`
}

// sightingBundle writes a hit as a STIX bundle: the operator's identity, the indicator as
// the operator holds it, and the sighting with the proof attached.
func sightingBundle(op kernel.RegulatorRef, indicatorJSON string, h Hit) ([]byte, error) {
	ts := stix.At(h.CreatedAt)
	id := &stix.Identity{Common: stix.NewCommon("identity", "", ts), Name: op.NameZH, IdentityClass: "organization"}
	ind, err := stix.Decode([]byte(indicatorJSON))
	if err != nil {
		return nil, fmt.Errorf("the indicator: %w", err)
	}
	count := h.Count
	sg := &stix.Sighting{Common: stix.NewCommon("sighting", id.ID, stix.Now()), FirstSeen: stix.At(h.FirstSeen), LastSeen: stix.At(h.LastSeen),
		Count: &count, SightingOfRef: ind.ObjectID(), WhereSightedRefs: []string{id.ID}}
	if h.LastSeen.Equal(h.FirstSeen) {
		sg.LastSeen = stix.At(h.LastSeen.Add(1e6)) // last_seen must be later than first_seen
	}
	p := h.Proof
	hashes := make([]string, len(p.Hashes))
	for i, x := range p.Hashes {
		hashes[i] = base64.StdEncoding.EncodeToString(x)
	}
	pj, err := json.Marshal(proofJSON{Origin: p.Origin, LeafIndex: p.Seq, TreeSize: p.TreeSize, Leaf: base64.StdEncoding.EncodeToString(p.Leaf),
		Hashes: hashes, Root: base64.StdEncoding.EncodeToString(p.Root), Checkpoint: p.Checkpoint, VerifierKey: p.VerifierKey, Hash: "SHA-256 (RFC 6962)"})
	if err != nil {
		return nil, err
	}
	sg.Extra = stix.Extra{ProofProperty: pj}
	if err := stix.Validate(sg); err != nil {
		return nil, fmt.Errorf("the sighting: %w", err)
	}
	return json.Marshal(stix.NewBundle(id, ind, sg))
}

// Share sends hit id to the regulator as a STIX sighting with its inclusion proof: to the
// regulator whose notification the indicator came from, or else to the operator's
// protection-work department (kernel.Submissions). A false positive is not shared; a hit is
// shared once.
func (s *Service) Share(ctx context.Context, id int64) (SharedSighting, error) {
	opID, err := orgOf(ctx)
	if err != nil {
		return SharedSighting{}, err
	}
	op, err := s.auth.GetOrg(ctx, opID)
	if err != nil {
		return SharedSighting{}, err
	}
	var h Hit
	var indJSON string
	var regID int64
	var notification *int64
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if h, err = hitIn(t, id, s.now()); err != nil {
			return err
		}
		if err := t.QueryRow(`SELECT stix_json FROM threat_indicators WHERE org_id = $1 AND id = $2`, h.Indicator.ID).Scan(&indJSON); err != nil {
			return err
		}
		if inbox, ok := strings.CutPrefix(h.Indicator.Source, "inbox:"); ok {
			var n int64
			if err := t.QueryRow(`SELECT regulator_id, notification_id FROM threat_inbox WHERE org_id = $1 AND id = $2`, inbox).Scan(&regID, &n); err != nil {
				return err
			}
			notification = &n
		}
		return nil
	})
	if err != nil {
		return SharedSighting{}, err
	}
	switch {
	case h.SharedAt != nil:
		return SharedSighting{}, problem.Conflictf("id", "the sighting is already shared")
	case h.Triage == "false_positive":
		return SharedSighting{}, problem.Field("triage", "a false positive is not shared")
	}
	if regID == 0 {
		if s.subs == nil {
			return SharedSighting{}, problem.Field("regulator", "is not known: the indicator came from no notification and this installation files nothing")
		}
		reg, err := s.subs.Regulator(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return SharedSighting{}, problem.Field("regulator", "is not named: name the protection-work department on the filings page first")
		}
		if err != nil {
			return SharedSighting{}, err
		}
		regID = reg.ID
	}
	bundle, err := sightingBundle(kernel.RegulatorRef{ID: op.ID, NameZH: op.NameZH, NameEN: op.NameEN}, indJSON, h)
	if err != nil {
		return SharedSighting{}, err
	}
	now := s.now()
	out := SharedSighting{OperatorID: op.ID, OperatorZH: op.NameZH, OperatorEN: op.NameEN, NotificationID: notification, IndicatorValue: h.Indicator.Value,
		FirstSeen: h.FirstSeen, LastSeen: h.LastSeen, Count: h.Count, Sighting: bundle, SharedBy: audit.ActorFrom(ctx).Label, SharedAt: now}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		res, err := t.Exec(`UPDATE threat_hits SET shared_at = $2 WHERE org_id = $1 AND id = $3 AND shared_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.Conflictf("id", "the sighting is already shared")
		}
		// The regulator's record: its organisation is the notification's sender or the
		// department the operator named, never input.
		if err := t.Tx().QueryRow(`INSERT INTO threat_sightings (org_id, operator_id, operator_zh, operator_en, notification_id, indicator_value, first_seen, last_seen, seen_count, sighting, shared_by, shared_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, regID, op.ID, op.NameZH, op.NameEN, notification, out.IndicatorValue,
			out.FirstSeen, out.LastSeen, out.Count, string(bundle), out.SharedBy, now).Scan(&out.ID); err != nil {
			return fmt.Errorf("share the sighting: %w", err)
		}
		if err := audit.Record(t.Tx(), regID, "threat_sighting", strconv.FormatInt(out.ID, 10), "receive", nil, nil,
			fmt.Sprintf("from %s: %s seen %d times", op.NameEN, out.IndicatorValue, out.Count)); err != nil {
			return err
		}
		return audit.InTenant(t, "threat_hit", idStr(id), "share", nil, nil, fmt.Sprintf("sighting %d to organisation %d", out.ID, regID))
	})
	return out, err
}

// Sightings lists the sightings operators shared with the context's regulator, newest first.
func (s *Service) Sightings(ctx context.Context) ([]SharedSighting, error) {
	out := []SharedSighting{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, operator_id, operator_zh, operator_en, notification_id, indicator_value, first_seen, last_seen, seen_count, sighting, shared_by, shared_at
FROM threat_sightings WHERE org_id = $1 ORDER BY id DESC LIMIT 500`)
		if err != nil {
			return fmt.Errorf("list sightings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var sg SharedSighting
			var n sql.NullInt64
			var body string
			if err := rows.Scan(&sg.ID, &sg.OperatorID, &sg.OperatorZH, &sg.OperatorEN, &n, &sg.IndicatorValue, &sg.FirstSeen, &sg.LastSeen, &sg.Count, &body, &sg.SharedBy, &sg.SharedAt); err != nil {
				return err
			}
			if n.Valid {
				sg.NotificationID = &n.Int64
			}
			sg.Sighting = json.RawMessage(body)
			sg.FirstSeen, sg.LastSeen, sg.SharedAt = sg.FirstSeen.UTC(), sg.LastSeen.UTC(), sg.SharedAt.UTC()
			out = append(out, sg)
		}
		return rows.Err()
	})
	return out, err
}
