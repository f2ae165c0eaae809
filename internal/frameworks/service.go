package frameworks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// MaxUploadSize bounds an uploaded OSCAL catalog; NIST SP 800-53 rev. 5 in full is about
// 10 MB.
const MaxUploadSize = 32 << 20

// MaxNote bounds a mapping's note, in bytes.
const MaxNote = 2000

// maxIDLen bounds a framework id.
const maxIDLen = 64

// CatalogSource gives the obligations catalog in force for the context's organisation (the
// embedded catalog plus the organisation's own policies); the installation's
// kernel.Obligations implements it.
type CatalogSource interface {
	Catalog(ctx context.Context) (*catalog.Catalog, error)
}

// FindingsSource gives the context's organisation's current findings; the installation's
// kernel.Obligations implements it.
type FindingsSource interface {
	CurrentFindings(ctx context.Context) ([]rules.Finding, error)
}

// Framework is an organisation's imported control framework, without its controls.
type Framework struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Version    string    `json:"version"`
	SHA256     string    `json:"sha256"` // of the uploaded document
	Controls   int       `json:"controls"`
	Mappings   int       `json:"mappings"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`

	key string // what its controls are stored under (framework_controls.framework_id)
}

// Control is one control of an imported framework.
type Control struct {
	ID        string `json:"id"`
	Label     string `json:"label,omitempty"`
	Title     string `json:"title"`
	Group     string `json:"group,omitempty"`
	Parent    string `json:"parent,omitempty"`
	Statement string `json:"statement,omitempty"`
}

// Mapping links a control of a framework to an obligation of the catalog, with one of the
// relations of catalog.Relation (after NIST OLIR).
type Mapping struct {
	Framework    string           `json:"framework"`
	ControlID    string           `json:"control_id"`
	ObligationID string           `json:"obligation_id"`
	Relation     catalog.Relation `json:"relation"`
	Note         string           `json:"note,omitempty"`
	CreatedBy    string           `json:"created_by"`
	CreatedAt    time.Time        `json:"created_at"`
}

// key names a mapping in the audit trail.
func (m Mapping) key() string { return m.Framework + "/" + m.ControlID + "→" + m.ObligationID }

// ImportResult says what an upload did.
type ImportResult struct {
	Framework Framework `json:"framework"`
	// Replaced is true when a framework with the same id existed and its controls were
	// replaced.
	Replaced bool `json:"replaced"`
	// MappingsKept counts the mappings whose control is still in the framework;
	// MappingsDropped the ones removed because their control is gone.
	MappingsKept    int       `json:"mappings_kept"`
	MappingsDropped int       `json:"mappings_dropped"`
	Dropped         []Mapping `json:"dropped,omitempty"`
}

// Relations lists the relations a mapping may state, in the order forms show them.
var Relations = []catalog.Relation{catalog.RelEquivalent, catalog.RelSubset, catalog.RelSuperset, catalog.RelRelated}

func validRelation(r catalog.Relation) bool {
	for _, x := range Relations {
		if x == r {
			return true
		}
	}
	return false
}

// tokenRE is OSCAL's token datatype, which framework ids must match like control ids.
var tokenRE = regexp.MustCompile(`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)

// ValidID reports whether id can name a framework: an OSCAL token of at most 64 bytes.
func ValidID(id string) bool { return len(id) <= maxIDLen && tokenRE.MatchString(id) }

// Service keeps organisations' frameworks, their controls and their mappings to
// obligations. Every method works on the context's organisation only.
type Service struct {
	db       *store.DB
	catalog  CatalogSource
	findings FindingsSource
	now      func() time.Time
	// maxControls bounds one framework's controls (DefaultMaxControls unless set).
	maxControls int
	logger      *slog.Logger
}

// log is the service's logger: the installation's once provisioned, else the default.
func (s *Service) log() *slog.Logger {
	if s.logger == nil {
		return slog.Default()
	}
	return s.logger
}

// NewService returns the service over db, validating obligation ids against cat and
// reading applicability from findings.
func NewService(db *store.DB, cat CatalogSource, findings FindingsSource) *Service {
	return &Service{db: db, catalog: cat, findings: findings, now: time.Now, maxControls: DefaultMaxControls}
}

// Import parses an OSCAL catalog (JSON) as framework id and stores it for the context's
// organisation. An existing framework of that id has its controls replaced: mappings whose
// control is still there are kept, the others are dropped and reported. A document that
// does not parse is a field error on field (the form's or the API's name for the upload).
func (s *Service) Import(ctx context.Context, id, field string, doc []byte) (ImportResult, error) {
	id = strings.TrimSpace(id)
	if !ValidID(id) {
		return ImportResult{}, problem.Field("id", "must be an OSCAL token of at most %d characters: a letter or _ first, then letters, digits, '.', '-' or '_' (e.g. NIST-800-53)", maxIDLen)
	}
	if len(doc) > MaxUploadSize {
		return ImportResult{}, problem.Field(field, "is larger than %d MiB", MaxUploadSize>>20)
	}
	f, err := catalog.ImportOSCAL(bytes.NewReader(doc), id)
	if err != nil {
		return ImportResult{}, problem.Field(field, "is not a usable OSCAL catalog: %s", shorten(strings.TrimPrefix(err.Error(), "catalog: import OSCAL "+id+": ")))
	}
	if max := s.maxControls; max > 0 && len(f.Controls) > max {
		return ImportResult{}, problem.Field(field, "has %d controls; a framework may have at most %d", len(f.Controls), max)
	}
	if err := checkImportedText(f); err != nil {
		return ImportResult{}, problem.Field(field, "is not a usable OSCAL catalog: %s", err)
	}
	sum := sha256.Sum256(doc)
	res := ImportResult{Framework: Framework{ID: id, Title: clip(f.Title, 500), Version: clip(f.Version, 100), SHA256: hex.EncodeToString(sum[:]), Controls: len(f.Controls),
		UploadedBy: audit.ActorFrom(ctx).Label, UploadedAt: s.now().UTC().Truncate(time.Microsecond)}}
	// The controls go in first, under a key nothing reads yet, in short transactions;
	// the framework then takes them over in one short transaction.
	key, err := newControlsKey(id)
	if err != nil {
		return ImportResult{}, err
	}
	if err := s.stageControls(ctx, key, f.Controls); err != nil {
		return ImportResult{}, errors.Join(err, s.dropControls(context.WithoutCancel(ctx), key))
	}
	var oldKey string
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var before *Framework
		old, err := getFramework(t, id)
		switch {
		case err == nil:
			before, res.Replaced = &old, true
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if res.Replaced {
			oldKey = old.key
			if _, err := t.Exec(`UPDATE frameworks SET title = $3, version = $4, sha256 = $5, controls = $6, uploaded_by = $7, uploaded_at = $8, controls_key = $9 WHERE org_id = $1 AND id = $2`,
				id, res.Framework.Title, res.Framework.Version, res.Framework.SHA256, res.Framework.Controls, res.Framework.UploadedBy, res.Framework.UploadedAt, key); err != nil {
				return fmt.Errorf("update framework %s: %w", id, err)
			}
		} else if _, err := t.Exec(`INSERT INTO frameworks (org_id, id, title, version, sha256, controls, uploaded_by, uploaded_at, controls_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, res.Framework.Title, res.Framework.Version, res.Framework.SHA256, res.Framework.Controls, res.Framework.UploadedBy, res.Framework.UploadedAt, key); err != nil {
			return fmt.Errorf("store framework %s: %w", id, err)
		}
		if res.Replaced {
			ms, err := listMappings(t, id, "")
			if err != nil {
				return err
			}
			for _, m := range ms {
				if _, ok := f.Control(m.ControlID); ok {
					res.MappingsKept++
					continue
				}
				if _, err := t.Exec(`DELETE FROM framework_mappings WHERE org_id = $1 AND framework_id = $2 AND control_id = $3 AND obligation_id = $4`, id, m.ControlID, m.ObligationID); err != nil {
					return fmt.Errorf("drop mapping %s: %w", m.key(), err)
				}
				if err := audit.InTenant(t, "framework_mapping", m.key(), audit.Delete, m, nil, "control no longer in the re-uploaded framework"); err != nil {
					return err
				}
				res.Dropped = append(res.Dropped, m)
			}
			res.MappingsDropped = len(res.Dropped)
		}
		res.Framework.Mappings = res.MappingsKept
		action, detail := audit.Create, fmt.Sprintf("%s: %d controls", res.Framework.Title, res.Framework.Controls)
		if res.Replaced {
			action = audit.Update
			detail += fmt.Sprintf(", %d mappings kept, %d dropped", res.MappingsKept, res.MappingsDropped)
		}
		return audit.InTenant(t, "framework", id, action, before, res.Framework, detail)
	})
	if err != nil {
		return ImportResult{}, errors.Join(err, s.dropControls(context.WithoutCancel(ctx), key))
	}
	if oldKey != "" {
		// The replaced controls are no longer read; removing them is housekeeping.
		if err := s.dropControls(context.WithoutCancel(ctx), oldKey); err != nil {
			s.log().Warn("replaced framework controls left behind", "framework", id, "err", err)
		}
	}
	return res, nil
}

// shorten keeps a parser's error readable: at most ten lines and 2000 bytes.
func shorten(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 10 {
		lines = append(lines[:10], fmt.Sprintf("… and %d more", len(lines)-10))
	}
	return clip(strings.Join(lines, "; "), 2000)
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Delete removes a framework, its mappings and then, in short transactions, its controls.
func (s *Service) Delete(ctx context.Context, id string) error {
	var key string
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		f, err := getFramework(t, id)
		if err != nil {
			return err
		}
		key = f.key
		for _, q := range []string{
			`DELETE FROM framework_mappings WHERE org_id = $1 AND framework_id = $2`,
			`DELETE FROM frameworks WHERE org_id = $1 AND id = $2`,
		} {
			if _, err := t.Exec(q, id); err != nil {
				return fmt.Errorf("delete framework %s: %w", id, err)
			}
		}
		return audit.InTenant(t, "framework", id, audit.Delete, f, nil, fmt.Sprintf("%s: %d controls, %d mappings", f.Title, f.Controls, f.Mappings))
	})
	if err != nil {
		return err
	}
	if err := s.dropControls(context.WithoutCancel(ctx), key); err != nil {
		s.log().Warn("deleted framework's controls left behind", "framework", id, "err", err)
	}
	return nil
}

const frameworkColumns = `id, title, version, sha256, controls, uploaded_by, uploaded_at,
	(SELECT COUNT(*) FROM framework_mappings m WHERE m.org_id = frameworks.org_id AND m.framework_id = frameworks.id), controls_key`

func scanFramework(scan func(...any) error) (Framework, error) {
	var f Framework
	err := scan(&f.ID, &f.Title, &f.Version, &f.SHA256, &f.Controls, &f.UploadedBy, &f.UploadedAt, &f.Mappings, &f.key)
	f.UploadedAt = f.UploadedAt.UTC()
	return f, err
}

func getFramework(t *store.Tenant, id string) (Framework, error) {
	if !ValidID(id) {
		return Framework{}, store.ErrNotFound // no framework has such an id; PostgreSQL would refuse a NUL in it
	}
	f, err := scanFramework(t.QueryRow(`SELECT `+frameworkColumns+` FROM frameworks WHERE org_id = $1 AND id = $2`, id).Scan)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		err = fmt.Errorf("read framework %s: %w", id, err)
	}
	return f, err
}

// List returns the organisation's frameworks, by id.
func (s *Service) List(ctx context.Context) ([]Framework, error) {
	var out []Framework
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + frameworkColumns + ` FROM frameworks WHERE org_id = $1 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("list frameworks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanFramework(rows.Scan)
			if err != nil {
				return fmt.Errorf("list frameworks: %w", err)
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// Get returns a framework; another organisation's, or none, is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Framework, error) {
	var f Framework
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		f, err = getFramework(t, id)
		return err
	})
	return f, err
}

// Controls returns a framework's controls in document order.
func (s *Service) Controls(ctx context.Context, id string) ([]Control, error) {
	var out []Control
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		f, err := getFramework(t, id)
		if err != nil {
			return err
		}
		out, err = listControls(t, f.key)
		return err
	})
	return out, err
}

// listControls lists the controls stored under key (a framework's key).
func listControls(t *store.Tenant, key string) ([]Control, error) {
	rows, err := t.Query(`SELECT id, label, title, grp, parent, statement FROM framework_controls WHERE org_id = $1 AND framework_id = $2 ORDER BY seq`, key)
	if err != nil {
		return nil, fmt.Errorf("list controls of %s: %w", key, err)
	}
	defer rows.Close()
	var out []Control
	for rows.Next() {
		var c Control
		if err := rows.Scan(&c.ID, &c.Label, &c.Title, &c.Group, &c.Parent, &c.Statement); err != nil {
			return nil, fmt.Errorf("list controls of %s: %w", key, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ControlsPage returns one page of a framework's controls in document order and the
// cursor of the next page ("" on the last).
func (s *Service) ControlsPage(ctx context.Context, id string, p Page) ([]Control, string, error) {
	var (
		out  []Control
		next string
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		f, err := getFramework(t, id)
		if err != nil {
			return err
		}
		out, next, err = listControlsPage(t, f.key, p)
		return err
	})
	return out, next, err
}

// Mappings returns a framework's mappings, by control and obligation.
func (s *Service) Mappings(ctx context.Context, id string) ([]Mapping, error) {
	var out []Mapping
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getFramework(t, id); err != nil {
			return err
		}
		var err error
		out, err = listMappings(t, id, "")
		return err
	})
	return out, err
}

func listMappings(t *store.Tenant, framework, control string) ([]Mapping, error) {
	rows, err := t.Query(`SELECT framework_id, control_id, obligation_id, relation, note, created_by, created_at FROM framework_mappings
		WHERE org_id = $1 AND framework_id = $2 AND ($3 = '' OR control_id = $3) ORDER BY control_id, obligation_id`, framework, control)
	if err != nil {
		return nil, fmt.Errorf("list mappings of %s: %w", framework, err)
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		var m Mapping
		var rel string
		if err := rows.Scan(&m.Framework, &m.ControlID, &m.ObligationID, &rel, &m.Note, &m.CreatedBy, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("list mappings of %s: %w", framework, err)
		}
		m.Relation, m.CreatedAt = catalog.Relation(rel), m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// MappedControl is a control of one of the organisation's frameworks mapped to an
// obligation, as the obligation's page lists it.
type MappedControl struct {
	Framework      string           `json:"framework"`
	FrameworkTitle string           `json:"framework_title"`
	ControlID      string           `json:"control_id"`
	Label          string           `json:"label,omitempty"`
	Title          string           `json:"title"`
	Relation       catalog.Relation `json:"relation"`
	Note           string           `json:"note,omitempty"`
}

// MappedControls lists, across the organisation's frameworks, the controls mapped to an
// obligation, by framework and control.
func (s *Service) MappedControls(ctx context.Context, obligationID string) ([]MappedControl, error) {
	var out []MappedControl
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT m.framework_id, f.title, m.control_id, c.label, c.title, m.relation, m.note
			FROM framework_mappings m
			JOIN frameworks f ON f.org_id = m.org_id AND f.id = m.framework_id
			JOIN framework_controls c ON c.org_id = m.org_id AND c.framework_id = f.controls_key AND c.id = m.control_id
			WHERE m.org_id = $1 AND m.obligation_id = $2 ORDER BY m.framework_id, c.seq`, obligationID)
		if err != nil {
			return fmt.Errorf("controls mapped to %s: %w", obligationID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var mc MappedControl
			var rel string
			if err := rows.Scan(&mc.Framework, &mc.FrameworkTitle, &mc.ControlID, &mc.Label, &mc.Title, &rel, &mc.Note); err != nil {
				return fmt.Errorf("controls mapped to %s: %w", obligationID, err)
			}
			mc.Relation = catalog.Relation(rel)
			out = append(out, mc)
		}
		return rows.Err()
	})
	return out, err
}

// NewMapping is what a user submits to map a control to an obligation.
type NewMapping struct {
	ControlID    string           `json:"control_id"`
	ObligationID string           `json:"obligation_id"`
	Relation     catalog.Relation `json:"relation"`
	Note         string           `json:"note"`
}

// AddMapping maps a control of framework to an obligation, after checking that the
// framework, the control and the obligation exist and the relation is known; each failure
// is a field error naming framework, control_id, obligation_id, relation or note. Mapping
// the same control and obligation again replaces the relation and note.
func (s *Service) AddMapping(ctx context.Context, framework string, in NewMapping) (Mapping, error) {
	cat, err := s.catalog.Catalog(ctx)
	if err != nil {
		return Mapping{}, fmt.Errorf("read the catalog: %w", err)
	}
	in.ControlID, in.ObligationID = strings.TrimSpace(in.ControlID), strings.TrimSpace(in.ObligationID)
	in.Note = strings.TrimSpace(in.Note)
	v := &problem.Invalid{}
	controlOK := v.Text("control_id", in.ControlID, true, maxIDLen*4)
	if _, ok := cat.Obligation(in.ObligationID); !ok {
		if in.ObligationID == "" {
			v.Add("obligation_id", "is required")
		} else {
			v.Add("obligation_id", "no obligation %q in your organisation's catalog", clip(in.ObligationID, 100))
		}
	}
	if !validRelation(in.Relation) {
		v.Add("relation", "must be one of equivalent, subset, superset, related")
	}
	v.Text("note", in.Note, false, MaxNote)
	m := Mapping{Framework: framework, ControlID: in.ControlID, ObligationID: in.ObligationID, Relation: in.Relation, Note: in.Note,
		CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		fw, err := getFramework(t, framework)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				v.Add("framework", "no framework %q in your organisation", clip(framework, 100))
				return v
			}
			return err
		}
		if controlOK {
			var n int
			if err := t.QueryRow(`SELECT COUNT(*) FROM framework_controls WHERE org_id = $1 AND framework_id = $2 AND id = $3`, fw.key, in.ControlID).Scan(&n); err != nil {
				return fmt.Errorf("look up control: %w", err)
			}
			if n == 0 {
				v.Add("control_id", "framework %s has no control %q", framework, clip(in.ControlID, 100))
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		var before *Mapping
		old, err := listMappings(t, framework, in.ControlID)
		if err != nil {
			return err
		}
		for i := range old {
			if old[i].ObligationID == in.ObligationID {
				before = &old[i]
			}
		}
		action := audit.Create
		if before != nil {
			action = audit.Update
			if _, err := t.Exec(`UPDATE framework_mappings SET relation = $5, note = $6, created_by = $7, created_at = $8 WHERE org_id = $1 AND framework_id = $2 AND control_id = $3 AND obligation_id = $4`,
				framework, m.ControlID, m.ObligationID, string(m.Relation), m.Note, m.CreatedBy, m.CreatedAt); err != nil {
				return fmt.Errorf("update mapping %s: %w", m.key(), err)
			}
		} else if _, err := t.Exec(`INSERT INTO framework_mappings (org_id, framework_id, control_id, obligation_id, relation, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			framework, m.ControlID, m.ObligationID, string(m.Relation), m.Note, m.CreatedBy, m.CreatedAt); err != nil {
			return fmt.Errorf("store mapping %s: %w", m.key(), err)
		}
		return audit.InTenant(t, "framework_mapping", m.key(), action, before, m, string(m.Relation))
	})
	if err != nil {
		return Mapping{}, err
	}
	return m, nil
}

// RemoveMapping deletes a mapping; one that does not exist is store.ErrNotFound.
func (s *Service) RemoveMapping(ctx context.Context, framework, controlID, obligationID string) error {
	if controlID == "" || obligationID == "" {
		return store.ErrNotFound
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		ms, err := listMappings(t, framework, controlID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.ObligationID != obligationID {
				continue
			}
			if _, err := t.Exec(`DELETE FROM framework_mappings WHERE org_id = $1 AND framework_id = $2 AND control_id = $3 AND obligation_id = $4`, framework, controlID, obligationID); err != nil {
				return fmt.Errorf("remove mapping %s: %w", m.key(), err)
			}
			return audit.InTenant(t, "framework_mapping", m.key(), audit.Delete, m, nil, string(m.Relation))
		}
		return store.ErrNotFound
	})
}

// ObligationCoverage is one obligation that applies to the organisation, with the
// framework's controls mapped to it.
type ObligationCoverage struct {
	ObligationID string       `json:"obligation_id"`
	Title        catalog.Text `json:"title"`
	Status       rules.Status `json:"status"` // the most urgent status over its subjects
	Controls     []Mapping    `json:"controls"`
}

// ControlCoverage is one control of the framework with the obligations mapped to it.
type ControlCoverage struct {
	Control
	Obligations []Mapping `json:"obligations"`
}

// Coverage is how far a framework's controls cover the duties that apply to the
// organisation.
type Coverage struct {
	Framework Framework `json:"framework"`
	// Applicable counts the obligations with at least one finding other than
	// not_applicable; Covered those of them with at least one mapped control.
	Applicable int `json:"applicable"`
	Covered    int `json:"covered"`
	// Unmapped are the applicable obligations no control of the framework is mapped to.
	Unmapped    []ObligationCoverage `json:"unmapped"`
	Obligations []ObligationCoverage `json:"obligations"`
	// Controls is one page of the framework's controls (see Page), Next the cursor of the
	// next page, empty on the last.
	Controls []ControlCoverage `json:"controls"`
	Next     string            `json:"next,omitempty"`
}

// Coverage reports, for framework id, which obligations that apply to the organisation
// have mapped controls and which have none, and for one page of its controls the
// obligations each maps to.
func (s *Service) Coverage(ctx context.Context, id string, p Page) (Coverage, error) {
	var (
		cv       = Coverage{Unmapped: []ObligationCoverage{}, Obligations: []ObligationCoverage{}, Controls: []ControlCoverage{}}
		controls []Control
		maps     []Mapping
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if cv.Framework, err = getFramework(t, id); err != nil {
			return err
		}
		if controls, cv.Next, err = listControlsPage(t, cv.Framework.key, p); err != nil {
			return err
		}
		maps, err = listMappings(t, id, "")
		return err
	})
	if err != nil {
		return Coverage{}, err
	}
	cat, err := s.catalog.Catalog(ctx)
	if err != nil {
		return Coverage{}, fmt.Errorf("read the catalog: %w", err)
	}
	fs, err := s.findings.CurrentFindings(ctx)
	if err != nil {
		return Coverage{}, fmt.Errorf("read findings: %w", err)
	}
	status := map[string]rules.Status{}
	for _, f := range fs {
		if f.Status == rules.StatusNotApplicable {
			continue
		}
		if cur, ok := status[f.ObligationID]; !ok || f.Status.Urgency() < cur.Urgency() {
			status[f.ObligationID] = f.Status
		}
	}
	byOb, byControl := map[string][]Mapping{}, map[string][]Mapping{}
	for _, m := range maps {
		byOb[m.ObligationID] = append(byOb[m.ObligationID], m)
		byControl[m.ControlID] = append(byControl[m.ControlID], m)
	}
	ids := make([]string, 0, len(status))
	for ob := range status {
		ids = append(ids, ob)
	}
	sort.Strings(ids)
	for _, ob := range ids {
		oc := ObligationCoverage{ObligationID: ob, Status: status[ob], Controls: orEmpty(byOb[ob])}
		if o, ok := cat.Obligation(ob); ok {
			oc.Title = o.Title
		}
		cv.Applicable++
		cv.Obligations = append(cv.Obligations, oc)
		if len(oc.Controls) == 0 {
			cv.Unmapped = append(cv.Unmapped, oc)
		} else {
			cv.Covered++
		}
	}
	for _, c := range controls {
		cv.Controls = append(cv.Controls, ControlCoverage{Control: c, Obligations: orEmpty(byControl[c.ID])})
	}
	return cv, nil
}

// orEmpty makes a missing list an empty one, so JSON shows [] rather than null.
func orEmpty(ms []Mapping) []Mapping {
	if ms == nil {
		return []Mapping{}
	}
	return ms
}

// insertControls stores a framework's controls in statements of insertBatch rows: a
// 20,000-control framework is 100 statements, not 20,000, so the transaction (and, on
// SQLite, the single writer) is held for a fraction of a second.
func insertControls(t *store.Tenant, id string, seq0 int, cs []catalog.FrameworkControl) error {
	for start := 0; start < len(cs); start += insertBatch {
		batch := cs[start:min(start+insertBatch, len(cs))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO framework_controls (org_id, framework_id, id, seq, label, title, grp, parent, statement) VALUES `)
		args := make([]any, 0, 1+8*len(batch))
		args = append(args, id)
		for i, c := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			n := len(args) // $1 is org_id, $2 the framework id; this row's own start at $n+2
			fmt.Fprintf(&sb, "($1, $2, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, c.ID, seq0+start+i, clip(c.Label, 100), clip(c.Title, 500), clip(c.Group, 500), c.Parent, clip(c.Statement, 20000))
		}
		if _, err := t.Exec(sb.String(), args...); err != nil {
			return fmt.Errorf("store controls %d to %d of %s: %w", seq0+start+1, seq0+start+len(batch), id, err)
		}
	}
	return nil
}

// checkImportedText refuses a catalog whose text PostgreSQL cannot store (a NUL, which
// JSON may carry as \u0000), so that both engines refuse the same documents.
func checkImportedText(f *catalog.Framework) error {
	if strings.ContainsRune(f.Title, 0) || strings.ContainsRune(f.Version, 0) {
		return fmt.Errorf("the title or version holds a NUL character")
	}
	for _, c := range f.Controls {
		for _, s := range []string{c.ID, c.Label, c.Title, c.Group, c.Parent, c.Statement} {
			if strings.ContainsRune(s, 0) {
				return fmt.Errorf("control %q holds a NUL character", c.ID)
			}
		}
	}
	return nil
}
