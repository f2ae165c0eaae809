package appstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Evidence is what the capability needs of the evidence store: cite a file the user
// uploaded (a licence, a document), keep a file it makes itself (a developer's verification
// record; a review's report is kept on its version, not as a file). kernel.Evidence
// implements it.
type Evidence interface {
	Cite(ctx context.Context, sha256 string) error
	Store(ctx context.Context, name string, r io.Reader) (string, error)
}

// Service keeps the context's organisation's app store records.
type Service struct {
	db *store.DB
	ev Evidence
	// notify sends a one-time code notice; nil refuses to send (no notifier installed).
	notify kernel.Notifier
	// threat reads the mobile-malware collection of the threat capability; nil when the
	// installation has none (the capability's own malicious-app list still applies).
	threat kernel.ThreatCollections
	// share sends a malicious app's take-down to the regulator; nil when the installation
	// has no TAXII capability.
	share kernel.ThreatSharing
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// Calendar counts working days (the official one by default).
	Calendar *calendar.Calendar
	// changed is told, inside a write transaction, that the facts changed.
	changed func(tx *store.Tx, org int64)
}

// NewService returns a service over db.
func NewService(db *store.DB, ev Evidence, n kernel.Notifier) *Service {
	return &Service{db: db, ev: ev, notify: n, Now: time.Now, Calendar: calendar.Official()}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

func (s *Service) announce(t *store.Tenant) {
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// cite checks that sha names a file the organisation holds, on field.
func (s *Service) cite(ctx context.Context, v *problem.Invalid, field, sha string, required bool) {
	switch {
	case sha == "" && required:
		v.Add(field, "is required: upload the file to evidence and give its SHA-256")
	case sha == "":
	case !shaRE.MatchString(sha):
		v.Add(field, "is not a SHA-256 (64 lower-case hexadecimal characters)")
	case s.ev == nil:
		v.Add(field, "cannot be checked: the evidence store is not installed")
	default:
		if err := s.ev.Cite(ctx, sha); err != nil {
			v.Add(field, "names no evidence file of this organisation")
		}
	}
}

func validDate(v *problem.Invalid, field, s string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "is required (YYYY-MM-DD)")
		}
		return
	}
	if _, err := time.Parse(DateLayout, s); err != nil {
		v.Add(field, "is not a date (YYYY-MM-DD)")
	}
}

// endOfDay is 24:00 Beijing time of t's day in China.
func endOfDay(t time.Time) time.Time {
	c := t.In(calendar.Shanghai)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, calendar.Shanghai).AddDate(0, 0, 1).UTC()
}

// dueAfter is the end of the n-th working day after t (24:00 Beijing).
func (s *Service) dueAfter(t time.Time, n int) (time.Time, error) {
	d, err := s.Calendar.AddWorkingDays(t, n)
	if err != nil {
		return time.Time{}, fmt.Errorf("count %d working days: %w", n, err)
	}
	return endOfDay(d), nil
}

// today is the day in China.
func (s *Service) today() string { return s.Now().In(calendar.Shanghai).Format(DateLayout) }

const platformCols = `name, online_on, cac_province, filed_on, filing_reference, filing_materials, complaint_channel, review_days, complaint_days, pi_complaint_days, complaint_window_months, policy, updated_by, updated_at`

func scanPlatform(sc interface{ Scan(...any) error }) (Platform, error) {
	var p Platform
	err := sc.Scan(&p.Name, &p.OnlineOn, &p.CACProvince, &p.FiledOn, &p.FilingReference, &p.FilingMaterials, &p.ComplaintChannel,
		&p.ReviewDays, &p.ComplaintDays, &p.PIComplaintDays, &p.ComplaintWindowMonths, &p.Policy, &p.UpdatedBy, &p.UpdatedAt)
	return p, err
}

// platformIn reads the organisation's platform record; nil when there is none.
func platformIn(t *store.Tenant) (*Platform, error) {
	p, err := scanPlatform(t.QueryRow(`SELECT ` + platformCols + ` FROM appstore_platforms WHERE org_id = $1`))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the platform: %w", err)
	}
	return &p, nil
}

// Platform returns the context's organisation's platform record, nil when it has none.
func (s *Service) Platform(ctx context.Context) (*Platform, error) {
	var p *Platform
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = platformIn(t)
		return err
	})
	return p, err
}

// validPlatform checks in.
func validPlatform(in PlatformInput, today string) (Platform, error) {
	p := Platform{Name: strings.TrimSpace(in.Name), OnlineOn: strings.TrimSpace(in.OnlineOn), CACProvince: strings.TrimSpace(in.CACProvince),
		FiledOn: strings.TrimSpace(in.FiledOn), FilingReference: strings.TrimSpace(in.FilingReference), FilingMaterials: strings.TrimSpace(in.FilingMaterials),
		ComplaintChannel: strings.TrimSpace(in.ComplaintChannel), ReviewDays: in.ReviewDays, ComplaintDays: in.ComplaintDays, PIComplaintDays: in.PIComplaintDays,
		ComplaintWindowMonths: in.ComplaintWindowMonths, Policy: strings.TrimSpace(in.Policy)}
	v := &problem.Invalid{}
	v.Text("name", p.Name, true, maxName)
	validDate(v, "online_on", p.OnlineOn, true)
	v.Text("cac_province", p.CACProvince, false, maxShort)
	validDate(v, "filed_on", p.FiledOn, false)
	v.Text("filing_reference", p.FilingReference, false, maxShort)
	v.Text("filing_materials", p.FilingMaterials, false, maxText)
	v.Text("complaint_channel", p.ComplaintChannel, false, maxText)
	if p.FiledOn != "" {
		if p.FilingReference == "" {
			v.Add("filing_reference", "is required once the platform is filed: give the reference the CAC issued")
		}
		if p.CACProvince == "" {
			v.Add("cac_province", "is required once the platform is filed: name the provincial CAC filed with")
		}
		if p.FiledOn > today {
			v.Add("filed_on", "is in the future")
		}
	}
	if p.ReviewDays == 0 {
		p.ReviewDays = DefaultReviewDays
	}
	if p.ComplaintDays == 0 {
		p.ComplaintDays = DefaultComplaintDays
	}
	if p.PIComplaintDays == 0 {
		p.PIComplaintDays = PIComplaintMaxDays
	}
	if p.ComplaintWindowMonths == 0 {
		p.ComplaintWindowMonths = DefaultComplaintWindowMonths
	}
	if p.ComplaintWindowMonths < 1 || p.ComplaintWindowMonths > MaxComplaintWindowMonths {
		v.Add("complaint_window_months", "must be between 1 and 60 months")
	}
	if p.ReviewDays < 1 || p.ReviewDays > 60 {
		v.Add("review_days", "must be between 1 and 60 working days")
	}
	if p.ComplaintDays < 1 || p.ComplaintDays > 60 {
		v.Add("complaint_days", "must be between 1 and 60 working days")
	}
	if p.PIComplaintDays < 1 || p.PIComplaintDays > PIComplaintMaxDays {
		v.Add("pi_complaint_days", "must be between 1 and 15 working days: personal-information requests are answered within 15 working days at most")
	}
	if _, err := ParsePolicy(p.Policy); err != nil {
		v.Add("permission_policy", "%s", err.Error())
	}
	return p, v.Err()
}

// SavePlatform records the platform.
func (s *Service) SavePlatform(ctx context.Context, in PlatformInput) (Platform, error) {
	p, err := validPlatform(in, s.today())
	if err != nil {
		return Platform{}, err
	}
	p.UpdatedBy, p.UpdatedAt = audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := platformIn(t)
		if err != nil {
			return err
		}
		if before == nil {
			_, err = t.Exec(`INSERT INTO appstore_platforms (org_id, `+platformCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
				p.Name, p.OnlineOn, p.CACProvince, p.FiledOn, p.FilingReference, p.FilingMaterials, p.ComplaintChannel, p.ReviewDays, p.ComplaintDays, p.PIComplaintDays, p.ComplaintWindowMonths, p.Policy, p.UpdatedBy, p.UpdatedAt)
		} else {
			_, err = t.Exec(`UPDATE appstore_platforms SET name = $2, online_on = $3, cac_province = $4, filed_on = $5, filing_reference = $6, filing_materials = $7,
complaint_channel = $8, review_days = $9, complaint_days = $10, pi_complaint_days = $11, complaint_window_months = $12, policy = $13, updated_by = $14, updated_at = $15 WHERE org_id = $1`,
				p.Name, p.OnlineOn, p.CACProvince, p.FiledOn, p.FilingReference, p.FilingMaterials, p.ComplaintChannel, p.ReviewDays, p.ComplaintDays, p.PIComplaintDays, p.ComplaintWindowMonths, p.Policy, p.UpdatedBy, p.UpdatedAt)
		}
		if err != nil {
			return fmt.Errorf("record the platform: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_platform", fmt.Sprint(t.OrgID()), "save", before, &p, "")
	})
	return p, err
}

// requirePlatform refuses work before the platform is recorded.
func requirePlatform(t *store.Tenant) (*Platform, error) {
	p, err := platformIn(t)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, problem.Conflictf("platform", "record the app store platform first")
	}
	return p, nil
}

// AddDocument records a new version of the platform rules or the service agreement.
func (s *Service) AddDocument(ctx context.Context, in DocumentInput) (Document, error) {
	d := Document{Kind: strings.TrimSpace(in.Kind), Version: strings.TrimSpace(in.Version), Title: strings.TrimSpace(in.Title),
		EffectiveOn: strings.TrimSpace(in.EffectiveOn), SHA256: strings.ToLower(strings.TrimSpace(in.SHA256))}
	v := &problem.Invalid{}
	if d.Kind != DocRules && d.Kind != DocAgreement {
		v.Add("kind", "must be rules or agreement")
	}
	v.Text("version", d.Version, true, maxShort)
	v.Text("title", d.Title, true, maxName)
	validDate(v, "effective_on", d.EffectiveOn, true)
	s.cite(ctx, v, "sha256", d.SHA256, false)
	if err := v.Err(); err != nil {
		return Document{}, err
	}
	d.CreatedBy, d.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := requirePlatform(t); err != nil {
			return err
		}
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM appstore_documents WHERE org_id = $1 AND kind = $2 AND version = $3`, d.Kind, d.Version).Scan(&n); err != nil {
			return fmt.Errorf("look for the version: %w", err)
		}
		if n > 0 {
			return problem.Conflictf("version", "this version of the document is already recorded")
		}
		if err := t.QueryRow(`INSERT INTO appstore_documents (org_id, kind, version, title, effective_on, sha256, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, d.Kind, d.Version, d.Title, d.EffectiveOn, d.SHA256, d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
			return fmt.Errorf("record the document: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_document", fmt.Sprint(d.ID), "create", nil, &d, "")
	})
	return d, err
}

// documentsIn lists the documents, newest version first within each kind, with their
// state on today (YYYY-MM-DD in China).
func documentsIn(t *store.Tenant, today string) ([]Document, error) {
	rows, err := t.Query(`SELECT id, kind, version, title, effective_on, sha256, created_by, created_at, retired_at, retired_by, retire_reason
FROM appstore_documents WHERE org_id = $1 ORDER BY kind, effective_on DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	current := map[string]bool{} // kinds whose document in effect was seen
	for rows.Next() {
		var d Document
		var retired sql.NullTime
		if err := rows.Scan(&d.ID, &d.Kind, &d.Version, &d.Title, &d.EffectiveOn, &d.SHA256, &d.CreatedBy, &d.CreatedAt, &retired, &d.RetiredBy, &d.RetireReason); err != nil {
			return nil, fmt.Errorf("read a document: %w", err)
		}
		d.RetiredAt = nullTime(retired)
		switch {
		case d.RetiredAt != nil:
			d.State = DocRetired
		case d.EffectiveOn > today:
			d.State = DocUpcoming
		case current[d.Kind]:
			d.State = DocSuperseded
		default:
			d.State, current[d.Kind] = DocInEffect, true
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Documents lists the platform's documents.
func (s *Service) Documents(ctx context.Context) ([]Document, error) {
	var out []Document
	today := s.today()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = documentsIn(t, today)
		return err
	})
	return out, err
}

// RetireDocument withdraws a document with a reason: it stays listed, marked retired, and
// no longer counts as in effect (a newer version supersedes without retiring). Another
// organisation's document is store.ErrNotFound; a retired one is 409.
func (s *Service) RetireDocument(ctx context.Context, id int64, reason string) (Document, error) {
	reason = strings.TrimSpace(reason)
	var d Document
	today := s.today()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		docs, err := documentsIn(t, today)
		if err != nil {
			return err
		}
		found := false
		for _, x := range docs {
			if x.ID == id {
				d, found = x, true
			}
		}
		if !found {
			return fmt.Errorf("document %d: %w", id, store.ErrNotFound)
		}
		v := &problem.Invalid{}
		v.Text("reason", reason, true, maxText)
		if err := v.Err(); err != nil {
			return err
		}
		if d.RetiredAt != nil {
			return problem.Conflictf("document", "is already retired")
		}
		before, now := d, s.now()
		d.RetiredAt, d.RetiredBy, d.RetireReason, d.State = &now, audit.ActorFrom(ctx).Label, reason, DocRetired
		if _, err := t.Exec(`UPDATE appstore_documents SET retired_at = $3, retired_by = $4, retire_reason = $5 WHERE org_id = $1 AND id = $2`, id, now, d.RetiredBy, reason); err != nil {
			return fmt.Errorf("retire document %d: %w", id, err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_document", fmt.Sprint(id), "retire", &before, &d, reason)
	})
	return d, err
}
