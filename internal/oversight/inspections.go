package oversight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// An inspection (监督检查, CIIR 2021 Arts 26–28) is the department's record, kept in its
// tenant like a notice: the operator inspected (an entry of its registry that is an
// organisation of this installation), the document number and legal basis, the scope —
// which areas of records (each area a capability's kernel.Inspectable, and the log vault),
// which systems by name, which period — and the time box in which its inspectors may
// read. The operator gets a copy (oversight_inspection_copies, its tenant, same
// transaction) and reads the inspection, its reads and its actions through it.
//
// Reads happen only through the inspection (inspection_reads.go): inside the time box,
// inside the scope, each one recorded in oversight_inspection_reads and audited in both
// organisations' trails before its answer leaves. After the time box, reading answers
// 404, as if the records did not exist; the inspection itself stays (findings, orders
// and the operator's response come after the reading).

// Inspection limits.
const (
	maxInspectionSystems = 50
	// maxInspectionDays is the longest time box: a year, beyond which an inspection is
	// standing access, which Arts 26–28 do not give.
	maxInspectionDays = 366
	// maxPeriodDays is the longest period under inspection (about three years, the
	// longest retention a duty asks of operators' records).
	maxPeriodDays = 3 * 366
)

// AreaLogs is the log vault's area of an inspection's scope.
const AreaLogs = "logs"

// InspectionBasisZH and InspectionBasisEN cite what the department inspects under.
const (
	InspectionBasisZH = "《关键信息基础设施安全保护条例》（2021）第二十六条至第二十八条"
	InspectionBasisEN = "Regulations on the Security Protection of Critical Information Infrastructure (2021), Arts 26–28"
)

// LegalBasis is a citation in both languages.
type LegalBasis struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// inspectionBasis is every inspection's LegalBasis.
var inspectionBasis = LegalBasis{ZH: InspectionBasisZH, EN: InspectionBasisEN}

// NewInspection is an inspection the regulator opens.
type NewInspection struct {
	EntryID    int64    `json:"entry_id"`
	Ref        string   `json:"ref"`   // the inspection notice's document number
	Basis      string   `json:"basis"` // the legal basis cited (default: CIIR 2021 Arts 26–28)
	Areas      []string `json:"areas"`
	Systems    []string `json:"systems"`
	PeriodFrom string   `json:"period_from"` // YYYY-MM-DD, Beijing
	PeriodTo   string   `json:"period_to"`   // YYYY-MM-DD, Beijing, included
	// EndsAt ends the time box: RFC 3339, or a day YYYY-MM-DD meaning the end of that
	// Beijing day.
	EndsAt string `json:"ends_at"`
}

// Inspection is an inspection as both sides read it.
type Inspection struct {
	ID          int64  `json:"id"`
	RegulatorID int64  `json:"regulator_id"`
	RegulatorZH string `json:"regulator_name_zh"`
	RegulatorEN string `json:"regulator_name_en"`
	EntryID     int64  `json:"entry_id,omitempty"` // the regulator's registry entry; 0 on the operator's side
	OperatorID  int64  `json:"operator_id"`
	OperatorZH  string `json:"operator_name_zh"`
	OperatorEN  string `json:"operator_name_en"`
	Ref         string `json:"ref"`
	Basis       string `json:"basis"` // as the department wrote it
	// LegalBasis cites what every inspection is made under, in both languages.
	LegalBasis LegalBasis `json:"legal_basis"`
	Areas      []string   `json:"areas"`
	Systems    []string   `json:"systems"`
	PeriodFrom string     `json:"period_from"`
	PeriodTo   string     `json:"period_to"`
	From       time.Time  `json:"period_start"` // the period as instants: From <= t < To
	To         time.Time  `json:"period_end"`
	OpensAt    time.Time  `json:"opens_at"`
	EndsAt     time.Time  `json:"ends_at"`
	Open       bool       `json:"open"` // inside the time box now
	OpenedBy   string     `json:"opened_by"`
	Reads      []Read     `json:"reads"`
	Actions    []Action   `json:"actions"`
	// Changes are the time box's changes (closed early, extended), oldest first.
	Changes []BoxChange `json:"time_box_changes"`
}

// Read is one read of an inspection, as both sides see it in the inspection's trail.
type Read struct {
	ID     int64     `json:"id"`
	Area   string    `json:"area"`
	What   string    `json:"what"`   // one of the Read* kinds
	Detail string    `json:"detail"` // the record, the log range, the bundle's SHA-256
	Items  int       `json:"items"`  // how many records or events the answer held
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Kinds of read.
const (
	ReadList      = "list"      // the records of an area in scope
	ReadRecord    = "record"    // one record
	ReadLogs      = "logs"      // a range of the log vault
	ReadReproduce = "reproduce" // a signed reproduction bundle
)

// inspectionCols are read by scanInspection.
const inspectionCols = `id, org_id, entry_id, operator_id, ref, basis, areas, systems, period_from, period_to, opens_at, ends_at, opened_by`

func scanInspection(sc func(...any) error) (*Inspection, error) {
	var in Inspection
	var areas, systems string
	if err := sc(&in.ID, &in.RegulatorID, &in.EntryID, &in.OperatorID, &in.Ref, &in.Basis, &areas, &systems, &in.PeriodFrom, &in.PeriodTo,
		&in.OpensAt, &in.EndsAt, &in.OpenedBy); err != nil {
		return nil, err
	}
	in.OpensAt, in.EndsAt = in.OpensAt.UTC(), in.EndsAt.UTC()
	if err := json.Unmarshal([]byte(areas), &in.Areas); err != nil {
		return nil, fmt.Errorf("areas of inspection %d: %w", in.ID, err)
	}
	if err := json.Unmarshal([]byte(systems), &in.Systems); err != nil {
		return nil, fmt.Errorf("systems of inspection %d: %w", in.ID, err)
	}
	in.From, in.To = periodOf(in.PeriodFrom, in.PeriodTo)
	in.Reads, in.Actions, in.Changes, in.LegalBasis = []Read{}, []Action{}, []BoxChange{}, inspectionBasis
	return &in, nil
}

// periodOf is the period of two Beijing days as instants: the start of from to the start
// of the day after to.
func periodOf(from, to string) (time.Time, time.Time) {
	f, _ := time.ParseInLocation(dateLayout, from, calendar.Shanghai)
	t, _ := time.ParseInLocation(dateLayout, to, calendar.Shanghai)
	return f.UTC(), t.AddDate(0, 0, 1).UTC()
}

// parseDay parses a Beijing day, exactly.
func parseDay(s string) (time.Time, bool) {
	d, err := time.ParseInLocation(dateLayout, s, calendar.Shanghai)
	return d, err == nil && d.Format(dateLayout) == s
}

// areas lists the areas an inspection may name: each Inspectable's and the log vault's.
func (s *Service) areaKeys() []string {
	var out []string
	for _, a := range s.inspectable {
		k, _, _ := a.InspectionArea()
		out = append(out, k)
	}
	if s.logs != nil {
		out = append(out, AreaLogs)
	}
	return out
}

// AreaName is an area's name in both languages.
func (s *Service) AreaName(key string) (zh, en string) {
	for _, a := range s.inspectable {
		if k, z, e := a.InspectionArea(); k == key {
			return z, e
		}
	}
	if key == AreaLogs {
		return "日志（网络日志留存）", "Logs (the log vault)"
	}
	return key, key
}

func (n *NewInspection) validate(s *Service, now time.Time) (endsAt time.Time, err error) {
	n.Ref, n.Basis = strings.TrimSpace(n.Ref), strings.TrimSpace(n.Basis)
	n.PeriodFrom, n.PeriodTo, n.EndsAt = strings.TrimSpace(n.PeriodFrom), strings.TrimSpace(n.PeriodTo), strings.TrimSpace(n.EndsAt)
	v := &problem.Invalid{}
	if n.EntryID <= 0 {
		v.Add("entry_id", "is required: the registry entry of the operator inspected")
	}
	v.Text("ref", n.Ref, true, 100)
	if n.Basis == "" {
		n.Basis = InspectionBasisZH
	}
	v.Text("basis", n.Basis, true, 500)
	known := s.areaKeys()
	var areas []string
	for _, a := range n.Areas {
		a = strings.TrimSpace(a)
		if a == "" || slices.Contains(areas, a) {
			continue
		}
		if !slices.Contains(known, a) {
			v.Add("areas", "must be among %s", strings.Join(known, ", "))
			break
		}
		areas = append(areas, a)
	}
	if len(areas) == 0 && !hasField(v, "areas") {
		v.Add("areas", "name at least one area of records to inspect")
	}
	n.Areas = areas
	var names []string
	for _, sys := range n.Systems {
		sys = strings.TrimSpace(sys)
		if sys != "" && !slices.Contains(names, sys) {
			names = append(names, sys)
		}
	}
	switch {
	case len(names) > maxInspectionSystems:
		v.Add("systems", "must name at most %d systems, not %d", maxInspectionSystems, len(names))
	case len(names) == 0 && slices.Contains(areas, "systems"):
		v.Add("systems", "name the systems to inspect, as the department names them")
	}
	for _, sys := range names {
		if !problem.TextOK(sys, true, maxSystemName) {
			v.Add("systems", "each system name must be at most %d characters of text", maxSystemName)
			break
		}
	}
	n.Systems = names
	from, okFrom := parseDay(n.PeriodFrom)
	to, okTo := parseDay(n.PeriodTo)
	if !okFrom {
		v.Add("period_from", "must be a date such as 2026-12-01")
	}
	if !okTo {
		v.Add("period_to", "must be a date such as 2026-12-01")
	}
	if okFrom && okTo {
		switch {
		case to.Before(from):
			v.Add("period_to", "must not be before period_from")
		case to.Sub(from) > maxPeriodDays*24*time.Hour:
			v.Add("period_to", "must be at most %d days after period_from", maxPeriodDays)
		}
	}
	switch {
	case n.EndsAt == "":
		v.Add("ends_at", "is required: the end of the time box")
	default:
		endsAt = s.parseBoxEnd(v, n.EndsAt, now)
	}
	return endsAt, v.Err()
}

// hasField reports whether v already names field.
func hasField(v *problem.Invalid, field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// OpenInspection opens the context regulator's inspection of an operator of its
// registry, audited in both trails; the operator receives its copy at once.
func (s *Service) OpenInspection(ctx context.Context, in NewInspection) (*Inspection, error) {
	now := s.now()
	endsAt, err := in.validate(s, now)
	if err != nil {
		return nil, err
	}
	e, err := s.Entry(ctx, in.EntryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, problem.Field("entry_id", "is not an operator in this department's registry")
	}
	if err != nil {
		return nil, err
	}
	if e.OperatorID == 0 {
		return nil, problem.Field("entry_id", "is not an organisation of this installation: inspect its records on site")
	}
	regulatorID, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	areas, _ := json.Marshal(in.Areas)
	systems, _ := json.Marshal(in.Systems)
	if in.Systems == nil {
		systems = []byte("[]")
	}
	x := &Inspection{RegulatorID: regulatorID, EntryID: e.ID, OperatorID: e.OperatorID, OperatorZH: e.NameZH, OperatorEN: e.NameEN,
		Ref: in.Ref, Basis: in.Basis, Areas: in.Areas, Systems: in.Systems, PeriodFrom: in.PeriodFrom, PeriodTo: in.PeriodTo,
		OpensAt: now, EndsAt: endsAt, Open: true, LegalBasis: inspectionBasis, OpenedBy: audit.ActorFrom(ctx).Label, Reads: []Read{}, Actions: []Action{}, Changes: []BoxChange{}}
	if x.Systems == nil {
		x.Systems = []string{}
	}
	x.From, x.To = periodOf(x.PeriodFrom, x.PeriodTo)
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO oversight_inspections (org_id, entry_id, operator_id, ref, basis, areas, systems, period_from, period_to, opens_at, ends_at, opened_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, e.ID, e.OperatorID, x.Ref, x.Basis, string(areas), string(systems),
			x.PeriodFrom, x.PeriodTo, x.OpensAt, x.EndsAt, x.OpenedBy).Scan(&x.ID); err != nil {
			return fmt.Errorf("open the inspection: %w", err)
		}
		// The operator's copy: its organisation from the registry entry, never from input.
		if _, err := t.Tx().Exec(`INSERT INTO oversight_inspection_copies (org_id, inspection_id, regulator_id, received_at) VALUES ($1, $2, $3, $4)`,
			e.OperatorID, x.ID, regulatorID, now); err != nil {
			return fmt.Errorf("send the inspection to the operator: %w", err)
		}
		detail := fmt.Sprintf("inspection %s: areas %s, systems %s, period %s to %s, time box until %s", x.Ref, strings.Join(x.Areas, ", "),
			strings.Join(x.Systems, ", "), x.PeriodFrom, x.PeriodTo, x.EndsAt.Format(time.RFC3339))
		if err := audit.Record(t.Tx(), e.OperatorID, "oversight_inspection", idStr(x.ID), "inspection_received", nil, x, detail); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_inspection", idStr(x.ID), "inspection_opened", nil, x, detail)
	})
	if err != nil {
		return nil, err
	}
	ref, err := s.regulatorRef(ctx, regulatorID)
	if err != nil {
		return nil, err
	}
	x.RegulatorZH, x.RegulatorEN = ref.NameZH, ref.NameEN
	return x, nil
}

// inspections reads inspections of the regulator in t: all of them, those of one
// operator (operatorID != 0), or one (id != 0), newest first, with reads and actions
// when full.
func (s *Service) inspections(t *store.Tenant, operatorID, id int64, full bool) ([]*Inspection, error) {
	var out []*Inspection
	now := s.now()
	err := query(t, "inspections", `SELECT `+inspectionCols+` FROM oversight_inspections WHERE org_id = $1 AND ($2 = 0 OR operator_id = $2) AND ($3 = 0 OR id = $3) ORDER BY id DESC`,
		func(sc func(...any) error) error {
			x, err := scanInspection(sc)
			if err != nil {
				return err
			}
			x.Open = now.Before(x.EndsAt)
			out = append(out, x)
			return nil
		}, operatorID, id)
	if err != nil || !full {
		return out, err
	}
	for _, x := range out {
		if err := query(t, "inspection reads", `SELECT id, area, what, detail, items, by_label, at FROM oversight_inspection_reads WHERE org_id = $1 AND inspection_id = $2 ORDER BY id`,
			func(sc func(...any) error) error {
				var r Read
				if err := sc(&r.ID, &r.Area, &r.What, &r.Detail, &r.Items, &r.By, &r.At); err != nil {
					return err
				}
				r.At = r.At.UTC()
				x.Reads = append(x.Reads, r)
				return nil
			}, x.ID); err != nil {
			return nil, err
		}
		if x.Changes, err = boxChanges(t, x.ID); err != nil {
			return nil, err
		}
		if err := query(t, "inspection actions", `SELECT id, kind, text, due_on, side, by_label, at FROM oversight_inspection_actions WHERE org_id = $1 AND inspection_id = $2 ORDER BY id`,
			func(sc func(...any) error) error {
				var a Action
				if err := sc(&a.ID, &a.Kind, &a.Text, &a.DueOn, &a.Side, &a.By, &a.At); err != nil {
					return err
				}
				a.At = a.At.UTC()
				x.Actions = append(x.Actions, a)
				return nil
			}, x.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// named fills the names of both organisations.
func (s *Service) named(ctx context.Context, xs []*Inspection) error {
	for _, x := range xs {
		reg, err := s.regulatorRef(ctx, x.RegulatorID)
		if err != nil {
			return err
		}
		op, err := s.auth.GetOrg(ctx, x.OperatorID)
		if err != nil {
			return fmt.Errorf("operator %d: %w", x.OperatorID, err)
		}
		x.RegulatorZH, x.RegulatorEN, x.OperatorZH, x.OperatorEN = reg.NameZH, reg.NameEN, op.NameZH, op.NameEN
	}
	return nil
}

// Inspections lists the context regulator's inspections, newest first.
func (s *Service) Inspections(ctx context.Context) ([]*Inspection, error) {
	var out []*Inspection
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = s.inspections(t, 0, 0, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, s.named(ctx, out)
}

// Inspection returns one of the context regulator's inspections with its reads and
// actions; another regulator's is store.ErrNotFound.
func (s *Service) Inspection(ctx context.Context, id int64) (*Inspection, error) {
	var out []*Inspection
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = s.inspections(t, 0, id, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 || id <= 0 {
		return nil, fmt.Errorf("inspection %d: %w", id, store.ErrNotFound)
	}
	return out[0], s.named(ctx, out)
}

// inspectionCopies lists the context operator's copies: inspection ids by regulator.
func (s *Service) inspectionCopies(ctx context.Context, id int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return query(t, "inspection copies", `SELECT regulator_id, inspection_id FROM oversight_inspection_copies WHERE org_id = $1 AND ($2 = 0 OR inspection_id = $2)`,
			func(sc func(...any) error) error {
				var reg, iid int64
				if err := sc(&reg, &iid); err != nil {
					return err
				}
				out[reg] = append(out[reg], iid)
				return nil
			}, id)
	})
	return out, err
}

// ReceivedInspections lists the inspections of the context operator (id 0), or the one
// with id, with their reads and actions: read in each regulator's tenant through the
// operator's copies, always filtered by the operator's own organisation.
func (s *Service) ReceivedInspections(ctx context.Context, id int64) ([]*Inspection, error) {
	operatorID, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	copies, err := s.inspectionCopies(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*Inspection
	for reg, ids := range copies {
		err := s.db.ReadTenant(store.WithOrg(ctx, reg), func(t *store.Tenant) error {
			for _, iid := range ids {
				xs, err := s.inspections(t, operatorID, iid, true)
				if err != nil {
					return err
				}
				for _, x := range xs {
					x.EntryID = 0 // the regulator's registry is not the operator's to see
					out = append(out, x)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b *Inspection) int { return b.OpensAt.Compare(a.OpensAt) })
	return out, s.named(ctx, out)
}

// ReceivedInspection is one inspection of the context operator: store.ErrNotFound for
// any other.
func (s *Service) ReceivedInspection(ctx context.Context, id int64) (*Inspection, error) {
	if id <= 0 {
		return nil, store.ErrNotFound
	}
	xs, err := s.ReceivedInspections(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(xs) != 1 {
		return nil, fmt.Errorf("inspection %d: %w", id, store.ErrNotFound)
	}
	return xs[0], nil
}
