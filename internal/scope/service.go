package scope

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Migrations create the profile and inventory tables. Dates are TEXT "YYYY-MM-DD" ("" when
// unset): they are calendar days in notices and filings, not instants.
var Migrations = []store.Migration{{
	Module: "scope", Version: 1, Name: "organisation profiles and system inventory",
	SQL: `CREATE TABLE scope_profiles (
	org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
	uscc TEXT NOT NULL DEFAULT '',
	sectors TEXT NOT NULL DEFAULT '[]',
	region TEXT NOT NULL DEFAULT '',
	regulators TEXT NOT NULL DEFAULT '[]',
	central_state_organ BOOLEAN NOT NULL DEFAULT FALSE,
	telecom_operator BOOLEAN NOT NULL DEFAULT FALSE,
	app_store BOOLEAN NOT NULL DEFAULT FALSE,
	security_org_established BOOLEAN NOT NULL DEFAULT FALSE,
	security_manager_appointed BOOLEAN NOT NULL DEFAULT FALSE,
	security_manager_vetted BOOLEAN NOT NULL DEFAULT FALSE,
	pi_subjects BIGINT NOT NULL DEFAULT 0,
	sensitive_pi_subjects BIGINT NOT NULL DEFAULT 0,
	export_pi_subjects BIGINT NOT NULL DEFAULT 0,
	export_sensitive_pi_subjects BIGINT NOT NULL DEFAULT 0,
	exports_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	has_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	has_core_data BOOLEAN NOT NULL DEFAULT FALSE,
	data_security_officer_named BOOLEAN NOT NULL DEFAULT FALSE,
	plans_listing_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	last_risk_assessment TEXT NOT NULL DEFAULT '',
	last_pi_self_inspection TEXT NOT NULL DEFAULT '',
	updated_at {{ts}} NOT NULL
);
CREATE TABLE scope_systems (
	id {{id}},
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	responsible_person TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	data_held TEXT NOT NULL DEFAULT '',
	mlps_level INTEGER NOT NULL DEFAULT 0,
	graded_on TEXT NOT NULL DEFAULT '',
	go_live TEXT NOT NULL DEFAULT '',
	filing_number TEXT NOT NULL DEFAULT '',
	filed_on TEXT NOT NULL DEFAULT '',
	last_mlps_test TEXT NOT NULL DEFAULT '',
	last_self_inspection TEXT NOT NULL DEFAULT '',
	cii_status TEXT NOT NULL DEFAULT 'none',
	identified_on TEXT NOT NULL DEFAULT '',
	identification_doc TEXT NOT NULL DEFAULT '',
	deidentified_on TEXT NOT NULL DEFAULT '',
	deidentification_doc TEXT NOT NULL DEFAULT '',
	major_change_on TEXT NOT NULL DEFAULT '',
	holds_personal_info BOOLEAN NOT NULL DEFAULT FALSE,
	holds_important_data BOOLEAN NOT NULL DEFAULT FALSE,
	data_stored_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	maintenance_abroad BOOLEAN NOT NULL DEFAULT FALSE,
	maintenance_abroad_reported BOOLEAN NOT NULL DEFAULT FALSE,
	has_dr_backup BOOLEAN NOT NULL DEFAULT FALSE,
	last_backup_test TEXT NOT NULL DEFAULT '',
	has_emergency_plan BOOLEAN NOT NULL DEFAULT FALSE,
	last_drill TEXT NOT NULL DEFAULT '',
	assessment TEXT NOT NULL DEFAULT '',
	assessment_sha256 TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX scope_systems_name ON scope_systems (org_id, name);
CREATE INDEX scope_systems_level ON scope_systems (org_id, mlps_level)`,
}, {
	// Lists sort system names the way a Chinese reader looks for them, by pinyin: the
	// collation key is computed in Go (collate), stored, and compared bytewise by either
	// engine. Rows from before this step get their key at start-up (BackfillSortKeys).
	Module: "scope", Version: 2, Name: "pinyin sort key for system names",
	SQL: `ALTER TABLE scope_systems ADD COLUMN sort_key {{blob}};
CREATE INDEX scope_systems_sort ON scope_systems (org_id, sort_key)`,
}}

// collator orders names by pinyin (CLDR's default Chinese collation), Latin letters
// among them case-insensitively; a Collator is not safe for concurrent use.
var collator = struct {
	sync.Mutex
	c   *collate.Collator
	buf collate.Buffer
}{c: collate.New(language.Chinese, collate.IgnoreCase)}

// sortKey is the stored collation key of a name.
func sortKey(name string) []byte {
	collator.Lock()
	defer collator.Unlock()
	k := collator.c.KeyFromString(&collator.buf, name)
	out := append([]byte(nil), k...)
	collator.buf.Reset()
	return out
}

func setSortKey(t *store.Tenant, id int64, name string) error {
	if _, err := t.Exec(`UPDATE scope_systems SET sort_key = $3 WHERE org_id = $1 AND id = $2`, id, sortKey(name)); err != nil {
		return fmt.Errorf("set sort key of system %d: %w", id, err)
	}
	return nil
}

// BackfillSortKeys gives every system stored before sort keys existed its key. It runs
// at start-up, across organisations, and does nothing once every row has one.
func (s *Service) BackfillSortKeys(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, name FROM scope_systems WHERE sort_key IS NULL`)
		if err != nil {
			return fmt.Errorf("read systems without a sort key: %w", err)
		}
		type row struct {
			id   int64
			name string
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return fmt.Errorf("read systems without a sort key: %w", err)
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read systems without a sort key: %w", err)
		}
		for _, r := range todo {
			if _, err := tx.Exec(`UPDATE scope_systems SET sort_key = $1 WHERE id = $2`, sortKey(r.name), r.id); err != nil {
				return fmt.Errorf("set sort key of system %d: %w", r.id, err)
			}
		}
		return nil
	})
}

// Service keeps the profiles and inventories of organisations. Every method works on the
// organisation of its context (store.WithOrg) and nothing else.
type Service struct {
	// Changes tells other capabilities, after commit, that an organisation's scope
	// records changed: the system's id, or 0 for the profile and for bulk changes (an
	// import). The obligations capability re-evaluates its rules there. The module
	// replaces it with the installation's change bus when it is provisioned.
	*kernel.Changes

	db  *store.DB
	now func() time.Time
}

// NewService returns the scope service over db.
func NewService(db *store.DB) *Service {
	return &Service{Changes: &kernel.Changes{}, db: db, now: time.Now}
}

// SetClock replaces the service's clock (tests and demo data use a fixed "today").
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() Date { return DateOf(s.now()) }

// --- profile ---------------------------------------------------------------------------

const profileColumns = `uscc, sectors, region, regulators, central_state_organ, telecom_operator, app_store,
	security_org_established, security_manager_appointed, security_manager_vetted, pi_subjects, sensitive_pi_subjects,
	export_pi_subjects, export_sensitive_pi_subjects, exports_important_data, has_important_data, has_core_data,
	data_security_officer_named, plans_listing_abroad, last_risk_assessment, last_pi_self_inspection`

func (p *ProfileInput) values() ([]any, error) {
	sectors, err := json.Marshal(p.Sectors)
	if err != nil {
		return nil, err
	}
	regs, err := json.Marshal(p.Regulators)
	if err != nil {
		return nil, err
	}
	return []any{p.USCC, string(sectors), p.Region, string(regs), p.CentralStateOrgan, p.TelecomOperator, p.AppStore,
		p.SecurityOrgEstablished, p.SecurityManagerAppointed, p.SecurityManagerVetted, p.PISubjects, p.SensitivePISubjects,
		p.ExportPISubjects, p.ExportSensitivePISubjects, p.ExportsImportantData, p.HasImportantData, p.HasCoreData,
		p.DataSecurityOfficerNamed, p.PlansListingAbroad, string(p.LastRiskAssessment), string(p.LastPISelfInspection)}, nil
}

func getProfile(t *store.Tenant) (Profile, error) {
	p := Profile{OrgID: t.OrgID()}
	var orgUSCC string
	if err := t.Tx().QueryRow(`SELECT name_zh, name_en, uscc FROM orgs WHERE id = $1`, t.OrgID()).Scan(&p.NameZH, &p.NameEN, &orgUSCC); err != nil {
		return p, fmt.Errorf("read organisation: %w", store.Found(err))
	}
	var sectors, regs string
	err := t.QueryRow(`SELECT `+profileColumns+`, updated_at FROM scope_profiles WHERE org_id = $1`).Scan(
		&p.USCC, &sectors, &p.Region, &regs, &p.CentralStateOrgan, &p.TelecomOperator, &p.AppStore,
		&p.SecurityOrgEstablished, &p.SecurityManagerAppointed, &p.SecurityManagerVetted, &p.PISubjects, &p.SensitivePISubjects,
		&p.ExportPISubjects, &p.ExportSensitivePISubjects, &p.ExportsImportantData, &p.HasImportantData, &p.HasCoreData,
		&p.DataSecurityOfficerNamed, &p.PlansListingAbroad, &p.LastRiskAssessment, &p.LastPISelfInspection, &p.UpdatedAt)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// No profile yet: start from what the organisation record knows.
		p.USCC, p.Sectors, p.Regulators = orgUSCC, []string{}, []string{}
		return p, nil
	case err != nil:
		return p, fmt.Errorf("read profile: %w", err)
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(sectors), &p.Sectors); err != nil {
		return p, fmt.Errorf("read profile sectors: %w", err)
	}
	if err := json.Unmarshal([]byte(regs), &p.Regulators); err != nil {
		return p, fmt.Errorf("read profile regulators: %w", err)
	}
	return p, nil
}

// Profile returns the organisation's profile; an organisation that has not filled it in
// gets an empty one carrying its names and credit code.
func (s *Service) Profile(ctx context.Context) (Profile, error) {
	var p Profile
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = getProfile(t)
		return err
	})
	return p, err
}

// SaveProfile validates and stores the profile. The credit code is also written to the
// organisation record, so that every part of the product shows the same code.
func (s *Service) SaveProfile(ctx context.Context, in ProfileInput) (Profile, error) {
	in.Normalize()
	if err := in.Validate(s.today()); err != nil {
		return Profile{}, err
	}
	var after Profile
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getProfile(t)
		if err != nil {
			return err
		}
		vals, err := in.values()
		if err != nil {
			return fmt.Errorf("encode profile: %w", err)
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		cols := strings.Split(strings.Join(strings.Fields(profileColumns), ""), ",")
		ph := make([]string, len(cols))
		set := make([]string, len(cols))
		for i, c := range cols {
			ph[i] = "$" + strconv.Itoa(i+2)
			set[i] = c + " = EXCLUDED." + c
		}
		q := `INSERT INTO scope_profiles (org_id, ` + strings.Join(cols, ", ") + `, updated_at) VALUES ($1, ` + strings.Join(ph, ", ") +
			`, $` + strconv.Itoa(len(cols)+2) + `) ON CONFLICT (org_id) DO UPDATE SET ` + strings.Join(set, ", ") + `, updated_at = EXCLUDED.updated_at`
		if _, err := t.Exec(q, append(vals, now)...); err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
		if err := syncOrgUSCC(tx, t.OrgID(), in.USCC); err != nil {
			return err
		}
		after, err = getProfile(t)
		if err != nil {
			return err
		}
		action := audit.Update
		var prev any = before
		if before.UpdatedAt.IsZero() {
			action, prev = audit.Create, nil
		}
		if err := audit.Record(tx, t.OrgID(), "scope_profile", strconv.FormatInt(t.OrgID(), 10), action, prev, after, ""); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), 0)
		return nil
	})
	return after, err
}

// syncOrgUSCC writes the profile's credit code to the organisation record (the kernel has
// no call for that yet) and audits the change as the kernel audits organisations.
func syncOrgUSCC(tx *store.Tx, orgID int64, uscc string) error {
	if uscc == "" {
		return nil
	}
	var before auth.Org
	var kind string
	if err := tx.QueryRow(`SELECT id, kind, name_zh, name_en, uscc, created_at FROM orgs WHERE id = $1`, orgID).
		Scan(&before.ID, &kind, &before.NameZH, &before.NameEN, &before.USCC, &before.CreatedAt); err != nil {
		return fmt.Errorf("read organisation: %w", store.Found(err))
	}
	before.Kind, before.CreatedAt = auth.OrgKind(kind), before.CreatedAt.UTC()
	if before.USCC == uscc {
		return nil
	}
	if _, err := tx.Exec(`UPDATE orgs SET uscc = $1 WHERE id = $2`, uscc, orgID); err != nil {
		return fmt.Errorf("save credit code on the organisation: %w", err)
	}
	after := before
	after.USCC = uscc
	return audit.Record(tx, orgID, "org", strconv.FormatInt(orgID, 10), audit.Update, before, after, "unified social credit code from the scope profile")
}

// --- systems ---------------------------------------------------------------------------

// systemColumns are the editable columns, in the order of SystemInput.ptrs.
const systemColumns = `name, name_en, owner, responsible_person, sector, purpose, location, data_held, mlps_level, graded_on, go_live,
	filing_number, filed_on, last_mlps_test, last_self_inspection, cii_status, identified_on, identification_doc, deidentified_on,
	deidentification_doc, major_change_on, holds_personal_info, holds_important_data, data_stored_abroad, maintenance_abroad,
	maintenance_abroad_reported, has_dr_backup, last_backup_test, has_emergency_plan, last_drill`

func (s *SystemInput) ptrs() []any {
	return []any{&s.Name, &s.NameEN, &s.Owner, &s.ResponsiblePerson, &s.Sector, &s.Purpose, &s.Location, &s.DataHeld, &s.MLPSLevel,
		&s.GradedOn, &s.GoLive, &s.FilingNumber, &s.FiledOn, &s.LastMLPSTest, &s.LastSelfInspection, &s.CIIStatus, &s.IdentifiedOn,
		&s.IdentificationDoc, &s.DeidentifiedOn, &s.DeidentificationDoc, &s.MajorChangeOn, &s.HoldsPersonalInfo, &s.HoldsImportantData,
		&s.DataStoredAbroad, &s.MaintenanceAbroad, &s.MaintenanceAbroadReported, &s.HasDRBackup, &s.LastBackupTest, &s.HasEmergencyPlan,
		&s.LastDrill}
}

// values returns the editable fields as plain driver values (both drivers accept these).
func (s *SystemInput) values() []any {
	ps := s.ptrs()
	out := make([]any, len(ps))
	for i, p := range ps {
		switch v := p.(type) {
		case *string:
			out[i] = *v
		case *Date:
			out[i] = string(*v)
		case *int64:
			out[i] = *v
		case *bool:
			out[i] = *v
		}
	}
	return out
}

func columnList() []string {
	return strings.Split(strings.Join(strings.Fields(systemColumns), ""), ",")
}

const selectSystem = `SELECT id, ` + systemColumns + `, assessment, assessment_sha256, created_at, updated_at FROM scope_systems`

func scanSystem(scan func(...any) error) (System, error) {
	var s System
	var assessment string
	dest := append([]any{&s.ID}, s.SystemInput.ptrs()...)
	dest = append(dest, &assessment, &s.AssessmentSHA256, &s.CreatedAt, &s.UpdatedAt)
	if err := scan(dest...); err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	if assessment != "" {
		s.Assessment = &Assessment{}
		if err := json.Unmarshal([]byte(assessment), s.Assessment); err != nil {
			return s, fmt.Errorf("read assessment of system %d: %w", s.ID, err)
		}
	}
	return s, nil
}

func getSystem(t *store.Tenant, id int64) (System, error) {
	s, err := scanSystem(t.QueryRow(selectSystem+` WHERE org_id = $1 AND id = $2`, id).Scan)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("read system %d: %w", id, err)
	}
	return s, err
}

func systemByName(t *store.Tenant, name string) (System, error) {
	return scanSystem(t.QueryRow(selectSystem+` WHERE org_id = $1 AND name = $2`, name).Scan)
}

// System returns one system of the organisation; another organisation's system is
// store.ErrNotFound, exactly like one that does not exist.
func (s *Service) System(ctx context.Context, id int64) (System, error) {
	var sys System
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		sys, err = getSystem(t, id)
		return err
	})
	return sys, err
}

// Filter selects systems for a list. Zero values select everything.
type Filter struct {
	Q       string // in name, English name, owner or responsible person
	MLPS    int64  // level 0–5; -1 (or AnyLevel) for any
	CII     string // a CII status, or ""
	Sector  string // a sector code, or ""
	Page    int    // 1-based
	PerPage int    // default 50, at most 500
}

// AnyLevel in Filter.MLPS selects every level.
const AnyLevel = -1

// SystemPage is one page of a list.
type SystemPage struct {
	Systems []System `json:"systems"`
	Total   int      `json:"total"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
	Pages   int      `json:"pages"`
}

// Validate checks and defaults a filter.
func (f *Filter) Validate() error {
	v := &problem.Invalid{}
	f.Q = strings.TrimSpace(f.Q)
	if f.MLPS < AnyLevel || f.MLPS > 5 {
		v.Add("mlps_level", "must be a level from 0 to 5")
	}
	if f.CII != "" && !contains(CIIStatuses, f.CII) {
		v.Add("cii_status", "must be one of %s", strings.Join(CIIStatuses, ", "))
	}
	if f.Sector != "" && !contains(Sectors, f.Sector) {
		v.Add("sector", "%q is not a sector code", f.Sector)
	}
	if len(f.Q) > 200 {
		v.Add("q", "must be at most 200 bytes")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.PerPage > 500 {
		f.PerPage = 500
	}
	return v.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// likeEscaper makes a search term literal inside LIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Systems returns one page of the organisation's systems matching f, highest level first.
func (s *Service) Systems(ctx context.Context, f Filter) (SystemPage, error) {
	if err := f.Validate(); err != nil {
		return SystemPage{}, err
	}
	where := `WHERE org_id = $1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)+1)
	}
	if f.MLPS != AnyLevel {
		where += ` AND mlps_level = ` + arg(f.MLPS)
	}
	if f.CII != "" {
		where += ` AND cii_status = ` + arg(f.CII)
	}
	if f.Sector != "" {
		where += ` AND sector = ` + arg(f.Sector)
	}
	if f.Q != "" {
		p := arg("%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%")
		where += ` AND (LOWER(name) LIKE ` + p + ` ESCAPE '\' OR LOWER(name_en) LIKE ` + p + ` ESCAPE '\' OR LOWER(owner) LIKE ` + p +
			` ESCAPE '\' OR LOWER(responsible_person) LIKE ` + p + ` ESCAPE '\')`
	}
	out := SystemPage{Page: f.Page, PerPage: f.PerPage, Systems: []System{}}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if err := t.QueryRow(`SELECT COUNT(*) FROM scope_systems `+where, args...).Scan(&out.Total); err != nil {
			return fmt.Errorf("count systems: %w", err)
		}
		lim, off := arg(f.PerPage), arg((f.Page-1)*f.PerPage)
		rows, err := t.Query(selectSystem+` `+where+` ORDER BY mlps_level DESC, sort_key, id LIMIT `+lim+` OFFSET `+off, args...)
		if err != nil {
			return fmt.Errorf("list systems: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			sys, err := scanSystem(rows.Scan)
			if err != nil {
				return err
			}
			out.Systems = append(out.Systems, sys)
		}
		return rows.Err()
	})
	out.Pages = (out.Total + out.PerPage - 1) / out.PerPage
	return out, err
}

// AllSystems returns every system of the organisation, by name in pinyin order.
func (s *Service) AllSystems(ctx context.Context) ([]System, error) {
	var out []System
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = allSystems(t)
		return err
	})
	return out, err
}

func allSystems(t *store.Tenant) ([]System, error) {
	rows, err := t.Query(selectSystem + ` WHERE org_id = $1 ORDER BY sort_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	defer rows.Close()
	out := []System{}
	for rows.Next() {
		sys, err := scanSystem(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, sys)
	}
	return out, rows.Err()
}

var errNameTaken = &problem.Conflict{Field: "name", Reason: "another system of your organisation already has this name"}

// nameClash reports whether a write failed on the (org_id, name) unique index: the
// pre-check inside the transaction catches the usual case, this one a concurrent writer
// that got there first (SQLite and PostgreSQL word it differently).
func nameClash(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "scope_systems_name") || strings.Contains(msg, "UNIQUE constraint failed: scope_systems.org_id, scope_systems.name")
}

func (s *Service) insertSystem(tx *store.Tx, t *store.Tenant, in SystemInput, notify bool) (System, error) {
	if _, err := systemByName(t, in.Name); err == nil {
		return System{}, errNameTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return System{}, fmt.Errorf("check system name: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	cols := columnList()
	ph := make([]string, len(cols)+2)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+2)
	}
	var id int64
	args := append(in.values(), now, now)
	if err := t.QueryRow(`INSERT INTO scope_systems (org_id, `+strings.Join(cols, ", ")+`, created_at, updated_at) VALUES ($1, `+
		strings.Join(ph, ", ")+`) RETURNING id`, args...).Scan(&id); err != nil {
		if nameClash(err) {
			return System{}, errNameTaken
		}
		return System{}, fmt.Errorf("insert system: %w", err)
	}
	if err := setSortKey(t, id, in.Name); err != nil {
		return System{}, err
	}
	sys, err := getSystem(t, id)
	if err != nil {
		return sys, err
	}
	if err := audit.Record(tx, t.OrgID(), "scope_system", strconv.FormatInt(id, 10), audit.Create, nil, sys, sys.describe()); err != nil {
		return sys, err
	}
	if notify {
		s.Changed(tx, t.OrgID(), id)
	}
	return sys, nil
}

// CreateSystem validates and adds a system.
func (s *Service) CreateSystem(ctx context.Context, in SystemInput) (System, error) {
	in.Normalize()
	if err := in.Validate(s.today()); err != nil {
		return System{}, err
	}
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		var err error
		out, err = s.insertSystem(tx, t, in, true)
		return err
	})
	return out, err
}

// writeSystem stores the editable fields of before.ID from in and audits the change with
// the action's detail; notify tells the change hooks (a bulk import tells them once).
func (s *Service) writeSystem(tx *store.Tx, t *store.Tenant, before System, in SystemInput, detail string, notify bool) (System, error) {
	if in.Name != before.Name {
		if other, err := systemByName(t, in.Name); err == nil && other.ID != before.ID {
			return System{}, errNameTaken
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return System{}, fmt.Errorf("check system name: %w", err)
		}
	}
	cols := columnList()
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = $" + strconv.Itoa(i+3)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	args := append([]any{before.ID}, in.values()...)
	args = append(args, now)
	if _, err := t.Exec(`UPDATE scope_systems SET `+strings.Join(set, ", ")+`, updated_at = $`+strconv.Itoa(len(cols)+3)+
		` WHERE org_id = $1 AND id = $2`, args...); err != nil {
		if nameClash(err) {
			return System{}, errNameTaken
		}
		return System{}, fmt.Errorf("update system %d: %w", before.ID, err)
	}
	if in.Name != before.Name {
		if err := setSortKey(t, before.ID, in.Name); err != nil {
			return System{}, err
		}
	}
	after, err := getSystem(t, before.ID)
	if err != nil {
		return after, err
	}
	if detail == "" {
		detail = after.describe()
	}
	if err := audit.Record(tx, t.OrgID(), "scope_system", strconv.FormatInt(before.ID, 10), audit.Update, before, after, detail); err != nil {
		return after, err
	}
	if notify {
		s.Changed(tx, t.OrgID(), before.ID)
	}
	return after, nil
}

// UpdateSystem changes a system in one transaction: edit receives the stored fields and
// changes them (a full replacement for PUT, a merge for PATCH); the result is validated
// as a whole before it is written.
func (s *Service) UpdateSystem(ctx context.Context, id int64, edit func(*SystemInput) error) (System, error) {
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		in := before.SystemInput
		if err := edit(&in); err != nil {
			return err
		}
		in.Normalize()
		if err := in.Validate(s.today()); err != nil {
			return err
		}
		out, err = s.writeSystem(tx, t, before, in, "", true)
		return err
	})
	return out, err
}

// DeleteSystem removes a system; the audit trail keeps the digest of what it was.
func (s *Service) DeleteSystem(ctx context.Context, id int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM scope_systems WHERE org_id = $1 AND id = $2`, id); err != nil {
			return fmt.Errorf("delete system %d: %w", id, err)
		}
		if err := audit.Record(tx, t.OrgID(), "scope_system", strconv.FormatInt(id, 10), audit.Delete, before, nil, before.describe()); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), id)
		return nil
	})
}

// --- CII workflow ----------------------------------------------------------------------

// Assess records a CII self-assessment of a system: the answers, the result and the
// SHA-256 of both as evidence. A system not yet identified by the department becomes a
// candidate when the test is met and returns to none when it is not; an identified or
// de-identified system keeps the department's status (only a notice changes it).
func (s *Service) Assess(ctx context.Context, id int64, a Answers) (System, error) {
	a.Notes = strings.TrimSpace(a.Notes)
	if err := a.Validate(); err != nil {
		return System{}, err
	}
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		res := Evaluate(a, audit.ActorFrom(ctx).Label, s.now())
		b, sum, err := evidence(res)
		if err != nil {
			return fmt.Errorf("encode assessment: %w", err)
		}
		status := before.CIIStatus
		if status == CIINone || status == CIICandidate {
			status = CIINone
			if res.Candidate {
				status = CIICandidate
			}
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		if _, err := t.Exec(`UPDATE scope_systems SET assessment = $3, assessment_sha256 = $4, cii_status = $5, updated_at = $6 WHERE org_id = $1 AND id = $2`,
			id, string(b), sum, status, now); err != nil {
			return fmt.Errorf("save assessment of system %d: %w", id, err)
		}
		out, err = getSystem(t, id)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("CII self-assessment sha256=%s candidate=%v", sum, res.Candidate)
		if err := audit.Record(tx, t.OrgID(), "scope_system", strconv.FormatInt(id, 10), audit.Update, before, out, detail); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), id)
		return nil
	})
	return out, err
}

// Notice is a document of the protection-work department: its date and number.
type Notice struct {
	On  Date   `json:"on"`
	Doc string `json:"doc"`
}

func (n *Notice) validate(today Date, needDoc bool) error {
	n.On, n.Doc = Date(strings.TrimSpace(string(n.On))), strings.TrimSpace(n.Doc)
	v := &problem.Invalid{}
	if n.On == "" {
		v.Add("on", "is required: the date of the notice")
	}
	checkDate(v, "on", n.On, today, true)
	if needDoc && n.Doc == "" {
		v.Add("doc", "is required: the document number of the notice")
	}
	checkText(v, "doc", n.Doc, maxShort)
	return v.Err()
}

// transition applies a workflow step to a system in one transaction.
func (s *Service) transition(ctx context.Context, id int64, detail string, step func(*SystemInput) error) (System, error) {
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		in := before.SystemInput
		if err := step(&in); err != nil {
			return err
		}
		if err := in.Validate(s.today()); err != nil {
			return err
		}
		out, err = s.writeSystem(tx, t, before, in, detail, true)
		return err
	})
	return out, err
}

// Identify records the department's identification notice: the system becomes
// identified CII.
func (s *Service) Identify(ctx context.Context, id int64, n Notice) (System, error) {
	if err := n.validate(s.today(), true); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "identification notice "+n.Doc+" of "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus == CIIIdentified {
			return problem.Conflictf("cii_status", "the system is already identified (notice %s)", in.IdentificationDoc)
		}
		if in.DeidentifiedOn != "" && n.On < in.DeidentifiedOn {
			return problem.Field("on", "must not be before the de-identification notice of %s", in.DeidentifiedOn)
		}
		in.CIIStatus, in.IdentifiedOn, in.IdentificationDoc = CIIIdentified, n.On, n.Doc
		in.MajorChangeOn = ""
		return nil
	})
}

// ReportMajorChange records that a major change of an identified system was reported to
// the department, which starts the three-month re-identification clock.
func (s *Service) ReportMajorChange(ctx context.Context, id int64, on Date) (System, error) {
	n := Notice{On: on}
	if err := n.validate(s.today(), false); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "major change reported on "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus != CIIIdentified {
			return problem.Conflictf("cii_status", "a major change is reported for identified CII only; this system is %s", in.CIIStatus)
		}
		if n.On < in.IdentifiedOn {
			return problem.Field("on", "must not be before the identification notice of %s", in.IdentifiedOn)
		}
		in.MajorChangeOn = n.On
		return nil
	})
}

// Deidentify records the department's notice that the system is no longer CII.
func (s *Service) Deidentify(ctx context.Context, id int64, n Notice) (System, error) {
	if err := n.validate(s.today(), true); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "de-identification notice "+n.Doc+" of "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus != CIIIdentified {
			return problem.Conflictf("cii_status", "only an identified system can be de-identified; this system is %s", in.CIIStatus)
		}
		if n.On < in.IdentifiedOn {
			return problem.Field("on", "must not be before the identification notice of %s", in.IdentifiedOn)
		}
		in.CIIStatus, in.DeidentifiedOn, in.DeidentificationDoc = CIIDeidentified, n.On, n.Doc
		return nil
	})
}

// --- facts -----------------------------------------------------------------------------

// Facts returns the rules engine's facts for the context's organisation: the profile as
// rules.Org (is_cii_operator when any system is identified, is_cii_candidate when any is a
// candidate, kind from the organisation) and every system as rules.System. Facts owned by
// other capabilities (log retention, log sources) are left at zero for them to fill.
func (s *Service) Facts(ctx context.Context) (rules.Org, []rules.System, error) {
	var (
		org     rules.Org
		systems []rules.System
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		var err error
		if err := tx.QueryRow(`SELECT kind FROM orgs WHERE id = $1`, t.OrgID()).Scan(&org.Kind); err != nil {
			return fmt.Errorf("read organisation kind: %w", store.Found(err))
		}
		p, err := getProfile(t)
		if err != nil {
			return err
		}
		org.Sectors = append([]string{}, p.Sectors...)
		org.Region = p.Region
		org.IsCentralStateOrgan, org.IsTelecomOperator, org.IsAppStore = p.CentralStateOrgan, p.TelecomOperator, p.AppStore
		org.SecurityOrgEstablished, org.SecurityManagerAppointed, org.SecurityManagerVetted = p.SecurityOrgEstablished, p.SecurityManagerAppointed, p.SecurityManagerVetted
		org.PISubjects, org.SensitivePISubjects = p.PISubjects, p.SensitivePISubjects
		org.ExportPISubjects, org.ExportSensitivePISubjects = p.ExportPISubjects, p.ExportSensitivePISubjects
		org.ExportsImportantData, org.HasImportantData, org.HasCoreData = p.ExportsImportantData, p.HasImportantData, p.HasCoreData
		org.DataSecurityOfficerNamed, org.PlansListingAbroad = p.DataSecurityOfficerNamed, p.PlansListingAbroad
		org.LastRiskAssessment, org.LastPISelfInspection = p.LastRiskAssessment.Time(), p.LastPISelfInspection.Time()
		all, err := allSystems(t)
		if err != nil {
			return err
		}
		systems = make([]rules.System, 0, len(all))
		for _, sys := range all {
			switch sys.CIIStatus {
			case CIIIdentified:
				org.IsCIIOperator = true
				// The first annual assessment is due a year after the first identification.
				if on := sys.IdentifiedOn.Time(); !on.IsZero() && (org.CIIIdentifiedOn.IsZero() || on.Before(org.CIIIdentifiedOn)) {
					org.CIIIdentifiedOn = on
				}
			case CIICandidate:
				org.IsCIICandidate = true
			}
			systems = append(systems, sys.Fact())
		}
		return nil
	})
	return org, systems, err
}

// Fact returns the system as the rules engine sees it.
func (s System) Fact() rules.System {
	return rules.System{
		ID: s.ID, Name: s.Name, Owner: s.Owner, ResponsiblePerson: s.ResponsiblePerson, Sector: s.Sector,
		MLPSLevel: s.MLPSLevel, GradedOn: s.GradedOn.Time(), GoLive: s.GoLive.Time(), FilingNumber: s.FilingNumber,
		FiledOn: s.FiledOn.Time(), LastMLPSTest: s.LastMLPSTest.Time(), LastSelfInspection: s.LastSelfInspection.Time(),
		CIIStatus: s.CIIStatus, IdentifiedOn: s.IdentifiedOn.Time(), MajorChangeOn: s.MajorChangeOn.Time(),
		HoldsPersonalInfo: s.HoldsPersonalInfo, HoldsImportantData: s.HoldsImportantData, DataStoredAbroad: s.DataStoredAbroad,
		MaintenanceAbroad: s.MaintenanceAbroad, MaintenanceAbroadReported: s.MaintenanceAbroadReported,
		HasDRBackup: s.HasDRBackup, LastBackupTest: s.LastBackupTest.Time(), HasEmergencyPlan: s.HasEmergencyPlan, LastDrill: s.LastDrill.Time(),
	}
}

// Summary is the inventory at a glance, for the dashboard.
type Summary struct {
	Total             int          `json:"total"`
	ByLevel           [6]int       `json:"by_level"` // index = MLPS level, 0 = not graded
	Identified        int          `json:"identified"`
	Candidates        int          `json:"candidates"`
	NoResponsible     int          `json:"no_responsible"`
	ReidentifyPending []System     `json:"reidentify_pending"` // major change reported, clock running
	Unfiled           int          `json:"unfiled"`            // level 2+ without a filing
	Levels            []LevelCount `json:"-"`
}

// LevelCount is one row of the by-level table.
type LevelCount struct {
	Level int
	Count int
}

// Summarize counts the organisation's inventory.
func (s *Service) Summarize(ctx context.Context) (Summary, error) {
	all, err := s.AllSystems(ctx)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	for _, sys := range all {
		sum.Total++
		if sys.MLPSLevel >= 0 && sys.MLPSLevel <= 5 {
			sum.ByLevel[sys.MLPSLevel]++
		}
		switch sys.CIIStatus {
		case CIIIdentified:
			sum.Identified++
			if sys.MajorChangeOn != "" {
				sum.ReidentifyPending = append(sum.ReidentifyPending, sys)
			}
		case CIICandidate:
			sum.Candidates++
		}
		if sys.ResponsiblePerson == "" {
			sum.NoResponsible++
		}
		if sys.MLPSLevel >= 2 && sys.FilingNumber == "" {
			sum.Unfiled++
		}
	}
	for l := 5; l >= 0; l-- {
		if sum.ByLevel[l] > 0 {
			sum.Levels = append(sum.Levels, LevelCount{Level: l, Count: sum.ByLevel[l]})
		}
	}
	return sum, nil
}
