package oversight

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// registryFilterOf reads the registry filter from the query.
func registryFilterOf(r *http.Request) (RegistryFilter, error) {
	q := r.URL.Query()
	f := RegistryFilter{Q: q.Get("q"), Sector: q.Get("sector"), Province: q.Get("province"), Identified: q.Get("identified"), Annual: q.Get("annual")}
	return f, f.validate()
}

// notRecorded is the row and column of entries without a sector or province.
var notRecorded = Named{Code: "none", ZH: "未记录", EN: "not recorded"}

// Count is a sector or province and how many entries have it.
type Count struct {
	Named
	N int `json:"count"`
}

// MapRow is a province of the sector map: the entries of each sector column, in order.
type MapRow struct {
	Province Named `json:"province"`
	Cells    []int `json:"cells"`
	Total    int   `json:"total"`
}

// Counts are the whole registry's counts by sector and by province, and the sector map:
// provinces as rows, the sectors that occur as columns.
type Counts struct {
	Total      int `json:"total"`
	Identified int `json:"identified"`
	Reidentify int `json:"reidentify_running"`
	Overdue    int `json:"reidentify_overdue"`
	// AnnualDue and AnnualOverdue count the annual report clocks running and overdue.
	AnnualDue     int      `json:"annual_due"`
	AnnualOverdue int      `json:"annual_overdue"`
	BySector      []Count  `json:"by_sector"`
	ByProvince    []Count  `json:"by_province"`
	MapCols       []Named  `json:"map_columns"`
	Map           []MapRow `json:"map"`
}

// SectorNamed is the entry's sector with its names, "not recorded" when none.
func (e *Entry) SectorNamed() Named { return lookup(Sectors, e.Sector) }

// ProvinceNamed is the entry's province with its names, "not recorded" when none.
func (e *Entry) ProvinceNamed() Named { return lookup(Provinces, e.Province) }

func lookup(list []Named, code string) Named {
	if n, ok := find(list, code); ok {
		return n
	}
	return notRecorded
}

// countsOf counts entries in the order of the sector and province lists, not recorded
// last; only what occurs is listed.
func countsOf(entries []*Entry) Counts {
	c := Counts{Total: len(entries)}
	bySector, byProvince := map[string]int{}, map[string]int{}
	cell := map[[2]string]int{}
	for _, e := range entries {
		s, p := lookup(Sectors, e.Sector).Code, lookup(Provinces, e.Province).Code
		bySector[s]++
		byProvince[p]++
		cell[[2]string{p, s}]++
		if e.Identified {
			c.Identified++
		}
		switch e.Annual {
		case AnnualDue:
			c.AnnualDue++
		case AnnualOverdue:
			c.AnnualOverdue++
		}
		switch e.Reidentify {
		case ReidentifyDue:
			c.Reidentify++
		case ReidentifyOverdue:
			c.Reidentify++
			c.Overdue++
		}
	}
	for _, n := range append(append([]Named{}, Sectors...), notRecorded) {
		if bySector[n.Code] > 0 {
			c.BySector = append(c.BySector, Count{n, bySector[n.Code]})
			c.MapCols = append(c.MapCols, n)
		}
	}
	for _, n := range append(append([]Named{}, Provinces...), notRecorded) {
		if byProvince[n.Code] == 0 {
			continue
		}
		c.ByProvince = append(c.ByProvince, Count{n, byProvince[n.Code]})
		row := MapRow{Province: n, Total: byProvince[n.Code]}
		for _, col := range c.MapCols {
			row.Cells = append(row.Cells, cell[[2]string{n.Code, col.Code}])
		}
		c.Map = append(c.Map, row)
	}
	return c
}

func (m *Module) apiRegistry(w http.ResponseWriter, r *http.Request) error {
	f, err := registryFilterOf(r)
	if err != nil {
		return err
	}
	entries, err := m.Registry(r.Context(), f)
	if err != nil {
		return err
	}
	all, err := m.Registry(r.Context(), RegistryFilter{})
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []*Entry{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"entries": entries, "counts": countsOf(all)})
}

func (m *Module) apiAddOperator(w http.ResponseWriter, r *http.Request) error {
	var in NewEntry
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := m.AddOperator(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, e)
}

// entryJSON is an entry with the regulator's notices to it.
type entryJSON struct {
	*Entry
	NoticeList []Notice `json:"notice_list"`
}

func (m *Module) apiEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	e, err := m.Entry(r.Context(), id)
	if err != nil {
		return err
	}
	ns, err := m.Notices(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, entryJSON{e, ns})
}

func (m *Module) apiUpdateEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in EntryEdit
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := m.UpdateEntry(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

// registryData is the registry page.
type registryData struct {
	Filter    RegistryFilter
	Sectors   []Named
	Provinces []Named
	Entries   []*Entry
	Counts    Counts
	// ExportCSV and ExportXLSX are the export links with the page's filter.
	ExportCSV, ExportXLSX string
	// Annual is the department's requirement of when annual reports fall due.
	Annual AnnualSetting
}

// exportLink is the export address of format with the filter f.
func exportLink(format string, f RegistryFilter) string {
	q := url.Values{"format": {format}}
	for k, v := range map[string]string{"q": f.Q, "sector": f.Sector, "province": f.Province, "identified": f.Identified, "annual": f.Annual} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/oversight/registry/export?" + q.Encode()
}

func (m *Module) registryPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderRegistry(w, r, nil)
}

// renderRegistry shows the registry page, with the add form's errors when err is a
// validation problem.
func (m *Module) renderRegistry(w http.ResponseWriter, r *http.Request, formErr error) error {
	v := m.d.Web.NewView(r, "oversight.reg.title", "/oversight/registry")
	f, err := registryFilterOf(r)
	if err != nil {
		// A refused filter shows the whole registry again (400) with the filter's refused
		// controls marked; they are filed as filter.<field>, since the form to add an
		// operator has a sector and a province of its own. The form keeps nothing typed:
		// the add form must not take the filter's values.
		if err := web.FieldErrorsIn("filter", err, v, nil); err != nil {
			return err
		}
		f = RegistryFilter{}
	}
	entries, err := m.Registry(r.Context(), f)
	if err != nil {
		return err
	}
	all, err := m.Registry(r.Context(), RegistryFilter{})
	if err != nil {
		return err
	}
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	setting, err := m.AnnualSettingOf(r.Context())
	if err != nil {
		return err
	}
	v.Data = registryData{Filter: f, Sectors: Sectors, Provinces: Provinces, Entries: entries, Counts: countsOf(all),
		ExportCSV: exportLink("csv", f), ExportXLSX: exportLink("xlsx", f), Annual: setting}
	return m.pages.Render(w, r, "page_registry.html", v)
}

func (m *Module) addOperatorPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	f := r.PostFormValue
	e, err := m.AddOperator(r.Context(), NewEntry{USCC: f("uscc"), NameZH: f("name_zh"), NameEN: f("name_en"), Sector: f("sector"), Province: f("province")})
	if err != nil {
		return m.renderRegistry(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/registry/%d", e.ID), m.d.Web.Messages.T(web.RequestLang(r), "oversight.reg.added"))
}

// entryData is an entry's page.
type entryData struct {
	Entry     *Entry
	Notices   []Notice
	Sectors   []Named
	Provinces []Named
	Sector    Named
	Province  Named
	Basis     string // the default legal basis of a notice
	Today     string
	Imports   []Import // signed report bundles filed outside ciiguard
	// NoticeKinds are the kinds of notice the form offers.
	NoticeKinds []string
}

func (m *Module) entryPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderEntry(w, r, id, nil)
}

func (m *Module) renderEntry(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	e, err := m.Entry(r.Context(), id)
	if err != nil {
		return err
	}
	ns, err := m.Notices(r.Context(), id)
	if err != nil {
		return err
	}
	ims, err := m.Imports(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "oversight.reg.entry", "/oversight/registry")
	v.TitleArgs = []any{v.L(e.NameZH, e.NameEN)}
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	v.Data = entryData{Entry: e, Notices: ns, Imports: ims, Sectors: Sectors, Provinces: Provinces, Sector: lookup(Sectors, e.Sector),
		Province: lookup(Provinces, e.Province), Basis: v.T("oversight.notice.default_basis"), Today: bjDay(m.now()),
		NoticeKinds: NoticeKinds}
	return m.pages.Render(w, r, "page_entry.html", v)
}

func (m *Module) updateEntryPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.UpdateEntry(r.Context(), id, EntryEdit{Sector: r.PostFormValue("sector"), Province: r.PostFormValue("province")}); err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderEntry(w, r, id, err)
		}
		return err
	}
	return web.Redirect(w, r, "/oversight/registry/"+strconv.FormatInt(id, 10), m.d.Web.Messages.T(web.RequestLang(r), "oversight.reg.saved"))
}

func (m *Module) apiAnnualSetting(w http.ResponseWriter, r *http.Request) error {
	a, err := m.AnnualSettingOf(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiSetAnnualSetting(w http.ResponseWriter, r *http.Request) error {
	var in AnnualSetting
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.SetAnnualSetting(r.Context(), in.Day)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (m *Module) setAnnualSettingPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	day := ""
	switch r.PostFormValue("annual_mode") {
	case "anniversary":
	case "day":
		day = r.PostFormValue("annual_day")
		if day == "" {
			day = "-" // a fixed day without one: refused naming annual_day
		}
	default:
		return m.renderRegistry(w, r, problem.Field("annual_mode", "must be anniversary or day"))
	}
	if _, err := m.SetAnnualSetting(r.Context(), day); err != nil {
		return m.renderRegistry(w, r, err)
	}
	return web.Redirect(w, r, "/oversight/registry", m.d.Web.Messages.T(web.RequestLang(r), "oversight.annual.saved"))
}
