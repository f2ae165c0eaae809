package suppliers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// figureOpt is one figure of a built-in equipment entry's range on the threshold form.
type figureOpt struct {
	Value            string // code/metric, the form's value
	EntryZh, EntryEn string
	T                Threshold // the built-in figure
}

// catalogueData is the catalogue page: the effective catalogue and, for the installation's
// operations team, its overrides' forms and history.
type catalogueData struct {
	Entries []EffectiveEntry
	History []OverrideChange
	Builtin []CatalogueEntry
	Figures []figureOpt
	Groups  []string
	Admin   bool
}

func (m *Module) catalogueListPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderCatalogue(w, r, m.d.Web.NewView(r, "suppliers.catalogue_page", "/suppliers"), false)
}

func (m *Module) overridesPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderCatalogue(w, r, m.d.Web.NewView(r, "suppliers.overrides_page", "/catalogue-overrides"), true)
}

func (m *Module) renderCatalogue(w http.ResponseWriter, r *http.Request, v *web.View, admin bool) error {
	cat, err := m.EffectiveCatalogue(r.Context())
	if err != nil {
		return err
	}
	d := &catalogueData{Entries: cat.Entries(), Builtin: Catalogue, Groups: []string{GroupEquipment, GroupSecurity}, Admin: admin}
	if admin {
		if d.History, err = m.OverrideHistory(r.Context()); err != nil {
			return err
		}
		for _, e := range Catalogue {
			for _, t := range e.Thresholds {
				d.Figures = append(d.Figures, figureOpt{Value: e.Code + "/" + t.Metric, EntryZh: e.Zh, EntryEn: e.En, T: t})
			}
		}
	}
	v.Data = d
	return m.pages.Render(w, r, "page_catalogue.html", v)
}

// overrideRefused shows the overrides page again with err's refusals beside form's controls,
// each field renamed by rename (the API's name → the form control's); an error that refuses
// no field is returned for the error page.
func (m *Module) overrideRefused(w http.ResponseWriter, r *http.Request, form string, err error, rename func(string) string) error {
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		out := &problem.Invalid{}
		for _, f := range inv.Fields {
			f.Field = rename(f.Field)
			out.Fields = append(out.Fields, f)
		}
		err = out
	}
	v := m.d.Web.NewView(r, "suppliers.overrides_page", "/catalogue-overrides")
	if ferr := web.FieldErrorsIn(form, err, v, r.PostForm); ferr != nil {
		return ferr
	}
	return m.renderCatalogue(w, r, v, true)
}

func keep(f string) string { return f }

func (m *Module) overrideSaved(w http.ResponseWriter, r *http.Request, code string) error {
	return web.Redirect(w, r, "/catalogue-overrides#entry-"+url.PathEscape(code), m.t(r, "suppliers.override_saved"))
}

// notApplicablePage marks a built-in entry not applicable.
func (m *Module) notApplicablePage(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.PostFormValue("code"))
	org, _ := store.OrgFrom(r.Context())
	if _, err := m.SetOverride(r.Context(), org, code, OverrideInput{Kind: OverrideNotApplicable, Reason: r.PostFormValue("reason")}); err != nil {
		return m.overrideRefused(w, r, "na", err, keep)
	}
	return m.overrideSaved(w, r, code)
}

// thresholdPage changes one figure of a built-in equipment entry's range, keeping the
// figures an earlier override changed.
func (m *Module) thresholdPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code, metric, _ := strings.Cut(strings.TrimSpace(r.PostFormValue("figure")), "/")
	rename := func(f string) string {
		switch {
		case f == "code":
			return "figure"
		case f == "values" || strings.HasPrefix(f, "values."):
			return "value"
		}
		return f
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("value")), 64)
	if err != nil {
		return m.overrideRefused(w, r, "th", problem.Field("value", "is not a number"), keep)
	}
	values := map[string]float64{}
	os, err := m.Overrides(ctx)
	if err != nil {
		return err
	}
	for _, o := range os {
		if o.Code == code && o.Kind == OverrideThreshold {
			for k, v := range o.Values {
				values[k] = v
			}
		}
	}
	values[metric] = x
	org, _ := store.OrgFrom(ctx)
	if _, err := m.SetOverride(ctx, org, code, OverrideInput{Kind: OverrideThreshold, Values: values, Reason: r.PostFormValue("reason")}); err != nil {
		return m.overrideRefused(w, r, "th", err, rename)
	}
	return m.overrideSaved(w, r, code)
}

// addEntryPage adds an entry to the installation's catalogue; the range is typed one figure
// a line (ParseThresholds).
func (m *Module) addEntryPage(w http.ResponseWriter, r *http.Request) error {
	rename := func(f string) string {
		f = strings.TrimPrefix(f, "entry.")
		if strings.HasPrefix(f, "thresholds") {
			return "thresholds"
		}
		return f
	}
	ts, err := ParseThresholds(r.PostFormValue("thresholds"))
	if err != nil {
		return m.overrideRefused(w, r, "add", err, keep)
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	in := OverrideInput{Kind: OverrideAdded, Reason: r.PostFormValue("reason"), Entry: &EntryInput{
		Group: r.PostFormValue("group"), Zh: r.PostFormValue("zh"), En: r.PostFormValue("en"),
		DescZh: r.PostFormValue("description_zh"), DescEn: r.PostFormValue("description_en"), Thresholds: ts,
		Instrument: r.PostFormValue("instrument"), Source: r.PostFormValue("source"), Confirmed: r.PostFormValue("confirmed") == "yes"}}
	org, _ := store.OrgFrom(r.Context())
	if _, err := m.SetOverride(r.Context(), org, code, in); err != nil {
		return m.overrideRefused(w, r, "add", err, rename)
	}
	return m.overrideSaved(w, r, code)
}

// withdrawPage withdraws an override, with its reason.
func (m *Module) withdrawPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	org, _ := store.OrgFrom(r.Context())
	if err := m.WithdrawOverride(r.Context(), org, code, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		return m.overrideRefused(w, r, "wd-"+code, err, keep)
	}
	return web.Redirect(w, r, "/catalogue-overrides", m.t(r, "suppliers.override_withdrawn"))
}
