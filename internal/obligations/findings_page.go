package obligations

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/web"
)

// findingsData is what the findings list shows.
type findingsData struct {
	StatusValues, DueValues, SortValues, Areas []string

	Filter      ListFilter
	L           Listing
	Instruments []*catalog.Instrument
	Run         Run
	Exposure    Exposure
	// ExposureRows are the exposure's rows, the purchase-amount multiples last.
	ExposureRows []ExposureRow
	Titles       map[string]catalog.Text
	Cites        map[string]catalog.Text // penalty id -> citation
	Eval         evalLine
	Query        string // the filter as a query string, for the export links
	Prev, Next   string
}

// listing reads the filter of r and lists the findings it selects; a bad filter is a
// field problem.
func (m *Module) listing(r *http.Request) (ListFilter, Listing, error) {
	c, err := m.Catalog(r.Context())
	if err != nil {
		return ListFilter{}, Listing{}, err
	}
	f, err := parseListFilter(r.URL.Query(), c)
	if err != nil {
		return f, Listing{}, err
	}
	l, err := m.List(r.Context(), f, c, time.Now())
	return f, l, err
}

func (m *Module) findingsPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.findings", "/findings")
	f, l, err := m.listing(r)
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		// Show the form with the reason next to the filter, and the default list.
		v.Status = http.StatusBadRequest
		c, cerr := m.Catalog(r.Context())
		if cerr != nil {
			return cerr
		}
		f = ListFilter{Page: 1, PerPage: DefaultPerPage}
		if l, err = m.List(r.Context(), f, c, time.Now()); err != nil {
			return err
		}
	}
	d := findingsData{StatusValues: append([]string{filterOpen, filterAll}, append(statusValues, shownRecommended)...), DueValues: dueValues, SortValues: sortValues, Areas: catalog.CapabilityValues,
		Filter: f, L: l, Instruments: l.Catalog.Instruments, Run: summarise(m.Base(), l.Everyone), Exposure: computeExposure(m.Base(), l.Everyone, evaluatedAt(l.Everyone)),
		Titles: map[string]catalog.Text{}, Cites: map[string]catalog.Text{}, Eval: m.evalLine(r.Context())}
	for _, o := range l.Catalog.Obligations {
		d.Titles[o.ID] = o.Title
	}
	for _, p := range l.Catalog.Penalties {
		d.Cites[p.ID] = l.Catalog.CitePenalty(p)
	}
	d.ExposureRows = append(append([]ExposureRow(nil), d.Exposure.Rows...), d.Exposure.Multiples...)
	q := f.query()
	d.Query = q.Encode()
	page := func(n int) string {
		qq := url.Values{}
		for k, vs := range q {
			qq[k] = vs
		}
		qq.Set("page", strconv.Itoa(n))
		return "/findings?" + qq.Encode()
	}
	if l.Page > 1 {
		d.Prev = page(l.Page - 1)
	}
	if l.Page < l.Pages {
		d.Next = page(l.Page + 1)
	}
	v.Data = d
	return m.pages.Render(w, r, "page_findings.html", v)
}

func (m *Module) findingsPrint(w http.ResponseWriter, r *http.Request) error {
	f, l, err := m.listing(r)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "findings.print_title", "/findings")
	v.Data = struct {
		Filter ListFilter
		L      Listing
		At     time.Time
	}{f, l, time.Now()}
	return m.pages.RenderBare(w, r, "page_findings_print.html", v)
}
