package scope

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// systemColumns are the editable columns, in the order of SystemInput.ptrs.
const systemColumns = `name, name_en, owner, responsible_person, sector, purpose, location, data_held, mlps_level, graded_on, go_live,
	filing_number, filed_on, last_mlps_test, last_self_inspection, cii_status, identified_on, identification_doc, deidentified_on,
	deidentification_doc, major_change_on, holds_personal_info, holds_important_data, data_stored_abroad, maintenance_abroad,
	maintenance_abroad_reported`

func (s *SystemInput) ptrs() []any {
	return []any{&s.Name, &s.NameEN, &s.Owner, &s.ResponsiblePerson, &s.Sector, &s.Purpose, &s.Location, &s.DataHeld, &s.MLPSLevel,
		&s.GradedOn, &s.GoLive, &s.FilingNumber, &s.FiledOn, &s.LastMLPSTest, &s.LastSelfInspection, &s.CIIStatus, &s.IdentifiedOn,
		&s.IdentificationDoc, &s.DeidentifiedOn, &s.DeidentificationDoc, &s.MajorChangeOn, &s.HoldsPersonalInfo, &s.HoldsImportantData,
		&s.DataStoredAbroad, &s.MaintenanceAbroad, &s.MaintenanceAbroadReported}
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
	v.Text("q", f.Q, false, 200)
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
	if err := audit.InTenant(t, "scope_system", strconv.FormatInt(id, 10), audit.Create, nil, sys, sys.describe()); err != nil {
		return sys, err
	}
	if err := recordHistory(t, nil, sys, now); err != nil {
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
	if err := audit.InTenant(t, "scope_system", strconv.FormatInt(before.ID, 10), audit.Update, before, after, detail); err != nil {
		return after, err
	}
	if err := recordHistory(t, &before.SystemInput, after, now); err != nil {
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
		if _, err := t.Exec(`DELETE FROM scope_system_history WHERE org_id = $1 AND system_id = $2`, id); err != nil {
			return fmt.Errorf("delete history of system %d: %w", id, err)
		}
		if err := audit.InTenant(t, "scope_system", strconv.FormatInt(id, 10), audit.Delete, before, nil, before.describe()); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), id)
		return nil
	})
}
