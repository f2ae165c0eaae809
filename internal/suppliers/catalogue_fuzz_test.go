package suppliers

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/problem"
)

// FuzzCatalogueForm feeds the product page's catalogue form and the validation behind it
// arbitrary category codes and figures: it never panics, every refusal names the category
// or one of the form's figure fields, and what passes is a known category (or none) with
// positive figures of its range only.
func FuzzCatalogueForm(f *testing.F) {
	for _, s := range [][2]string{{"router", "12"}, {"plc", "0.08"}, {"firewall", "5"}, {"not_listed", ""}, {"", "NaN"}, {"switch", "-1e309"}, {"modem", "许多"}} {
		f.Add(s[0], s[1], "1")
	}
	f.Fuzz(func(t *testing.T, category, throughput, cpus string) {
		form := url.Values{"catalogue_category": {category}, "catalogue_specs.throughput_tbps": {throughput}, "catalogue_specs.cpus": {cpus}}
		in, err := catalogueFormFrom(Effective{}, form).input(Product{Name: "x", Type: "other"})
		v := &problem.Invalid{}
		specs := map[string]float64{}
		if err == nil {
			specs = validCatalogue(v, Effective{}, strings.TrimSpace(in.Category), in.Specs)
			err = v.Err()
		}
		var inv *problem.Invalid
		if err != nil {
			if !errors.As(err, &inv) {
				t.Fatalf("a refusal that names no field: %v", err)
			}
			for _, fe := range inv.Fields {
				if fe.Field != "catalogue_category" && !strings.HasPrefix(fe.Field, "catalogue_specs.") {
					t.Fatalf("a refusal of %q", fe.Field)
				}
			}
			return
		}
		e, ok := CatalogueEntryOf(strings.TrimSpace(category))
		if !ok && len(specs) > 0 {
			t.Fatalf("figures %v kept without an equipment category", specs)
		}
		for k, x := range specs {
			in := false
			for _, th := range e.Thresholds {
				in = in || th.Metric == k
			}
			if !in || !(x > 0) {
				t.Fatalf("figure %s = %v kept for %q", k, x, category)
			}
		}
	})
}
