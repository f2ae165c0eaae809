package oversight

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// An identification notice (认定通知, CIIR 2021 Arts 9–10) — or a de-identification notice
// after a re-identification (撤销认定通知, Art. 11) — is the department's record:
// which of the operator's systems it identifies, named as the department names them, the
// date, the legal basis and the document number. Recording it sends it: there are no
// drafts. When the entry is an organisation of this installation, the operator receives
// its own copy (oversight_notice_copies, in the operator's tenant, written in the same
// transaction) and the notice is applied to the operator's inventory through
// kernel.Identification, which sets each named system's identified_on. What the notice
// did to which system is written on the operator's copy only: the department learns
// nothing of the inventory from it.

// Kinds of notice. Re-identification (CIIR 2021 Art. 11) may conclude that a system is no
// longer CII: the department then sends a de-identification notice (撤销认定通知), which
// names systems its earlier notices identified.
const (
	NoticeIdentification   = "identification"
	NoticeDeidentification = "deidentification"
)

// NoticeKinds lists the kinds of notice, the default first.
var NoticeKinds = []string{NoticeIdentification, NoticeDeidentification}

// Limits of a notice.
const (
	maxNoticeSystems = 50
	maxSystemName    = 200
)

// NewNotice is an identification notice the regulator records and sends.
type NewNotice struct {
	Kind     string   `json:"kind"`      // one of NoticeKinds; empty: identification
	Ref      string   `json:"ref"`       // document number, e.g. 示能监安认〔2026〕3号
	IssuedOn string   `json:"issued_on"` // YYYY-MM-DD
	Basis    string   `json:"basis"`     // the legal basis cited
	Systems  []string `json:"systems"`   // the systems identified, as the department names them
}

// Notice is a recorded notice as the regulator holds it.
type Notice struct {
	ID         int64     `json:"id"`
	EntryID    int64     `json:"entry_id"`
	OperatorID int64     `json:"operator_id,omitempty"`
	Kind       string    `json:"kind"`
	Ref        string    `json:"ref"`
	IssuedOn   string    `json:"issued_on"`
	Basis      string    `json:"basis"`
	Systems    []string  `json:"systems"`
	Delivered  bool      `json:"delivered"` // reached the operator in ciiguard
	CreatedBy  string    `json:"created_by"`
	SentAt     time.Time `json:"sent_at"`
}

// ReceivedNotice is the operator's copy of a notice, with what it did to the inventory.
type ReceivedNotice struct {
	ID          int64                     `json:"id"`
	RegulatorID int64                     `json:"regulator_id"`
	RegulatorZH string                    `json:"regulator_name_zh"`
	RegulatorEN string                    `json:"regulator_name_en"`
	Kind        string                    `json:"kind"`
	Ref         string                    `json:"ref"`
	IssuedOn    string                    `json:"issued_on"`
	Basis       string                    `json:"basis"`
	Systems     []string                  `json:"systems"`
	Applied     []kernel.IdentifiedSystem `json:"applied"` // empty until applied
	ReceivedAt  time.Time                 `json:"received_at"`
}

func (n *NewNotice) validate(today string) error {
	n.Ref, n.IssuedOn, n.Basis = strings.TrimSpace(n.Ref), strings.TrimSpace(n.IssuedOn), strings.TrimSpace(n.Basis)
	v := &problem.Invalid{}
	if n.Kind == "" {
		n.Kind = NoticeIdentification
	}
	if !slices.Contains(NoticeKinds, n.Kind) {
		v.Add("kind", "must be one of %s", strings.Join(NoticeKinds, ", "))
	}
	v.Text("ref", n.Ref, true, 100)
	v.Text("basis", n.Basis, true, 500)
	if n.IssuedOn == "" {
		v.Add("issued_on", "is required")
	} else if d, err := time.Parse(dateLayout, n.IssuedOn); err != nil || d.Format(dateLayout) != n.IssuedOn {
		v.Add("issued_on", "must be a date such as 2026-12-01")
	} else if n.IssuedOn > today {
		v.Add("issued_on", "must not be after today (%s, Beijing time)", today)
	}
	var names []string
	for _, s := range n.Systems {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	switch {
	case len(names) == 0:
		v.Add("systems", "name at least one system the notice is about")
	case len(names) > maxNoticeSystems:
		v.Add("systems", "must name at most %d systems, not %d", maxNoticeSystems, len(names))
	}
	for _, s := range names {
		if !problem.TextOK(s, true, maxSystemName) {
			v.Add("systems", "each system name must be at most %d characters of text", maxSystemName)
			break
		}
	}
	n.Systems = names
	return v.Err()
}

// RecordNotice records and sends the context regulator's identification notice for a
// registry entry, audited in both organisations' trails; the operator's copy is then
// applied to its inventory.
func (s *Service) RecordNotice(ctx context.Context, entryID int64, in NewNotice) (*Notice, error) {
	if err := in.validate(bjDay(s.now())); err != nil {
		return nil, err
	}
	e, err := s.Entry(ctx, entryID)
	if err != nil {
		return nil, err
	}
	if in.Kind == NoticeDeidentification {
		if err := e.canDeidentify(in); err != nil {
			return nil, err
		}
	}
	regulatorID, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	systems, _ := json.Marshal(in.Systems)
	n := &Notice{EntryID: e.ID, OperatorID: e.OperatorID, Kind: in.Kind, Ref: in.Ref, IssuedOn: in.IssuedOn, Basis: in.Basis, Systems: in.Systems,
		Delivered: e.OperatorID != 0, CreatedBy: audit.ActorFrom(ctx).Label, SentAt: s.now()}
	var opArg any
	if e.OperatorID != 0 {
		opArg = e.OperatorID
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO oversight_notices (org_id, entry_id, operator_id, kind, ref, issued_on, basis, systems, delivered, created_by, sent_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, e.ID, opArg, n.Kind, n.Ref, n.IssuedOn, n.Basis, string(systems), n.Delivered, n.CreatedBy, n.SentAt).Scan(&n.ID); err != nil {
			return fmt.Errorf("record the notice: %w", err)
		}
		what := "identification"
		if n.Kind == NoticeDeidentification {
			what = "de-identification"
		}
		detail := fmt.Sprintf("%s notice %s of %s: %s", what, n.Ref, n.IssuedOn, strings.Join(n.Systems, ", "))
		if n.Delivered {
			// The operator's copy: its own row, its organisation from the entry, never
			// from input.
			if _, err := t.Tx().Exec(`INSERT INTO oversight_notice_copies (org_id, notice_id, regulator_id, kind, ref, issued_on, basis, systems, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.OperatorID, n.ID, regulatorID, n.Kind, n.Ref, n.IssuedOn, n.Basis, string(systems), n.SentAt); err != nil {
				return fmt.Errorf("deliver the notice: %w", err)
			}
			if err := audit.Record(t.Tx(), e.OperatorID, "oversight_notice", idStr(n.ID), "notice_received", nil, n, detail); err != nil {
				return err
			}
		}
		return audit.InTenant(t, "oversight_notice", idStr(n.ID), "notice_sent", nil, n, detail)
	})
	if err != nil {
		return nil, err
	}
	if n.Delivered {
		if err := s.apply(ctx, e.OperatorID, n); err != nil {
			return n, fmt.Errorf("notice %d recorded and sent, but not applied to the operator's inventory: %w", n.ID, err)
		}
	}
	return n, nil
}

// canDeidentify checks a de-identification notice against the entry: it names only
// systems the department's notices hold identified, and is not dated before the notice
// that last identified any of them.
func (e *Entry) canDeidentify(in NewNotice) error {
	if len(e.IdentifiedSystems) == 0 {
		return problem.Field("systems", "this department's notices hold no system of this operator identified: there is nothing to de-identify")
	}
	v := &problem.Invalid{}
	for _, name := range in.Systems {
		since, ok := e.since[name]
		switch {
		case !ok:
			v.Add("systems", "%s is not a system this department's notices hold identified (identified: %s)", name, strings.Join(e.IdentifiedSystems, ", "))
		case in.IssuedOn < since:
			v.Add("issued_on", "must not be before %s, when %s was identified", since, name)
		}
	}
	return v.Err()
}

// apply applies a delivered notice to the operator's inventory and writes the result on
// the operator's copy. Without an inventory capability the copy stays unapplied.
func (s *Service) apply(ctx context.Context, operatorID int64, n *Notice) error {
	if s.ident == nil {
		return nil
	}
	res, err := s.ident.RecordIdentified(ctx, operatorID, kernel.IdentificationNotice{On: n.IssuedOn, Ref: n.Ref, Systems: n.Systems,
		Deidentify: n.Kind == NoticeDeidentification})
	if err != nil {
		return err
	}
	b, _ := json.Marshal(res)
	return s.db.WriteTenant(store.WithOrg(ctx, operatorID), func(t *store.Tenant) error {
		if _, err := t.Exec(`UPDATE oversight_notice_copies SET applied = $3 WHERE org_id = $1 AND notice_id = $2`, n.ID, string(b)); err != nil {
			return fmt.Errorf("note what notice %d did: %w", n.ID, err)
		}
		return nil
	})
}

// Notices lists the context regulator's notices of one entry, newest first.
func (s *Service) Notices(ctx context.Context, entryID int64) ([]Notice, error) {
	out := []Notice{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return query(t, "notices", `SELECT id, entry_id, COALESCE(operator_id, 0), kind, ref, issued_on, basis, systems, delivered, created_by, sent_at
FROM oversight_notices WHERE org_id = $1 AND entry_id = $2 ORDER BY issued_on DESC, id DESC`, func(sc func(...any) error) error {
			var n Notice
			var systems string
			if err := sc(&n.ID, &n.EntryID, &n.OperatorID, &n.Kind, &n.Ref, &n.IssuedOn, &n.Basis, &systems, &n.Delivered, &n.CreatedBy, &n.SentAt); err != nil {
				return err
			}
			n.SentAt = n.SentAt.UTC()
			if err := json.Unmarshal([]byte(systems), &n.Systems); err != nil {
				return fmt.Errorf("systems of notice %d: %w", n.ID, err)
			}
			out = append(out, n)
			return nil
		}, entryID)
	})
	return out, err
}

// ReceivedNotices lists the identification notices the context operator received, newest
// first, with the issuing departments' names.
func (s *Service) ReceivedNotices(ctx context.Context) ([]ReceivedNotice, error) {
	out := []ReceivedNotice{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return query(t, "received notices", `SELECT notice_id, regulator_id, kind, ref, issued_on, basis, systems, applied, received_at
FROM oversight_notice_copies WHERE org_id = $1 ORDER BY issued_on DESC, notice_id DESC`, func(sc func(...any) error) error {
			var n ReceivedNotice
			var systems, applied string
			if err := sc(&n.ID, &n.RegulatorID, &n.Kind, &n.Ref, &n.IssuedOn, &n.Basis, &systems, &applied, &n.ReceivedAt); err != nil {
				return err
			}
			n.ReceivedAt = n.ReceivedAt.UTC()
			if err := json.Unmarshal([]byte(systems), &n.Systems); err != nil {
				return fmt.Errorf("systems of notice %d: %w", n.ID, err)
			}
			n.Applied = []kernel.IdentifiedSystem{}
			if applied != "" {
				if err := json.Unmarshal([]byte(applied), &n.Applied); err != nil {
					return fmt.Errorf("result of notice %d: %w", n.ID, err)
				}
			}
			out = append(out, n)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		ref, err := s.regulatorRef(ctx, out[i].RegulatorID)
		if err != nil {
			return nil, err
		}
		out[i].RegulatorZH, out[i].RegulatorEN = ref.NameZH, ref.NameEN
	}
	return out, nil
}
