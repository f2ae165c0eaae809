package oversight

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// The regulator's dashboard is built from what the department holds of its own: its
// registry (with the clocks computed from the operators' submissions) and the submissions
// and inspections in its tenant. Nothing is read from an operator's tenant — the posture
// of a sector is what its operators filed, not their private records.

// DashboardMonths is how many Beijing months the incident table shows, this one included.
const DashboardMonths = 6

// SectorPosture is one sector of the registry: its operators and what they filed.
type SectorPosture struct {
	Sector        Named `json:"sector"`
	Operators     int   `json:"operators"`
	Identified    int   `json:"identified"`
	AnnualOverdue int   `json:"annual_overdue"`
	AnnualReports int   `json:"annual_reports"` // annual reports received, filed or imported
	// AnnualImported counts the annual reports of AnnualReports filed outside ciiguard and
	// imported from a signed bundle.
	AnnualImported int `json:"annual_reports_imported"`
	Incidents      int `json:"incident_reports"` // incident reports received
}

// GradeRow is one grade of the incident table: reports received per month, in Months'
// order.
type GradeRow struct {
	Grade string `json:"grade"`
	Cells []int  `json:"cells"`
}

// Pipeline is the department's inspections: in their time box or ended, and what they
// found and ordered. An order is open until the operator records a response after it.
type Pipeline struct {
	Total         int `json:"total"`
	InTimeBox     int `json:"in_time_box"`
	Ended         int `json:"ended"`
	Findings      int `json:"findings"`
	OrdersOpen    int `json:"orders_open"`
	OrdersOverdue int `json:"orders_overdue"` // open and past their deadline
}

// Dashboard is the regulator's home page.
type Dashboard struct {
	Registry  Counts          `json:"registry"`
	Sectors   []SectorPosture `json:"sectors"`
	Months    []string        `json:"months"` // YYYY-MM, oldest first
	Grades    []GradeRow      `json:"incidents_by_grade"`
	MonthSums []int           `json:"incidents_by_month"`
	Pipeline  Pipeline        `json:"inspections"`
}

// Dashboard computes the context regulator's dashboard.
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	entries, err := s.Registry(ctx, RegistryFilter{})
	if err != nil {
		return nil, err
	}
	items, err := s.Inbox(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	imports, err := s.InboxImports(ctx, Filter{Kind: kernel.SubmitAnnualReport})
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Registry: countsOf(entries)}
	now := s.now()

	// Sector posture, in the order of the registry's sector counts.
	bySector := map[string]*SectorPosture{}
	sectorOf := map[int64]string{}
	for _, c := range d.Registry.BySector {
		d.Sectors = append(d.Sectors, SectorPosture{Sector: c.Named, Operators: c.N})
	}
	for i := range d.Sectors {
		bySector[d.Sectors[i].Sector.Code] = &d.Sectors[i]
	}
	for _, e := range entries {
		code := lookup(Sectors, e.Sector).Code
		p := bySector[code]
		if e.OperatorID != 0 {
			sectorOf[e.OperatorID] = code
		}
		if e.Identified {
			p.Identified++
		}
		if e.Annual == AnnualOverdue {
			p.AnnualOverdue++
		}
	}

	// Annual reports filed outside ciiguard count where their entry's sector is.
	for _, im := range imports {
		if p := bySector[lookup(Sectors, im.Sector).Code]; p != nil {
			p.AnnualReports++
			p.AnnualImported++
		}
	}

	// Incident reports by grade and month of filing (Beijing), the last months.
	first := time.Date(now.In(calendar.Shanghai).Year(), now.In(calendar.Shanghai).Month(), 1, 0, 0, 0, 0, time.UTC)
	col := map[string]int{}
	for i := DashboardMonths - 1; i >= 0; i-- {
		m := first.AddDate(0, -i, 0).Format("2006-01")
		col[m] = len(d.Months)
		d.Months = append(d.Months, m)
	}
	row := map[string]int{}
	for i, g := range Grades {
		row[g] = i
		d.Grades = append(d.Grades, GradeRow{Grade: g, Cells: make([]int, DashboardMonths)})
	}
	d.MonthSums = make([]int, DashboardMonths)
	for _, it := range items {
		if p := bySector[sectorOf[it.OperatorID]]; p != nil {
			switch it.Kind {
			case "annual_report":
				p.AnnualReports++
			case "incident_report":
				p.Incidents++
			}
		}
		g := gradeOf(it)
		if c, ok := col[bjMonth(it.SubmittedAt)]; ok && g != "" {
			d.Grades[row[g]].Cells[c]++
			d.MonthSums[c]++
		}
	}

	// The inspection pipeline, from the department's own inspections and actions.
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		xs, err := s.inspections(t, 0, 0, false)
		if err != nil {
			return err
		}
		for _, x := range xs {
			d.Pipeline.Total++
			if x.Open {
				d.Pipeline.InTimeBox++
			} else {
				d.Pipeline.Ended++
			}
		}
		a, err := readActionState(t, bjDay(now))
		if err != nil {
			return err
		}
		d.Pipeline.Findings, d.Pipeline.OrdersOpen, d.Pipeline.OrdersOverdue = a.findings, a.ordersOpen, a.ordersOverdue
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inspection pipeline: %w", err)
	}
	return d, nil
}

// Link is the inbox filtered to the incident reports of a grade ("" for every grade) filed
// in the i-th month of the table.
func (d *Dashboard) Link(grade string, i int) string { return IncidentLink(grade, d.Months[i]) }

// RegistryLink is the registry filtered to the sector, and to more query pairs k, v, ….
func (p SectorPosture) RegistryLink(kv ...string) string {
	return SectorLink("/oversight/registry", p.Sector.Code, kv...)
}

// InboxLink is the inbox filtered to the sector's submissions of kind.
func (p SectorPosture) InboxLink(kind string) string {
	return SectorLink("/oversight", p.Sector.Code, "kind", kind)
}

// IncidentLink is the inbox filtered to the incident reports of a grade ("" for all)
// filed in a month.
func IncidentLink(grade, month string) string {
	q := url.Values{"kind": {"incident_report"}, "month": {month}}
	if grade != "" {
		q.Set("grade", grade)
	}
	return "/oversight?" + q.Encode()
}

// SectorLink is a list (the registry or the inbox) filtered to a sector, with more
// query pairs k, v, ….
func SectorLink(path, sector string, kv ...string) string {
	q := url.Values{"sector": {sector}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return path + "?" + q.Encode()
}

// actionState is what the department's inspection actions add up to: the findings, the
// orders still open (no response from the operator recorded after them) and those past
// their deadline, and the inspections that have each.
type actionState struct {
	findings, ordersOpen, ordersOverdue int
	withFindings, withOpenOrders        map[int64]bool
}

// readActionState reads the actions of every inspection of the regulator in t.
func readActionState(t *store.Tenant, today string) (actionState, error) {
	a := actionState{withFindings: map[int64]bool{}, withOpenOrders: map[int64]bool{}}
	type order struct {
		inspection int64
		due        string
		at         time.Time
	}
	var orders []order
	responded := map[int64]time.Time{} // inspection → its latest response
	if err := query(t, "inspection actions", `SELECT inspection_id, kind, due_on, at FROM oversight_inspection_actions WHERE org_id = $1`,
		func(sc func(...any) error) error {
			var o order
			var kind string
			if err := sc(&o.inspection, &kind, &o.due, &o.at); err != nil {
				return err
			}
			switch kind {
			case ActionFinding:
				a.findings++
				a.withFindings[o.inspection] = true
			case ActionOrder:
				orders = append(orders, o)
			case ActionResponse:
				if o.at.After(responded[o.inspection]) {
					responded[o.inspection] = o.at
				}
			}
			return nil
		}); err != nil {
		return a, err
	}
	for _, o := range orders {
		if r, ok := responded[o.inspection]; ok && r.After(o.at) {
			continue
		}
		a.ordersOpen++
		a.withOpenOrders[o.inspection] = true
		if o.due != "" && today > o.due {
			a.ordersOverdue++
		}
	}
	return a, nil
}

// InspectionFilter narrows the inspections list; empty fields do not filter.
type InspectionFilter struct {
	State   string // "open" (in its time box) or "ended"
	Actions string // "findings" or "orders_open"
}

func (f InspectionFilter) validate() error {
	v := &problem.Invalid{}
	if f.State != "" && f.State != "open" && f.State != "ended" {
		v.Add("state", "must be open or ended")
	}
	if f.Actions != "" && f.Actions != "findings" && f.Actions != "orders_open" {
		v.Add("actions", "must be findings or orders_open")
	}
	return v.Err()
}

// FilterInspections lists the context regulator's inspections narrowed by f, newest first.
func (s *Service) FilterInspections(ctx context.Context, f InspectionFilter) ([]*Inspection, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	xs, err := s.Inspections(ctx)
	if err != nil || f.Actions == "" && f.State == "" {
		return xs, err
	}
	var a actionState
	if err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		a, err = readActionState(t, bjDay(s.now()))
		return err
	}); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(xs, func(x *Inspection) bool {
		return (f.State == "open" && !x.Open) || (f.State == "ended" && x.Open) ||
			(f.Actions == "findings" && !a.withFindings[x.ID]) || (f.Actions == "orders_open" && !a.withOpenOrders[x.ID])
	}), nil
}

func (m *Module) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := m.Dashboard(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}
