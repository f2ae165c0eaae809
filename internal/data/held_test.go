package data_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/data"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestHeldFrom checks the derivation of what is held against counts made by hand: people are
// the largest single asset (the same person sits in several assets), sensitive people the
// largest asset with sensitive personal information, important data any important or core
// asset, core data any core asset; with no assets nothing is derived.
func TestHeldFrom(t *testing.T) {
	asset := func(people int64, cats ...string) data.Asset { return data.Asset{People: people, Categories: cats} }
	for _, c := range []struct {
		name   string
		assets []data.Asset
		want   data.Held
	}{
		{"no assets", nil, data.Held{}},
		{"general data only: nobody counted even with a head-count", []data.Asset{asset(5000, "general")},
			data.Held{Assets: 1}},
		// Customers 8,600,000; bills of the same customers 8,000,000; staff 12,000 with
		// medical records: the largest is 8,600,000, not the sum 8,612,000 + 8,000,000.
		{"largest asset, not the sum", []data.Asset{asset(8_600_000, "pi"), asset(8_000_000, "pi"), asset(12_000, "pi", "sensitive_pi")},
			data.Held{Assets: 3, PISubjects: 8_600_000, SensitivePISubjects: 12_000}},
		{"sensitive alone counts as personal information", []data.Asset{asset(300, "sensitive_pi")},
			data.Held{Assets: 1, PISubjects: 300, SensitivePISubjects: 300}},
		{"important data without people", []data.Asset{asset(0, "important"), asset(40, "pi")},
			data.Held{Assets: 2, PISubjects: 40, ImportantData: true}},
		{"core data is important data too", []data.Asset{asset(0, "core")},
			data.Held{Assets: 1, ImportantData: true, CoreData: true}},
		{"people of a non-PI asset are not counted", []data.Asset{asset(9_000_000, "important"), asset(10, "pi")},
			data.Held{Assets: 2, PISubjects: 10, ImportantData: true}},
	} {
		got := data.HeldFrom(c.assets)
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
		if got.Derived() != (len(c.assets) > 0) {
			t.Errorf("%s: Derived() = %v with %d assets", c.name, got.Derived(), len(c.assets))
		}
	}
}

// TestHeldDecidesDuties follows one organisation (the water operator, with no data assets
// and an empty profile) on both engines through the catalog duty NDSR-LARGE-PI-HANDLER-OFFICER
// (NDSR 2024 Art. 28: a handler of 10,000,000 or more people's personal information names a
// data security officer; applies on org.pi_subjects): with no assets the profile's typed-in
// 12,000,000 stands, so the duty is met; once an asset of 500 people is recorded, the assets
// decide and the duty no longer applies; an asset of 10,000,000 brings it back. The profile
// page (in Chinese) says the typed-in values count while no asset is recorded, and then that
// they are superseded, with the largest asset's head-count (10,000,000 written 1000万).
func TestHeldDecidesDuties(t *testing.T) {
	const duty = "NDSR-LARGE-PI-HANDLER-OFFICER"
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@water.demo")
		h := jsonHdr(sm.CSRF)
		res, body := sm.Do("PUT", "/api/v1/scope/profile", nil, h, `{"uscc":"91110000MA0WTR016B","sectors":["water"],"pi_subjects":12000000,"data_security_officer_named":true}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("profile: %d %s", res.StatusCode, body)
		}
		if st, _, _ := finding(t, sm, duty); st != "met" {
			t.Fatalf("no assets, typed-in 12,000,000: %s; want met (the profile stands)", st)
		}
		profile := func() string {
			t.Helper()
			res, page := sm.Do("GET", "/scope/profile", nil, map[string]string{"Accept-Language": "zh-CN"})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("profile page: %d", res.StatusCode)
			}
			return page
		}
		if page := profile(); !strings.Contains(page, "尚未登记数据资产：本页填报的个人信息主体人数") || strings.Contains(page, "取代本页填报") {
			t.Errorf("profile page with no assets does not say the typed-in values count")
		}
		asset := func(name string, people int64) {
			t.Helper()
			res, body := sm.Do("POST", "/api/v1/data/assets", nil, h, fmt.Sprintf(`{"name":%q,"department":"营业部","categories":["pi"],"people":%d,"locations":[{"region":"北京市"}],"retention":"3年","legal_basis":"contract","purposes":"供水服务","level":"general","level_reason":"一般数据"}`, name, people))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("asset %s: %d %s", name, res.StatusCode, body)
			}
		}
		asset("报修记录", 500)
		if st, _, _ := finding(t, sm, duty); st != "not_applicable" {
			t.Errorf("an asset of 500 people: %s; want not_applicable (the assets decide)", st)
		}
		asset("供水用户档案", 10_000_000)
		if st, _, _ := finding(t, sm, duty); st != "met" {
			t.Errorf("an asset of 10,000,000 people: %s; want met", st)
		}
		page := profile()
		for _, want := range []string{"已登记2项数据资产：下列数值由资产计算，取代本页填报的",
			"<tr><th>个人信息主体人数（单项资产最多人数）</th><td>1000万</td></tr>",
			"<tr><th>敏感个人信息主体人数（单项资产最多人数）</th><td>0</td></tr>",
			"<tr><th>有重要数据或核心数据资产</th><td>否</td></tr>"} {
			if !strings.Contains(page, want) {
				t.Errorf("profile page with assets lacks %q", want)
			}
		}
	})
}
