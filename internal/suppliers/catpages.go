package suppliers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// specField is one figure of the catalogue's equipment ranges on the product page's form:
// a metric shared by several entries (the throughput of routers and switches) is one field.
type specField struct {
	Metric, Zh, En, UnitZh, UnitEn string
	// Of names the entries whose range uses the figure.
	OfZh, OfEn string
}

// specFields lists the ranges' figures in the order of the effective catalogue cat.
func specFields(cat Effective) []specField {
	var out []specField
	at := map[string]int{}
	for _, e := range cat.Entries() {
		for _, t := range e.Thresholds {
			if i, ok := at[t.Metric]; ok {
				out[i].OfZh += "、" + e.Zh
				out[i].OfEn += ", " + e.En
				continue
			}
			at[t.Metric] = len(out)
			out = append(out, specField{Metric: t.Metric, Zh: t.Zh, En: t.En, UnitZh: t.UnitZh, UnitEn: t.UnitEn, OfZh: e.Zh, OfEn: e.En})
		}
	}
	return out
}

// catalogueForm is the product page's catalogue form as typed.
type catalogueForm struct {
	Category string
	Specs    map[string]string // metric → the figure as typed
	Fields   []specField
	cat      Effective
}

// Field is the form key of a figure, the field its refusal names.
func (catalogueForm) Field(metric string) string { return "catalogue_specs." + metric }

func catalogueFormOf(cat Effective, p Product) catalogueForm {
	f := catalogueForm{Category: p.Category, Specs: map[string]string{}, Fields: specFields(cat), cat: cat}
	for k, v := range p.Specs {
		f.Specs[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return f
}

func catalogueFormFrom(cat Effective, form url.Values) catalogueForm {
	f := catalogueForm{Category: strings.TrimSpace(form.Get("catalogue_category")), Specs: map[string]string{}, Fields: specFields(cat), cat: cat}
	for _, sf := range f.Fields {
		if v := strings.TrimSpace(form.Get(f.Field(sf.Metric))); v != "" {
			f.Specs[sf.Metric] = v
		}
	}
	return f
}

// input reads the form's figures of the chosen category's range (the form shows every
// figure; those of other categories are left aside, not refused); one that is not a number
// is refused by name.
func (f catalogueForm) input(p Product) (ProductInput, error) {
	in := ProductInput{Name: p.Name, Version: p.Version, Type: p.Type, Donated: p.Donated, Systems: p.Systems, Category: f.Category, Specs: map[string]float64{}}
	e, _ := f.cat.Entry(f.Category)
	bad := &problem.Invalid{}
	for _, sf := range f.Fields {
		s, ok := f.Specs[sf.Metric]
		if !ok || !slices.ContainsFunc(e.Thresholds, func(t Threshold) bool { return t.Metric == sf.Metric }) {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			bad.Add(f.Field(sf.Metric), "is not a number")
			continue
		}
		in.Specs[sf.Metric] = v
	}
	return in, bad.Err()
}

// cataloguePage places a product on the catalogue: its category and its figures.
func (m *Module) cataloguePage(w http.ResponseWriter, r *http.Request) error {
	x, p, err := m.supplierProduct(r)
	if err != nil {
		return err
	}
	cat, err := m.EffectiveCatalogue(r.Context())
	if err != nil {
		return err
	}
	in, err := catalogueFormFrom(cat, r.PostForm).input(p)
	if err == nil {
		_, err = m.UpdateProduct(r.Context(), p.ID, in)
	}
	if err != nil {
		v := m.d.Web.NewView(r, "suppliers.product", "/suppliers")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.renderProduct(w, r, v, x, p, certInput(p), nil)
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/products/%d#catalogue", x.ID, p.ID), m.t(r, "suppliers.catalogue_saved"))
}

// apiCatalogue gives the effective catalogue, each entry with its instrument, edition,
// source, whether it is built-in, changed or added by this installation, and the override.
func (m *Module) apiCatalogue(w http.ResponseWriter, r *http.Request) error {
	cat, err := m.EffectiveCatalogue(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"catalogue": cat.Entries(), "not_listed": CategoryNotListed})
}
