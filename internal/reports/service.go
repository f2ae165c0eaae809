package reports

import (
	"ciiguard/internal/kernel"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Service keeps reports and their versions.
type Service struct {
	db  *store.DB
	src Sources
	// org describes the context's organisation for a report's header.
	org func(ctx context.Context) (Organisation, error)
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// changed tells the change bus that the organisation's `reports` facts changed.
	changed func(tx *store.Tx, org int64)
	// filings are the context operator's filings with its department (nil: the
	// installation has no regulator's workspace): an annual report filed by hand there
	// is a report submitted too.
	filings kernel.Submissions
}

// NewService returns a service reading the records through src.
func NewService(db *store.DB, src Sources, org func(ctx context.Context) (Organisation, error)) *Service {
	return &Service{db: db, src: src, org: org, Now: time.Now}
}

// ErrState is a write to a frozen (signed-off) version, which the store refuses.
var ErrState = errors.New("report version frozen")

const reportColumns = `id, kind, year, state, version, created_by, created_at, updated_at, signed_at`

func scanReport(scan func(...any) error) (Report, error) {
	var r Report
	err := scan(&r.ID, &r.Kind, &r.Year, &r.State, &r.Version, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt, &r.SignedAt)
	return r, err
}

// List returns the organisation's reports, the newest year first.
func (s *Service) List(ctx context.Context) ([]Report, error) {
	out := []Report{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + reportColumns + ` FROM reports WHERE org_id = $1 ORDER BY year DESC, id DESC LIMIT 1000`)
		if err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

func getReport(t *store.Tenant, id int64) (Report, error) {
	r, err := scanReport(t.QueryRow(`SELECT `+reportColumns+` FROM reports WHERE org_id = $1 AND id = $2`, id).Scan)
	return r, store.Found(err)
}

// Get returns one of the organisation's reports; store.ErrNotFound for another's.
func (s *Service) Get(ctx context.Context, id int64) (Report, error) {
	var r Report
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		r, err = getReport(t, id)
		return err
	})
	return r, err
}

func getVersion(t *store.Tenant, id int64, v int) (Version, error) {
	out := Version{ReportID: id, Version: v}
	var content string
	err := t.QueryRow(`SELECT content, sha256, frozen, at FROM report_versions WHERE org_id = $1 AND report_id = $2 AND version = $3`, id, v).
		Scan(&content, &out.SHA256, &out.Frozen, &out.At)
	out.JSON = []byte(content)
	return out, store.Found(err)
}

// Version returns one version of a report; version 0 is the current one.
func (s *Service) Version(ctx context.Context, id int64, v int) (Report, Version, error) {
	var r Report
	var ver Version
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if r, err = getReport(t, id); err != nil {
			return err
		}
		if v == 0 {
			v = r.Version
		}
		ver, err = getVersion(t, id, v)
		return err
	})
	return r, ver, err
}

// Versions lists a report's versions, the newest first.
func (s *Service) Versions(ctx context.Context, id int64) ([]Version, error) {
	out := []Version{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getReport(t, id); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT version, sha256, frozen, at FROM report_versions WHERE org_id = $1 AND report_id = $2 ORDER BY version DESC`, id)
		if err != nil {
			return fmt.Errorf("list report versions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			v := Version{ReportID: id}
			if err := rows.Scan(&v.Version, &v.SHA256, &v.Frozen, &v.At); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// Decode reads a version's content.
func (v Version) Decode() (Content, error) {
	var c Content
	if err := json.Unmarshal(v.JSON, &c); err != nil {
		return c, fmt.Errorf("report %d version %d: %w", v.ReportID, v.Version, err)
	}
	return c, nil
}

// Canonical is a content's JSON and its SHA-256 in hex: what is stored, hashed, printed on
// the PDF and signed.
func Canonical(c Content) ([]byte, string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, "", fmt.Errorf("encode report: %w", err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

// NewReport is what starts a report.
type NewReport struct {
	Kind string `json:"kind"`
	Year int    `json:"year"`
}

// Create generates a report from the organisation's records as version 1, a draft.
func (s *Service) Create(ctx context.Context, in NewReport) (Report, error) {
	now := s.Now()
	v := &problem.Invalid{}
	if in.Kind != KindAnnual && in.Kind != KindChange {
		v.Add("kind", "must be annual or change")
	}
	this := now.In(calendar.Shanghai).Year()
	if in.Year < 2021 || in.Year > this {
		v.Add("year", "must be a year from 2021 to %d", this)
	}
	if err := v.Err(); err != nil {
		return Report{}, err
	}
	org, err := s.org(ctx)
	if err != nil {
		return Report{}, err
	}
	c, err := s.src.Generate(ctx, Header{Kind: in.Kind, Year: in.Year, Org: org, Now: now})
	if err != nil {
		return Report{}, err
	}
	actor := audit.ActorFrom(ctx).Label
	r := Report{Kind: in.Kind, Year: in.Year, State: StateDraft, Version: 1, CreatedBy: actor, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	r.UpdatedAt = r.CreatedAt
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO reports (org_id, kind, year, state, version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id`,
			r.Kind, r.Year, r.State, r.CreatedBy, r.CreatedAt).Scan(&r.ID); err != nil {
			return fmt.Errorf("store report: %w", err)
		}
		if err := s.putVersion(t, r.ID, 1, &c, false, true); err != nil {
			return err
		}
		return audit.InTenant(t, "report", strconv.FormatInt(r.ID, 10), audit.Create, nil, r, fmt.Sprintf("%s %d", r.Kind, r.Year))
	})
	return r, err
}

// putVersion stores c as version v (inserted, or replacing an unfrozen one).
func (s *Service) putVersion(t *store.Tenant, id int64, v int, c *Content, frozen, insert bool) error {
	c.Version = v
	b, sum, err := Canonical(*c)
	if err != nil {
		return err
	}
	at := s.Now().UTC().Truncate(time.Microsecond)
	if insert {
		_, err = t.Exec(`INSERT INTO report_versions (org_id, report_id, version, content, sha256, frozen, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, v, string(b), sum, frozen, at)
	} else {
		// A frozen version is never rewritten: the WHERE leaves it out.
		var res interface{ RowsAffected() (int64, error) }
		res, err = t.Exec(`UPDATE report_versions SET content = $4, sha256 = $5, frozen = $6, at = $7 WHERE org_id = $1 AND report_id = $2 AND version = $3 AND NOT frozen`,
			id, v, string(b), sum, frozen, at)
		if err == nil {
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("report %d version %d is signed off: %w", id, v, ErrState)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("store report %d version %d: %w", id, v, err)
	}
	return nil
}

// SectionInput is the assessor's text of one section in both languages.
type SectionInput struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// MaxSectionRunes bounds each language's text of a section.
const MaxSectionRunes = 20000

// edit applies fn to the report's current content: in place while it is a draft, as a new
// draft version when the current one is signed off (which stays as it was).
func (s *Service) edit(ctx context.Context, id int64, action, detail string, fn func(r *Report, c *Content) error) (Report, error) {
	var r Report
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if r, err = getReport(t, id); err != nil {
			return err
		}
		before := r
		ver, err := getVersion(t, id, r.Version)
		if err != nil {
			return err
		}
		c, err := ver.Decode()
		if err != nil {
			return err
		}
		if err := fn(&r, &c); err != nil {
			return err
		}
		insert := ver.Frozen
		if insert {
			r.Version++
			c.SignOff = nil
		}
		if err := s.putVersion(t, id, r.Version, &c, false, insert); err != nil {
			return err
		}
		r.State = StateDraft // SignedAt stays: when a version was last signed off
		r.UpdatedAt = s.Now().UTC().Truncate(time.Microsecond)
		if _, err := t.Exec(`UPDATE reports SET state = $2, version = $3, updated_at = $4 WHERE org_id = $1 AND id = $5`,
			r.State, r.Version, r.UpdatedAt, id); err != nil {
			return fmt.Errorf("update report %d: %w", id, err)
		}
		if err := audit.InTenant(t, "report", strconv.FormatInt(id, 10), action, before, r, detail); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return r, err
}

// EditSections sets the assessor's text of the sections named in in.
func (s *Service) EditSections(ctx context.Context, id int64, in map[string]SectionInput) (Report, error) {
	v := &problem.Invalid{}
	known := map[string]bool{}
	for _, k := range SectionKeys {
		known[k.Key] = true
	}
	for k, sec := range in {
		if !known[k] {
			v.Add("sections."+k, "is not a section of the report")
			continue
		}
		v.Text("sections."+k+".zh", sec.Zh, false, MaxSectionRunes)
		v.Text("sections."+k+".en", sec.En, false, MaxSectionRunes)
	}
	if len(in) == 0 {
		v.Add("sections", "must name at least one section")
	}
	if err := v.Err(); err != nil {
		return Report{}, err
	}
	return s.edit(ctx, id, audit.Update, "sections", func(_ *Report, c *Content) error {
		for i := range c.Sections {
			if sec, ok := in[c.Sections[i].Key]; ok {
				c.Sections[i].Zh, c.Sections[i].En = strings.TrimSpace(sec.Zh), strings.TrimSpace(sec.En)
			}
		}
		return nil
	})
}

// Regenerate reads the records again into the current draft, keeping the sections; a
// signed-off version stays as it is and the new records go into a new version.
func (s *Service) Regenerate(ctx context.Context, id int64) (Report, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return r, err
	}
	org, err := s.org(ctx)
	if err != nil {
		return r, err
	}
	fresh, err := s.src.Generate(ctx, Header{Kind: r.Kind, Year: r.Year, Org: org, Now: s.Now()})
	if err != nil {
		return r, err
	}
	return s.edit(ctx, id, "regenerate", "records read again", func(_ *Report, c *Content) error {
		sections := c.Sections
		*c = fresh
		c.Sections = sections
		return nil
	})
}

// SignOff freezes the current version with the signer's name: it is never changed again.
// Only a draft is signed off.
func (s *Service) SignOff(ctx context.Context, id int64) (Report, error) {
	a := audit.ActorFrom(ctx)
	var r Report
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if r, err = getReport(t, id); err != nil {
			return err
		}
		if r.State != StateDraft {
			return problem.Conflictf("state", "is %s: only a draft is signed off", r.State)
		}
		before := r
		ver, err := getVersion(t, id, r.Version)
		if err != nil {
			return err
		}
		c, err := ver.Decode()
		if err != nil {
			return err
		}
		now := s.Now().UTC().Truncate(time.Second)
		c.SignOff = &SignOff{UserID: a.UserID, By: a.Label, At: now}
		if err := s.putVersion(t, id, r.Version, &c, true, false); err != nil {
			return err
		}
		r.State, r.SignedAt, r.UpdatedAt = StateSignedOff, &now, now
		if _, err := t.Exec(`UPDATE reports SET state = $2, signed_at = $3, updated_at = $3 WHERE org_id = $1 AND id = $4`, r.State, now, id); err != nil {
			return fmt.Errorf("sign off report %d: %w", id, err)
		}
		if err := audit.InTenant(t, "report", strconv.FormatInt(id, 10), "sign_off", before, r, "version "+strconv.Itoa(r.Version)); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return r, err
}

func (s *Service) announce(t *store.Tenant) {
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
}
