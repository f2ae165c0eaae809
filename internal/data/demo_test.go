package data_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/calendar"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDemo checks the demo's data map as a user sees it through the API, on both engines:
// 30 assets and 6 transfers; the research data exempt under CBDF 2024 Art. 3 and the
// expatriates' records under Art. 5(2); the app's international users assessed as a CII
// operator's export (Art. 7(1)), its count passing 1,000,000 on the day of the sending that
// took it there; the vendor's assessment expiring within months (a gap of the renewal duty once its
// extension window opens), while the CII export duty is met. Another operator's users get 404 for every record.
func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		res, body := sm.Do("GET", "/api/v1/data/assets", nil, nil)
		var assets struct{ Assets []struct{ ID int64 } }
		decode(t, res, body, 200, &assets)
		if len(assets.Assets) != 30 {
			t.Errorf("%d assets, want 30", len(assets.Assets))
		}
		xs := transfers(t, sm)
		if len(xs) != 6 {
			t.Fatalf("%d transfers, want 6", len(xs))
		}
		want := map[string]struct{ route, exemption, article string }{
			"新加坡能源技术研究院":        {"exempt", "trade_academic_no_pi", "Art. 3"},
			"亚洲电网云服务有限公司":       {"assessment", "", "Art. 7(1)"},
			"莱茵工业控制有限公司":        {"assessment", "", "Art. 7(1)"},
			"示例电网国际控股有限公司人力资源部": {"exempt", "cross_border_hr", "Art. 5(2)"},
			"欧洲能源大学联合实验室":       {"none", "", "Art. 3"},
			"环球健康保险（亚洲）有限公司":    {"assessment", "", "Art. 7(1)"},
		}
		var crossingBatch, renewal string
		for _, x := range xs {
			w, ok := want[x.Recipient]
			if !ok {
				t.Errorf("unexpected transfer to %s", x.Recipient)
				continue
			}
			if x.Route.Route != w.route || x.Route.Exemption != w.exemption || !strings.HasSuffix(x.Route.Rule.En, w.article) || x.Route.Version != "2024" {
				t.Errorf("%s: %s %q by %q (%s), want %s %q by … %s", x.Recipient, x.Route.Route, x.Route.Exemption, x.Route.Rule.En, x.Route.Version, w.route, w.exemption, w.article)
			}
			for _, b := range x.Batches {
				if b.Note == "国际版推广后新增用户" {
					crossingBatch = b.SentOn
				}
			}
			if x.Recipient == "莱茵工业控制有限公司" {
				// Approved under the 2024 rules (3 years), expiring within 120 days; in its
				// extension window once the window has opened.
				today := time.Now().In(calendar.Shanghai).Format(time.DateOnly)
				horizon := time.Now().In(calendar.Shanghai).AddDate(0, 0, 120).Format(time.DateOnly)
				if len(x.Mechanisms) != 1 {
					t.Fatalf("the vendor's mechanisms: %+v", x.Mechanisms)
				}
				m := x.Mechanisms[0]
				wantStatus := "approved"
				if today >= m.WindowOpens {
					wantStatus = "extension_due"
				}
				if m.ValidThrough < today || m.ValidThrough > horizon || m.WindowOpens >= m.ValidThrough || m.Status != wantStatus {
					t.Errorf("the vendor's assessment: %+v, want valid through 0-120 days from %s, status %s", m, today, wantStatus)
				}
				renewal = wantStatus
			} else if !x.Covered {
				t.Errorf("%s: not covered", x.Recipient)
			}
		}
		res, body = sm.Do("GET", "/api/v1/data", nil, nil)
		var sum struct {
			Count struct {
				NonSensitive int64 `json:"non_sensitive"`
				Sensitive    int64 `json:"sensitive"`
			} `json:"count"`
			Crossings []struct{ On, Route string }
		}
		decode(t, res, body, 200, &sum)
		// 600,000 + 450,000 app users and 120 engineers; the exempt HR transfer's 320 not counted.
		if sum.Count.NonSensitive != 1_050_120 || sum.Count.Sensitive != 280 {
			t.Errorf("count %+v, want 1,050,120 and 280", sum.Count)
		}
		crossed := ""
		for _, c := range sum.Crossings {
			if c.Route == "assessment" {
				crossed = c.On
			}
		}
		if crossingBatch == "" || crossed != crossingBatch {
			t.Errorf("assessment threshold crossed on %q, want the day of the sending that passed 1,000,000 (%q): %s", crossed, crossingBatch, body)
		}
		// Issue 10 items 8 and 14, on the data page in Chinese: the crossing's counts and
		// thresholds written as CBDF 2024 Art. 7 writes them (100万人, 1万人) or with
		// separators, and each asset's systems linked to their pages.
		_, page := sm.Do("GET", "/data", nil, map[string]string{"Accept-Language": "zh-CN"})
		if want := "累计1,050,120人个人信息（不含敏感）、280人敏感个人信息，达到安全评估门槛（100万人或敏感1万人）"; !strings.Contains(page, want) {
			t.Errorf("the data page does not state the crossing as %s", want)
		}
		_, body = sm.Do("GET", "/api/v1/scope/systems?limit=1000", nil, nil)
		var inv struct {
			Systems []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"systems"`
		}
		decode(t, res, body, 200, &inv)
		for _, x := range inv.Systems {
			if x.Name == "电力市场交易系统" {
				if want := `<a href="/scope/systems/` + strconv.FormatInt(x.ID, 10) + `">电力市场交易系统</a>`; !strings.Contains(page, want) {
					t.Errorf("the data page's assets do not link their system: want %s", want)
				}
			}
		}

		if st, en, _ := finding(t, sm, "CBDF-CII-EXPORT-SECURITY-ASSESSMENT"); st != "met" {
			t.Errorf("CII export duty on the demo: %s %q", st, en)
		}
		if st, en, _ := finding(t, sm, "CBDF-ASSESSMENT-RENEWAL"); (renewal == "extension_due") != (st == "gap") {
			t.Errorf("renewal duty on the demo with the vendor's assessment %s: %s %q", renewal, st, en)
		}
		if st, en, _ := finding(t, sm, "PIPL-EXPORT-IMPACT-ASSESSMENT"); st != "met" {
			t.Errorf("impact assessment duty on the demo: %s %q", st, en)
		}

		// Another operator sees none of it.
		water := env.Login(t, "security@water.demo")
		h := jsonHdr(water.CSRF)
		x := xs[0]
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/data/transfers/" + strconv.FormatInt(x.ID, 10), ""},
			{"GET", "/data/transfers/" + strconv.FormatInt(x.ID, 10), ""},
			{"GET", "/api/v1/data/assets/" + strconv.FormatInt(assets.Assets[0].ID, 10), ""},
			{"POST", "/api/v1/data/transfers/" + strconv.FormatInt(x.ID, 10) + "/batches", `{"sent_on":"2026-01-05","people":1}`},
			{"POST", "/api/v1/data/transfers/" + strconv.FormatInt(x.ID, 10) + "/mechanisms", `{"kind":"standard_contract","effective_on":"2026-01-05"}`},
			{"POST", "/api/v1/data/transfers/" + strconv.FormatInt(x.ID, 10) + "/pipias", `{"assessed_on":"2026-01-05","purpose_necessity":"a","rights_impact":"b","security_measures":"c","country_risks":"d","approver":"e"}`},
		} {
			var res *http.Response
			var body string
			if c.body == "" {
				res, body = water.Do(c.method, c.path, nil, nil)
			} else {
				res, body = water.Do(c.method, c.path, nil, h, c.body)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("water: %s %s: %d, want 404: %.200s", c.method, c.path, res.StatusCode, body)
			}
		}
		for _, x := range xs {
			for _, m := range x.Mechanisms {
				if res, body := water.Do("PUT", "/api/v1/data/mechanisms/"+strconv.FormatInt(m.ID, 10)+"/filing", nil, h, `{"filed_on":"2026-01-05","filing_ref":"x"}`); res.StatusCode != http.StatusNotFound {
					t.Errorf("water: filing another's mechanism: %d %s", res.StatusCode, body)
				}
			}
			for _, p := range x.PIPIAs {
				if res, body := water.Do("DELETE", "/api/v1/data/pipias/"+strconv.FormatInt(p.ID, 10), nil, h); res.StatusCode != http.StatusNotFound {
					t.Errorf("water: deleting another's impact assessment: %d %s", res.StatusCode, body)
				}
			}
		}
	})
}
