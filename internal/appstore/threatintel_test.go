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
		v3, result, codes := send(3, "torch-clean")
		if result == "blocked" || contains(codes, "threat_mobile_malware") {
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

		// One version taken down as malicious shares that version's two hashes only
		// (its package and its code file), not the app's other packages.
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/reinstate", td2.ID), `{"reason":"资质已更新"}`, 200, nil)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/review", v3), `{"decision":"approved","note":"无问题"}`, 200, nil)
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/publish", v3), `{}`, 200, nil)
		var vt struct{ ID int64 }
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/versions/%d/takedown", v3), `{"reason":"恶意扣费","legal_basis":"《网络数据安全管理条例》第四十一条","notice":"已下架","malicious":true}`, 201, &vt)
		shared.Indicators = 0
		api(t, admin, "POST", fmt.Sprintf("/api/v1/appstore/takedowns/%d/share", vt.ID), `{}`, 200, &shared)
		if shared.Indicators != 2 {
			t.Errorf("a version's take-down shared %d indicators, want 2 (its package and its code file)", shared.Indicators)
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

// TestThreatCollectionMatchesOnSale: the demo app store's versions on sale are counted
// against the threat capability's mobile-malware collection by package name and signing
// certificate, and the malicious-app duty reads the count. After a STIX bundle names one
// app's package (software:name) and another developer's certificate fingerprint
// (x509-certificate:hashes.'SHA-256'), the fact published_threat_matches is the number of
// apps on sale that are the first or signed by the second — counted here from the apps'
// listing (each app has one version; the demo signs all of a developer's apps with one
// certificate) — and MIIT14-T6-MALICIOUS-APP-BLACKLIST turns from met to gap. Failed first
// without the fact: "published_threat_matches 0, want 3" and the duty "met".
func TestThreatCollectionMatchesOnSale(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "admin@appstore.demo")
	var apps struct {
		Apps []struct {
			ID          int64
			State       string
			Package     string
			DeveloperID int64 `json:"developer_id"`
		}
	}
	api(t, c, "GET", "/api/v1/appstore/apps", "", 200, &apps)
	var on []int
	for i, a := range apps.Apps {
		if a.State == "published" {
			on = append(on, i)
		}
	}
	first, second := apps.Apps[on[0]], apps.Apps[on[0]]
	for _, i := range on {
		if apps.Apps[i].DeveloperID != first.DeveloperID {
			second = apps.Apps[i]
			break
		}
	}
	var one struct {
		Versions []struct {
			CertSHA256 string `json:"cert_sha256"`
		}
	}
	api(t, c, "GET", "/api/v1/appstore/apps/"+itoa(second.ID), "", 200, &one)
	want := 0
	for _, i := range on {
		if a := apps.Apps[i]; a.ID == first.ID || a.DeveloperID == second.DeveloperID {
			want++
		}
	}
	facts := func() int64 {
		var p struct {
			Facts struct {
				N int64 `json:"published_threat_matches"`
			}
		}
		api(t, c, "GET", "/api/v1/appstore/platform", "", 200, &p)
		return p.Facts.N
	}
	duty := func() string {
		var ev struct{ Pending bool }
		api(t, c, "GET", "/api/v1/evaluation?wait=20s", "", 200, &ev)
		var fs struct {
			Findings []struct {
				ObligationID string `json:"obligation_id"`
				Status       string
			}
		}
		api(t, c, "GET", "/api/v1/findings?area=appstore", "", 200, &fs)
		for _, f := range fs.Findings {
			if f.ObligationID == "MIIT14-T6-MALICIOUS-APP-BLACKLIST" {
				return f.Status
			}
		}
		return ""
	}
	if n, s := facts(), duty(); n != 0 || s != "met" {
		t.Fatalf("before the bundle: published_threat_matches %d, duty %q; want 0 and met", n, s)
	}
	ind := func(n int, name, pattern string) map[string]any {
		return map[string]any{"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--6b1b2c3d-0000-4000-8000-00000000000%d", n),
			"created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z", "name": name, "pattern": pattern,
			"pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"}
	}
	bundle, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--6b1b2c3d-0000-4000-8000-000000000000", "objects": []any{
		ind(1, "仿冒应用包名", fmt.Sprintf("[software:name = '%s']", first.Package)),
		ind(2, "恶意开发者签名证书", fmt.Sprintf("[x509-certificate:hashes.'SHA-256' = '%s']", one.Versions[0].CertSHA256)),
	}})
	var im struct{ ID int64 }
	body, _ := json.Marshal(map[string]string{"format": "stix", "collection": "miit_mobile", "name": "移动恶意程序库更新", "tlp": "amber", "content": string(bundle)})
	api(t, c, "POST", "/api/v1/threat/imports", string(body), 201, &im)
	api(t, c, "POST", fmt.Sprintf("/api/v1/threat/imports/%d/commit", im.ID), `{}`, 200, nil)
	if n := facts(); n != int64(want) {
		t.Errorf("published_threat_matches %d, want %d", n, want)
	}
	if s := duty(); s != "gap" {
		t.Errorf("MIIT14-T6-MALICIOUS-APP-BLACKLIST after the bundle: %q, want gap", s)
	}
}
