package obligations

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
)

// The findings list's filters, shared by the page, its exports and the API, so that a
// number on the dashboard, the list it links to and an export of that list agree.

// Shown statuses: a finding's status, except that a duty written only in a draft is
// "recommended" (kept out of the gap counts, as summarise counts it).
const (
	shownRecommended = "recommended"
	// filterOpen and filterAll are the two status filters that are not one status: the
	// work list (the default) and everything.
	filterOpen = "open"
	filterAll  = "all"
)

// Due windows of the list and the dashboard's lists: open, not overdue, and due within
// 30 days; between 30 and 90 days; within 90 days.
var dueValues = []string{"30", "30-90", "90"}

// sortValues are the list's orders; the first is the default.
var sortValues = []string{"urgency", "due", "duty", "system", "status"}

// MaxPerPage bounds the list's page size.
const MaxPerPage = 500

// DefaultPerPage is the list's page size when none is asked for.
const DefaultPerPage = 50

// ListFilter selects and orders findings for the list, its exports and the API.
type ListFilter struct {
	Status, Area, Instrument, System, Due, Q, Sort string
	// Obligation and SubjectKind narrow the API's answer as they always have.
	Obligation, SubjectKind string
	Page, PerPage           int
}

// parseListFilter reads the filters from a query string; a value outside its set is a
// field problem naming the parameter.
func parseListFilter(q url.Values, c *catalog.Catalog) (ListFilter, error) {
	f := ListFilter{Status: q.Get("status"), Area: q.Get("area"), Instrument: q.Get("instrument"), System: q.Get("system"),
		Due: q.Get("due"), Q: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Obligation: q.Get("obligation"), SubjectKind: q.Get("subject_kind"),
		Page: 1, PerPage: DefaultPerPage}
	if f.System == "" {
		f.System = q.Get("subject_id")
	}
	v := &problem.Invalid{}
	if f.Status != "" && f.Status != filterOpen && f.Status != filterAll && f.Status != shownRecommended && !contains(statusValues, f.Status) {
		v.Add("status", "must be one of %s, not %q", strings.Join(append([]string{filterOpen, filterAll, shownRecommended}, statusValues...), ", "), f.Status)
	}
	if f.Area != "" && !contains(catalog.CapabilityValues, f.Area) {
		v.Add("area", "must be one of %s, not %q", strings.Join(catalog.CapabilityValues, ", "), f.Area)
	}
	if f.Instrument != "" {
		if _, ok := c.Instrument(f.Instrument); !ok {
			v.Add("instrument", "is not an instrument of the catalog: %q", f.Instrument)
		}
	}
	if f.System != "" {
		if n, err := strconv.ParseInt(f.System, 10, 64); err != nil || n < 1 {
			v.Add("system", "must be a system id, not %q", f.System)
		}
	}
	if f.Due != "" && !contains(dueValues, f.Due) {
		v.Add("due", "must be one of %s, not %q", strings.Join(dueValues, ", "), f.Due)
	}
	if f.Sort != "" && !contains(sortValues, f.Sort) {
		v.Add("sort", "must be one of %s, not %q", strings.Join(sortValues, ", "), f.Sort)
	}
	if f.SubjectKind != "" && f.SubjectKind != string(rules.SubjectOrg) && f.SubjectKind != string(rules.SubjectSystem) {
		v.Add("subject_kind", "must be org or system, not %q", f.SubjectKind)
	}
	for _, n := range []struct {
		name string
		dst  *int
		max  int
	}{{"page", &f.Page, 1 << 30}, {"per_page", &f.PerPage, MaxPerPage}} {
		if s := q.Get(n.name); s != "" {
			x, err := strconv.Atoi(s)
			if err != nil || x < 1 || x > n.max {
				v.Add(n.name, "must be a whole number from 1 to %d, not %q", n.max, s)
				continue
			}
			*n.dst = x
		}
	}
	return f, v.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shownStatus is the status a finding is listed and counted under.
func shownStatus(c *catalog.Catalog, f Finding) string {
	if f.Status != rules.StatusNotApplicable && f.Status != rules.StatusError && recommendedOnly(c, f.ObligationID) {
		return shownRecommended
	}
	return string(f.Status)
}

// isOpen reports whether a shown status still needs work (what the dashboard counts open).
func isOpen(shown string) bool {
	switch rules.Status(shown) {
	case rules.StatusGap, rules.StatusOverdue, rules.StatusNeedsAttestation, rules.StatusError:
		return true
	}
	return false
}

// dueWindow is the dashboard list an open finding falls in: "overdue", "30" (due within
// 30 days), "30-90", or "" for none.
func dueWindow(shown string, due *time.Time, now time.Time) string {
	switch {
	case shown == string(rules.StatusOverdue):
		return "overdue"
	case !isOpen(shown) || due == nil:
		return ""
	case due.Before(now.AddDate(0, 0, 30)):
		return "30"
	case due.Before(now.AddDate(0, 0, 90)):
		return "30-90"
	}
	return ""
}

// Row is a finding with what the list shows about it.
type Row struct {
	Finding
	Shown      string       `json:"shown_status"`
	Title      catalog.Text `json:"title"`
	Area       string       `json:"area"`
	Instrument string       `json:"instrument"`
	SystemName string       `json:"system_name,omitempty"`
	Cite       catalog.Text `json:"penalty_citation,omitempty"`
}

// Listing is one page of the filtered list and what the list page shows with it.
type Listing struct {
	Rows     []Row // this page
	All      []Row // every row the filter selects, in order (for the exports)
	Total    int
	Page     int
	Pages    int
	PerPage  int
	Everyone []Finding // every finding of the organisation (the summary counts)
	Catalog  *catalog.Catalog
	Names    map[string]string
	Order    []string // system ids in pinyin order
}

// List filters, orders and pages the context's organisation's findings.
func (m *Module) List(ctx context.Context, f ListFilter, c *catalog.Catalog, now time.Time) (Listing, error) {
	all, err := m.Findings(ctx, Filter{})
	if err != nil {
		return Listing{}, err
	}
	names, order, err := m.systemNames(ctx)
	if err != nil {
		return Listing{}, err
	}
	rank := map[string]int{}
	for i, id := range order {
		rank[id] = i
	}
	cites := map[string]catalog.Text{}
	for _, p := range c.Penalties {
		cites[p.ID] = c.CitePenalty(p)
	}
	q := strings.ToLower(f.Q)
	var rows []Row
	for _, fd := range all {
		ob, ok := c.Obligation(fd.ObligationID)
		if !ok {
			continue
		}
		r := Row{Finding: fd, Shown: shownStatus(c, fd), Title: ob.Title, Area: ob.Capability, Instrument: ob.Instrument}
		if fd.SubjectKind == rules.SubjectSystem {
			r.SystemName = names[fd.SubjectID]
		}
		if fd.Penalty != nil {
			r.Cite = cites[fd.Penalty.ID]
		}
		switch f.Status {
		case "", filterOpen:
			if !isOpen(r.Shown) {
				continue
			}
		case filterAll:
		default:
			if r.Shown != f.Status {
				continue
			}
		}
		if (f.Area != "" && r.Area != f.Area) || (f.Instrument != "" && r.Instrument != f.Instrument) ||
			(f.System != "" && (fd.SubjectID != f.System || (fd.SubjectKind != rules.SubjectSystem && f.SubjectKind != string(rules.SubjectOrg)))) ||
			(f.Obligation != "" && fd.ObligationID != f.Obligation) || (f.SubjectKind != "" && string(fd.SubjectKind) != f.SubjectKind) {
			continue
		}
		if f.Due != "" {
			w := dueWindow(r.Shown, fd.Due, now)
			if !(w == f.Due || (f.Due == "90" && (w == "30" || w == "30-90"))) {
				continue
			}
		}
		if q != "" && !strings.Contains(strings.ToLower(strings.Join([]string{fd.ObligationID, ob.Title.Zh, ob.Title.En, fd.Reason.Zh, fd.Reason.En, r.SystemName}, "\n")), q) {
			continue
		}
		rows = append(rows, r)
	}
	sortRows(rows, f.Sort, rank)
	l := Listing{All: rows, Total: len(rows), PerPage: f.PerPage, Page: f.Page, Everyone: all, Catalog: c, Names: names, Order: order}
	l.Pages = (l.Total + f.PerPage - 1) / f.PerPage
	if l.Pages == 0 {
		l.Pages = 1
	}
	if from := (f.Page - 1) * f.PerPage; from < len(rows) {
		l.Rows = rows[from:min(from+f.PerPage, len(rows))]
	}
	return l, nil
}

// sortRows orders rows by key; ties keep the order of urgency.
func sortRows(rows []Row, key string, rank map[string]int) {
	sort.SliceStable(rows, func(i, j int) bool { return urgentLess(rows[i].Finding, rows[j].Finding) })
	subject := func(r Row) int {
		if r.SubjectKind != rules.SubjectSystem {
			return -1
		}
		if n, ok := rank[r.SubjectID]; ok {
			return n
		}
		return len(rank)
	}
	switch key {
	case "due":
		sort.SliceStable(rows, func(i, j int) bool {
			a, b := rows[i].Due, rows[j].Due
			if a == nil || b == nil {
				return a != nil && b == nil
			}
			return a.Before(*b)
		})
	case "duty":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].ObligationID < rows[j].ObligationID })
	case "system":
		sort.SliceStable(rows, func(i, j int) bool { return subject(rows[i]) < subject(rows[j]) })
	case "status":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Shown < rows[j].Shown })
	}
}

// urgentLess is SortUrgent's order.
func urgentLess(a, b Finding) bool {
	if a.Status.Urgency() != b.Status.Urgency() {
		return a.Status.Urgency() < b.Status.Urgency()
	}
	switch {
	case a.Due != nil && b.Due != nil && !a.Due.Equal(*b.Due):
		return a.Due.Before(*b.Due)
	case (a.Due == nil) != (b.Due == nil):
		return a.Due != nil
	}
	return a.ObligationID < b.ObligationID
}

// Query is the filter as a query string, for links from the print view back to the list.
func (f ListFilter) Query() string { return f.query().Encode() }

// query writes f back as a query string (without the page), for links and exports.
func (f ListFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "area": f.Area, "instrument": f.Instrument, "system": f.System, "due": f.Due, "q": f.Q, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.PerPage != DefaultPerPage {
		q.Set("per_page", strconv.Itoa(f.PerPage))
	}
	return q
}
