package appstore_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestRetireDocument: the platform's rules 1.0 and 2.0 and its agreement 1.0 are recorded;
// 2.0 supersedes 1.0 (both listed, states by hand: superseded, in effect). Retiring needs a
// reason (400 naming it), another organisation's retire is 404 before the input is judged,
// a second retire 409. Retired means withdrawn, not replaced: retiring 2.0 puts 1.0 back in
// effect, and the fact set's "rules in effect" holds until every rules version is retired,
// then is false; all three stay listed (the oracle: the documents recorded here). On both
// engines.
func TestRetireDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		r := makeStore(t, env, admin) // rules 1.0, effective 2026-01-05
		api(t, admin, "POST", "/api/v1/appstore/documents", `{"kind":"agreement","version":"1.0","title":"服务协议","effective_on":"2026-01-05"}`, 201, nil)
		var v2 struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/documents", `{"kind":"rules","version":"2.0","title":"平台规则（修订）","effective_on":"2026-02-01"}`, 201, &v2)
		type doc struct {
			ID           int64
			State        string
			RetireReason string `json:"retire_reason"`
		}
		read := func() (map[int64]doc, bool) {
			var p struct {
				Documents []doc
				Facts     struct {
					RulesPublished bool `json:"rules_published"`
				}
			}
			api(t, admin, "GET", "/api/v1/appstore/platform", "", 200, &p)
			out := map[int64]doc{}
			for _, d := range p.Documents {
				out[d.ID] = d
			}
			return out, p.Facts.RulesPublished
		}
		docs, inEffect := read()
		if docs[r.Document].State != "superseded" || docs[v2.ID].State != "in_effect" || !inEffect {
			t.Fatalf("before retiring: 1.0 %q, 2.0 %q, rules in effect %v; want superseded, in_effect, true", docs[r.Document].State, docs[v2.ID].State, inEffect)
		}
		retire := func(c *apptest.Client, id int64, body string) (*http.Response, string) {
			return c.Do("POST", fmt.Sprintf("/api/v1/appstore/documents/%d/retire", id), nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, body)
		}
		if res, body := retire(admin, v2.ID, `{"reason":" "}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("retire without a reason: %d %s, want 400 naming reason", res.StatusCode, body)
		}
		water := env.Login(t, "admin@water.demo")
		if res, _ := retire(water, v2.ID, `{}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation retiring, with no reason: %d, want 404", res.StatusCode)
		}
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/documents/%d/retire", v2.ID), `{"reason":"修订内容与监管要求不符，撤回"}`, 200, nil)
		if res, _ := retire(admin, v2.ID, `{"reason":"again"}`); res.StatusCode != http.StatusConflict {
			t.Errorf("second retire: %d, want 409", res.StatusCode)
		}
		docs, inEffect = read()
		if docs[v2.ID].State != "retired" || docs[v2.ID].RetireReason == "" || docs[r.Document].State != "in_effect" || !inEffect {
			t.Errorf("after retiring 2.0: 2.0 %+v, 1.0 %q, rules in effect %v; want retired with its reason, 1.0 in effect, true", docs[v2.ID], docs[r.Document].State, inEffect)
		}
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/documents/%d/retire", r.Document), `{"reason":"规则整体撤回"}`, 200, nil)
		if docs, inEffect = read(); inEffect || len(docs) != 3 {
			t.Errorf("every rules version retired: rules in effect %v with %d documents listed; want false, all three kept", inEffect, len(docs))
		}
		_, page := admin.Do("GET", "/appstore", nil, nil)
		if !strings.Contains(page, fmt.Sprintf(`id="document-%d"`, v2.ID)) || !strings.Contains(page, `data-state="retired"`) {
			t.Errorf("the platform page does not list the retired document as retired")
		}
	})
}
