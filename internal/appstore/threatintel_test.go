package appstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/appstore"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestThreatCollectionBlocksAndTakedownIsShared runs the two ends of the app store's link
// with the threat information, through the real threat and TAXII capabilities on both
// engines:
//
//   - a code file's SHA-256 imported into the operator's mobile-malware collection
//     (miit_mobile, the MIIT 2014 task-3 database) after a version was approved stops its
//     publication (409 naming the collection), and a new upload with that file is blocked
//     by the automated review; an upload with other code is not;
//   - the app's take-down, marked malicious, is shared with the regulator the operator
//     named: the regulator reads, in its TAXII sharing group, one TLP:AMBER indicator for
//     each SHA-256 the app's packages and code files have (the oracle: the hashes of the
//     bytes the test built, computed here), created by the platform's identity; a second
//     share is 409, and a take-down not marked malicious is refused.
//
// It failed first with publication allowed ("publish after the import: 200, want 409")
// and the share route missing.
func TestThreatCollectionBlocksAndTakedownIsShared(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@grid.demo")
		api(t, admin, "PUT", "/api/v1/appstore/platform", `{"name":"示例电网应用商店","online_on":"2026-01-05","cac_province":"北京市互联网信息办公室","filed_on":"2026-01-20","filing_reference":"京网信备11010126000002号","complaint_channel":"网页表单"}`, 200, nil)
		var dev struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/developers", `{"kind":"individual","name":"李小红","resident_id":"11010519491231002X","phone":"13912340000"}`, 201, &dev)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/code", dev.ID), `{}`, 202, nil)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/confirm", dev.ID), fmt.Sprintf(`{"code":%q}`, smsCode(t, env, "13912340000")), 200, nil)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/developers/%d/decision", dev.ID), `{"state":"verified"}`, 200, nil)
		var app struct{ ID int64 }
		api(t, admin, "POST", "/api/v1/appstore/apps", fmt.Sprintf(`{"developer_id":%d,"name":"手电筒","package":"cn.example.torch","filing_number":"京ICP备12345678号-6A","declared_permissions":["INTERNET"]}`, dev.ID), 201, &app)
		cert, err := appstore.NewCertificate("李小红")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{} // every SHA-256 the app is known by: the oracle of the share
		send := func(code int64, dex string) (int64, string, []string) {
			t.Helper()
			raw, err := appstore.BuildAPK(appstore.APKSpec{Package: "cn.example.torch", VersionCode: code, VersionName: fmt.Sprintf("1.%d", code), MinSDK: 24, TargetSDK: 34,
				Permissions: []string{"android.permission.INTERNET"}, Dex: []byte(dex), Cert: cert})
			if err != nil {
				t.Fatal(err)
			}
			want[hexSHA(raw)], want[hexSHA([]byte(dex))] = true, true
			res, b := upload(t, admin, fmt.Sprintf("/api/v1/appstore/apps/%d/versions", app.ID), raw)
			var v struct {
				ID       int64
				Result   string                  `json:"auto_result"`
				Findings []struct{ Code string } `json:"auto_findings"`
			}
			if res.StatusCode != 201 || json.Unmarshal([]byte(b), &v) != nil {
				t.Fatalf("upload %d: %d %s", code, res.StatusCode, b)
			}
			var codes []string
			for _, f := range v.Findings {
				codes = append(codes, f.Code)
			}
			return v.ID, v.Result, codes
		}
		v1, result, _ := send(1, "torch-payload")
		if result != "pass" {
			t.Fatalf("first upload: %s, want pass before the collection knows it", result)
		}
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/review", v1), `{"decision":"approved","note":"无问题"}`, 200, nil)

		// The threat capability learns the code file's hash (a list import into
		// miit_mobile, committed as an analyst would).
		var im struct{ ID int64 }
		body, _ := json.Marshal(map[string]string{"format": "list", "collection": "miit_mobile", "name": "移动恶意程序样本", "tlp": "amber", "content": hexSHA([]byte("torch-payload")) + "\n"})
		api(t, admin, "POST", "/api/v1/threat/imports", string(body), 201, &im)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/threat/imports/%d/commit", im.ID), `{}`, 200, nil)

		res, b := admin.Do("POST", fmt.Sprintf("/api/v1/appstore/versions/%d/publish", v1), nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{}`)
		if res.StatusCode != http.StatusConflict || !strings.Contains(b, `"version"`) || !strings.Contains(b, "mobile-malware") {
			t.Fatalf("publish after the import: %d %s, want 409 naming version and the mobile-malware database", res.StatusCode, b)
		}
		if _, result, codes := send(2, "torch-payload"); result != "blocked" || !contains(codes, "threat_mobile_malware") {
			t.Errorf("upload with the known code file: %s %v, want blocked by threat_mobile_malware", result, codes)
		}
		if _, result, codes := send(3, "torch-clean"); result == "blocked" || contains(codes, "threat_mobile_malware") {
			t.Errorf("upload with other code: %s %v, want not blocked", result, codes)
		}

		// The take-down, marked malicious, shared with the grid's regulator.
		var td struct{ ID int64 }
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/apps/%d/takedown", app.ID), `{"reason":"恶意扣费","legal_basis":"《网络数据安全管理条例》第四十一条","notice":"已下架","malicious":true}`, 201, &td)
		var shared struct {
			SharedAt   string `json:"shared_at"`
			SharedTo   string `json:"shared_to"`
			Indicators int    `json:"shared_indicators"`
		}
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/share", td.ID), `{}`, 200, &shared)
		if shared.SharedAt == "" || shared.SharedTo == "" || shared.Indicators != len(want) {
			t.Errorf("share: %+v, want %d indicators to the regulator", shared, len(want))
		}
		res, b = admin.Do("POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/share", td.ID), nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{}`)
		if res.StatusCode != http.StatusConflict {
			t.Errorf("second share: %d %s, want 409", res.StatusCode, b)
		}
		_, page := admin.Do("GET", fmt.Sprintf("/appstore/apps/%d", app.ID), nil, nil)
		if !strings.Contains(page, fmt.Sprintf(`id="shared-%d"`, td.ID)) {
			t.Errorf("the app's page does not say the take-down was shared")
		}

		// What the regulator reads in its sharing group.
		reg := env.Login(t, "admin@regulator.demo")
		taxii := map[string]string{"Accept": "application/taxii+json;version=2.1"}
		res, b = reg.Do("GET", "/taxii2/ciiguard/collections/", nil, taxii)
		var cols struct {
			Collections []struct{ ID, Alias string }
		}
		if res.StatusCode != 200 || json.Unmarshal([]byte(b), &cols) != nil {
			t.Fatalf("regulator's collections: %d %s", res.StatusCode, b)
		}
		group := ""
		for _, c := range cols.Collections {
			if c.Alias == "sharing" {
				group = c.ID
			}
		}
		res, b = reg.Do("GET", "/taxii2/ciiguard/collections/"+group+"/objects/", nil, taxii)
		var env2 struct {
			Objects []struct {
				Type, ID, Pattern string
				CreatedBy         string   `json:"created_by_ref"`
				Markings          []string `json:"object_marking_refs"`
				Name              string
			}
		}
		if res.StatusCode != 200 || json.Unmarshal([]byte(b), &env2) != nil {
			t.Fatalf("regulator's sharing group %q: %d %.300s", group, res.StatusCode, b)
		}
		got := map[string]bool{}
		identity := ""
		for _, o := range env2.Objects {
			if o.Type == "identity" && strings.Contains(b, "示例电网应用商店") {
				identity = o.ID
			}
		}
		for _, o := range env2.Objects {
			if o.Type != "indicator" || !strings.Contains(o.Name, "cn.example.torch") {
				continue
			}
			h := strings.TrimSuffix(strings.TrimPrefix(o.Pattern, "[file:hashes.'SHA-256' = '"), "']")
			got[h] = true
			if o.CreatedBy != identity || len(o.Markings) != 1 || o.Markings[0] != "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" {
				t.Errorf("indicator %s: created by %q (platform %q), marked %v; want the platform's, TLP:AMBER", o.ID, o.CreatedBy, identity, o.Markings)
			}
		}
		if fmt.Sprint(keys(got)) != fmt.Sprint(keys(want)) {
			t.Errorf("the regulator reads indicators for %v, want %v", keys(got), keys(want))
		}

		// A take-down not marked malicious is not shared.
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/reinstate", td.ID), `{"reason":"复核"}`, 200, nil)
		var td2 struct{ ID int64 }
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/apps/%d/takedown", app.ID), `{"reason":"资质过期","legal_basis":"平台规则","notice":"已下架"}`, 201, &td2)
		res, b = admin.Do("POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/share", td2.ID), nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "application/json"}, `{}`)
		if res.StatusCode != http.StatusConflict || !strings.Contains(b, "malicious") {
			t.Errorf("share of a take-down not marked malicious: %d %s, want 409", res.StatusCode, b)
		}
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
