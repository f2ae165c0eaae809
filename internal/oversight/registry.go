package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The registry is the regulator's own list of the operators it supervises
// (oversight_registry, in the regulator's tenant). An operator is in it for one of two
// reasons, both recorded on the entry:
//
//   - linked: the operator named this regulator as its protection-work department on
//     /filings. Naming it writes the entry in the same transaction as the operator's link,
//     the way a filing writes the submission in the regulator's tenant: the operator
//     chose to tell this department who it is (its name and credit code, which are the
//     installation's directory, not its private records).
//   - added: the regulator added the operator itself, by unified social credit code —
//     identification starts with the department (CIIR 2021 Art. 9), before the operator
//     necessarily uses ciiguard. When an organisation of this installation has that code,
//     the entry points to it and notices reach it; otherwise the entry is the
//     regulator's record alone.
//
// The sector and province are the regulator's record of the entry (the province defaults
// to the credit code's registration authority). Nothing is read from the operator's
// profile or inventory: those are the operator's private records.

// Entry is an operator in the regulator's registry, with what the regulator's own notices
// and the operator's filings say about it.
type Entry struct {
	ID         int64     `json:"id"`
	OperatorID int64     `json:"operator_id,omitempty"` // 0: not an organisation of this installation
	USCC       string    `json:"uscc"`
	NameZH     string    `json:"name_zh"`
	NameEN     string    `json:"name_en"`
	Sector     string    `json:"sector"`
	Province   string    `json:"province"`
	Linked     bool      `json:"linked"`
	Added      bool      `json:"added"`
	CreatedAt  time.Time `json:"created_at"`
	// Identified is true while a system the department's notices identified is not
	// de-identified by a later notice; IdentifiedSystems are those systems, as the notices
	// name them, in the order they were first named. IdentifiedOn is the date of the
	// notice that identified the first of them (again, after every system was
	// de-identified), LastNoticeOn the latest notice's.
	Identified        bool     `json:"identified"`
	IdentifiedSystems []string `json:"identified_systems,omitempty"`
	Notices           int      `json:"notices"`
	IdentifiedOn      string   `json:"identified_on,omitempty"`
	LastNoticeOn      string   `json:"last_notice_on,omitempty"`
	LastNoticeRef     string   `json:"last_notice_ref,omitempty"`
	// The re-identification clock (CIIR 2021 Art. 11): a change report an identified
	// operator filed after the latest notice, the date by which the department
	// re-identifies (3 months, Beijing calendar), and "due" or "overdue".
	ChangeReportedOn string `json:"change_reported_on,omitempty"`
	ReidentifyBy     string `json:"reidentify_by,omitempty"`
	Reidentify       string `json:"reidentify,omitempty"`
	// The annual report clock (CIIR 2021 Art. 17, the department's requirement: annual.go):
	// the latest annual report counted, the date the next is due, and "due", "overdue" or
	// "outside" (reports reach the department outside ciiguard).
	AnnualLastOn string `json:"annual_last_on,omitempty"`
	AnnualDueOn  string `json:"annual_due_on,omitempty"`
	Annual       string `json:"annual,omitempty"`

	sent []sentNotice // the notices, for the clock
	// since is each identified system's latest identification date: a de-identification
	// is not dated before it.
	since map[string]string
}

// Re-identification states of an entry.
const (
	ReidentifyDue     = "due"
	ReidentifyOverdue = "overdue"
)

// ReidentifyMonths is the department's time to re-identify after an operator reports a
// major change (CIIR 2021 Art. 11: "自收到报告之日起3个月内完成重新认定").
const ReidentifyMonths = 3

// NewEntry is an operator the regulator adds to its registry by credit code.
type NewEntry struct {
	USCC     string `json:"uscc"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	Sector   string `json:"sector"`
	Province string `json:"province"` // defaults to the credit code's registration authority
}

// EntryEdit is what the regulator changes of an entry: its own record of sector and
// province.
type EntryEdit struct {
	Sector   string `json:"sector"`
	Province string `json:"province"`
}

const entryCols = `id, operator_id, uscc, name_zh, name_en, sector, province, linked, added, created_at`

func scanEntry(sc func(...any) error) (*Entry, error) {
	var e Entry
	var op sql.NullInt64
	err := sc(&e.ID, &op, &e.USCC, &e.NameZH, &e.NameEN, &e.Sector, &e.Province, &e.Linked, &e.Added, &e.CreatedAt)
	e.OperatorID, e.CreatedAt = op.Int64, e.CreatedAt.UTC()
	return &e, err
}

// checkPlace adds a problem for a sector or province that is not one of the lists; empty
// is allowed (not recorded).
func checkPlace(v *problem.Invalid, sector, province string) {
	if _, ok := find(Sectors, sector); sector != "" && !ok {
		v.Add("sector", "must be one of %s", strings.Join(codes(Sectors), ", "))
	}
	if _, ok := find(Provinces, province); province != "" && !ok {
		v.Add("province", "must be a province code of GB/T 2260 such as 11 (Beijing)")
	}
}

// AddOperator adds an operator to the context regulator's registry by credit code,
// audited. A code already in the registry is a conflict.
func (s *Service) AddOperator(ctx context.Context, in NewEntry) (*Entry, error) {
	in.USCC = strings.ToUpper(strings.TrimSpace(in.USCC))
	in.NameZH, in.NameEN = strings.TrimSpace(in.NameZH), strings.TrimSpace(in.NameEN)
	v := &problem.Invalid{}
	addUSCC(v, "uscc", in.USCC)
	if in.Province == "" {
		in.Province = provinceOfUSCC(in.USCC)
	}
	if in.Sector == "" {
		v.Add("sector", "is required")
	}
	checkPlace(v, in.Sector, in.Province)
	// An organisation of this installation with the code: the entry points to it.
	var op *auth.Org
	if len(v.Fields) == 0 {
		orgs, err := s.auth.ListOrgs(ctx, auth.Operator)
		if err != nil {
			return nil, fmt.Errorf("list operators: %w", err)
		}
		for i := range orgs {
			if orgs[i].USCC == in.USCC {
				op = &orgs[i]
				break
			}
		}
	}
	if op != nil {
		in.NameZH, in.NameEN = cmpOr(in.NameZH, op.NameZH), cmpOr(in.NameEN, op.NameEN)
	}
	v.Text("name_zh", in.NameZH, true, 200)
	v.Text("name_en", in.NameEN, false, 200)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Entry
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var n int
		q := `SELECT COUNT(*) FROM oversight_registry WHERE org_id = $1 AND (uscc = $2 OR ($3 > 0 AND operator_id = $3))`
		var opID int64
		if op != nil {
			opID = op.ID
		}
		if err := t.QueryRow(q, in.USCC, opID).Scan(&n); err != nil {
			return fmt.Errorf("read the registry: %w", err)
		}
		if n > 0 {
			return problem.Conflictf("uscc", "is already in the registry")
		}
		var opArg any
		if op != nil {
			opArg = op.ID
		}
		var id int64
		if err := t.QueryRow(`INSERT INTO oversight_registry (org_id, operator_id, uscc, name_zh, name_en, sector, province, linked, added, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, TRUE, $8) RETURNING id`, opArg, in.USCC, in.NameZH, in.NameEN, in.Sector, in.Province, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("add to the registry: %w", err)
		}
		var err error
		if out, err = scanEntry(t.QueryRow(`SELECT `+entryCols+` FROM oversight_registry WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_registry", idStr(id), "create", nil, out, "registry: "+in.USCC+" "+in.NameZH)
	})
	return out, err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// UpdateEntry changes the regulator's record of an entry's sector and province, audited.
func (s *Service) UpdateEntry(ctx context.Context, id int64, in EntryEdit) (*Entry, error) {
	v := &problem.Invalid{}
	checkPlace(v, in.Sector, in.Province)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := scanEntry(t.QueryRow(`SELECT `+entryCols+` FROM oversight_registry WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return fmt.Errorf("registry entry %d: %w", id, err)
		}
		if _, err := t.Exec(`UPDATE oversight_registry SET sector = $3, province = $4 WHERE org_id = $1 AND id = $2`, id, in.Sector, in.Province); err != nil {
			return fmt.Errorf("update registry entry %d: %w", id, err)
		}
		after := *before
		after.Sector, after.Province = in.Sector, in.Province
		return audit.InTenant(t, "oversight_registry", idStr(id), "update", before, after, "sector "+in.Sector+", province "+in.Province)
	})
	if err != nil {
		return nil, err
	}
	return s.Entry(ctx, id)
}

// Entry is one entry of the context regulator's registry, with its clock.
func (s *Service) Entry(ctx context.Context, id int64) (*Entry, error) {
	all, err := s.entries(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(all) != 1 {
		return nil, fmt.Errorf("registry entry %d: %w", id, store.ErrNotFound)
	}
	return all[0], nil
}

// entries reads the context regulator's registry (one entry when id > 0) with the
// notices' dates and the re-identification clock, ordered by name.
func (s *Service) entries(ctx context.Context, id int64) ([]*Entry, error) {
	var out []*Entry
	byID := map[int64]*Entry{}
	changes := map[int64][]time.Time{}  // operator → change reports filed
	annuals := map[int64][]time.Time{}  // operator → annual reports filed
	imported := map[int64][]time.Time{} // entry → annual reports imported from signed bundles
	var setting AnnualSetting
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if err := query(t, "registry", `SELECT `+entryCols+` FROM oversight_registry WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY name_zh, id`,
			func(sc func(...any) error) error {
				e, err := scanEntry(sc)
				out = append(out, e)
				byID[e.ID] = e
				return err
			}, id); err != nil {
			return err
		}
		// Notices oldest first, replayed: identifications add systems, de-identifications
		// remove them; the last one is the latest.
		if err := query(t, "notices", `SELECT entry_id, kind, issued_on, ref, systems, sent_at FROM oversight_notices WHERE org_id = $1 AND ($2 = 0 OR entry_id = $2) ORDER BY issued_on, id`,
			func(sc func(...any) error) error {
				var eid int64
				var kind, on, ref, systems string
				var sent time.Time
				if err := sc(&eid, &kind, &on, &ref, &systems, &sent); err != nil {
					return err
				}
				e := byID[eid]
				if e == nil {
					return nil
				}
				var names []string
				if err := json.Unmarshal([]byte(systems), &names); err != nil {
					return fmt.Errorf("systems of a notice of entry %d: %w", eid, err)
				}
				e.Notices++
				e.replay(kind, on, names)
				e.LastNoticeOn, e.LastNoticeRef = on, ref
				e.sent = append(e.sent, sentNotice{on, sent})
				return nil
			}, id); err != nil {
			return err
		}
		var err error
		if setting, err = readAnnualSetting(t); err != nil {
			return err
		}
		if err := query(t, "change and annual reports", `SELECT operator_id, kind, submitted_at FROM oversight_submissions WHERE org_id = $1 AND kind IN ($2, $3) ORDER BY submitted_at`,
			func(sc func(...any) error) error {
				var op int64
				var kind string
				var at time.Time
				if err := sc(&op, &kind, &at); err != nil {
					return err
				}
				if kind == kernel.SubmitAnnualReport {
					annuals[op] = append(annuals[op], at)
				} else {
					changes[op] = append(changes[op], at)
				}
				return nil
			}, kernel.SubmitChangeReport, kernel.SubmitAnnualReport); err != nil {
			return err
		}
		// Annual reports filed outside ciiguard and imported from a signed bundle count on
		// the day the department imported them, as a filing counts on the day it arrived.
		return query(t, "imported annual reports", `SELECT entry_id, imported_at FROM oversight_imports WHERE org_id = $1 AND kind = $2`,
			func(sc func(...any) error) error {
				var eid int64
				var at time.Time
				if err := sc(&eid, &at); err != nil {
					return err
				}
				imported[eid] = append(imported[eid], at)
				return nil
			}, reportKindAnnual)
	})
	if err != nil {
		return nil, err
	}
	today := bjDay(s.now())
	for _, e := range out {
		reidentifyClock(e, changes[e.OperatorID], today)
		setAnnualClock(e, annuals[e.OperatorID], imported[e.ID], today, setting.Day)
	}
	return out, nil
}

// bjDay is the Beijing calendar day of t, written YYYY-MM-DD.
func bjDay(t time.Time) string { return t.In(calendar.Shanghai).Format(dateLayout) }

const dateLayout = "2006-01-02"

// addMonths is the day n calendar months after day; a day the target month lacks (31
// August + 3 months) becomes that month's last day, the way "within three months" is
// counted.
func addMonths(day string, n int) string {
	t, err := time.Parse(dateLayout, day)
	if err != nil {
		return ""
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(dateLayout)
}

// replay applies one of the entry's notices, in date order, to the systems it holds
// identified.
func (e *Entry) replay(kind, on string, names []string) {
	if e.since == nil {
		e.since = map[string]string{}
	}
	for _, name := range names {
		if kind == NoticeDeidentification {
			e.IdentifiedSystems = slices.DeleteFunc(e.IdentifiedSystems, func(s string) bool { return s == name })
			delete(e.since, name)
			continue
		}
		if len(e.IdentifiedSystems) == 0 {
			e.IdentifiedOn = on
		}
		if _, ok := e.since[name]; !ok {
			e.IdentifiedSystems = append(e.IdentifiedSystems, name)
		}
		e.since[name] = on
	}
	e.Identified = len(e.IdentifiedSystems) > 0
	if !e.Identified {
		e.IdentifiedOn = ""
	}
}

// sentNotice is when a notice was dated and when it was recorded.
type sentNotice struct {
	on   string
	sent time.Time
}

// reidentifyClock sets the Art. 11 clock of an identified entry. A change report is
// answered by a notice recorded after it was filed and dated on or after the Beijing day
// it was filed (a notice backdated before the report re-identifies nothing it reported);
// the first report no notice answers starts the clock, which runs ReidentifyMonths months
// and is overdue the day after.
func reidentifyClock(e *Entry, reports []time.Time, today string) {
	if !e.Identified || e.OperatorID == 0 {
		return
	}
	for _, at := range reports {
		day := bjDay(at)
		answered := slices.ContainsFunc(e.sent, func(n sentNotice) bool { return !n.sent.Before(at) && n.on >= day })
		if answered {
			continue
		}
		e.ChangeReportedOn, e.ReidentifyBy = day, addMonths(day, ReidentifyMonths)
		e.Reidentify = ReidentifyDue
		if today > e.ReidentifyBy {
			e.Reidentify = ReidentifyOverdue
		}
		return
	}
}

// RegistryFilter narrows the registry; empty fields do not filter.
type RegistryFilter struct {
	Q          string // part of a name or credit code
	Sector     string // a sector code, or "none" for entries without one
	Province   string // a province code, or "none"
	Identified string // "yes" or "no"
	Annual     string // the annual report clock: "due" or "overdue"
}

func (f RegistryFilter) validate() error {
	v := &problem.Invalid{}
	v.Text("q", f.Q, false, 100)
	if _, ok := find(Sectors, f.Sector); f.Sector != "" && f.Sector != "none" && !ok {
		v.Add("sector", "must be one of %s", strings.Join(append(codes(Sectors), "none"), ", "))
	}
	if _, ok := find(Provinces, f.Province); f.Province != "" && f.Province != "none" && !ok {
		v.Add("province", "must be a province code of GB/T 2260 such as 11 (Beijing)")
	}
	if f.Identified != "" && f.Identified != "yes" && f.Identified != "no" {
		v.Add("identified", "must be yes or no")
	}
	if f.Annual != "" && f.Annual != AnnualDue && f.Annual != AnnualOverdue {
		v.Add("annual", "must be due or overdue")
	}
	return v.Err()
}

func (f RegistryFilter) match(e *Entry) bool {
	q := strings.ToLower(strings.TrimSpace(f.Q))
	switch {
	case q != "" && !strings.Contains(strings.ToLower(e.NameZH), q) && !strings.Contains(strings.ToLower(e.NameEN), q) && !strings.Contains(strings.ToLower(e.USCC), q):
		return false
	case f.Sector == "none" && e.Sector != "", f.Sector != "" && f.Sector != "none" && e.Sector != f.Sector:
		return false
	case f.Province == "none" && e.Province != "", f.Province != "" && f.Province != "none" && e.Province != f.Province:
		return false
	case f.Identified == "yes" && !e.Identified, f.Identified == "no" && e.Identified:
		return false
	case f.Annual != "" && e.Annual != f.Annual:
		return false
	}
	return true
}

// Registry lists the context regulator's registry narrowed by f, ordered by name.
func (s *Service) Registry(ctx context.Context, f RegistryFilter) ([]*Entry, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	all, err := s.entries(ctx, 0)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(e *Entry) bool { return !f.match(e) }), nil
}

// linkEntry records, in the operator's linking transaction, that the operator names
// regulatorID as its department: the regulator's entry for it is marked linked (found by
// organisation, then by credit code) or created. The previous department's entry, if
// any, is marked no longer linked; it stays that regulator's record.
func linkEntry(tx *store.Tx, op auth.Org, regulatorID int64, previous *int64, now time.Time) error {
	if previous != nil {
		if _, err := tx.Exec(`UPDATE oversight_registry SET linked = FALSE WHERE org_id = $1 AND operator_id = $2`, *previous, op.ID); err != nil {
			return fmt.Errorf("unlink the previous department's registry entry: %w", err)
		}
	}
	res, err := tx.Exec(`UPDATE oversight_registry SET linked = TRUE WHERE org_id = $1 AND operator_id = $2`, regulatorID, op.ID)
	if err != nil {
		return fmt.Errorf("link the registry entry: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if op.USCC != "" {
		res, err := tx.Exec(`UPDATE oversight_registry SET linked = TRUE, operator_id = $3 WHERE org_id = $1 AND uscc = $2 AND operator_id IS NULL`, regulatorID, op.USCC, op.ID)
		if err != nil {
			return fmt.Errorf("link the registry entry: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
	}
	if _, err := tx.Exec(`INSERT INTO oversight_registry (org_id, operator_id, uscc, name_zh, name_en, sector, province, linked, added, created_at)
VALUES ($1, $2, $3, $4, $5, '', $6, TRUE, FALSE, $7)`, regulatorID, op.ID, op.USCC, op.NameZH, op.NameEN, provinceOfUSCC(op.USCC), now); err != nil {
		return fmt.Errorf("enter the operator in the registry: %w", err)
	}
	return nil
}
