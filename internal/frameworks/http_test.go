package frameworks_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// regexpMissing finds a message key shown without its message.
var regexpMissing = regexp.MustCompile(`\[[a-z_]+\.[a-z0-9_.]+\]`)

// TestHTTP drives the pages and the API as the demo's users: the demo framework and its
// coverage, upload and replace, mapping validation, removal and deletion, and refusals.
func TestHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sec := env.Login(t, "security@grid.demo")
		h := map[string]string{"X-CSRF-Token": sec.CSRF, "Content-Type": "application/json"}

		// The demo's framework, its coverage and its page.
		res, body := sec.Do("GET", "/api/v1/frameworks/"+frameworks.DemoFramework+"/coverage", nil, nil)
		var cv frameworks.Coverage
		if err := json.Unmarshal([]byte(body), &cv); err != nil || res.StatusCode != 200 {
			t.Fatalf("demo coverage: %d %s", res.StatusCode, body)
		}
		if cv.Framework.Mappings < 10 || cv.Applicable == 0 || cv.Covered == 0 || len(cv.Unmapped) == 0 || cv.Covered+len(cv.Unmapped) != cv.Applicable {
			t.Fatalf("demo coverage: %d mappings, %d applicable, %d covered, %d unmapped", cv.Framework.Mappings, cv.Applicable, cv.Covered, len(cv.Unmapped))
		}
		for _, lang := range web.Langs {
			sec.Do("POST", "/lang", url.Values{"lang": {lang}}, nil)
			res, page := sec.Do("GET", "/frameworks/"+frameworks.DemoFramework, nil, nil)
			if res.StatusCode != 200 || !strings.Contains(page, "CSL-LOG-RETENTION") || !strings.Contains(page, `id="unmapped"`) || !strings.Contains(page, `action="/frameworks/DEMO-BASELINE/mappings"`) {
				t.Fatalf("demo framework page in %s: %d", lang, res.StatusCode)
			}
			if k := regexpMissing.FindString(page); k != "" {
				t.Fatalf("page in %s shows a key without a message: %s", lang, k)
			}
			// Each page has its own title (issue 10 item 14): the framework's id.
			if want := map[string]string{"zh-CN": "<title>控制框架 DEMO-BASELINE · ciiguard</title>", "en": "<title>Framework DEMO-BASELINE · ciiguard</title>"}[lang]; !strings.Contains(page, want) {
				t.Errorf("the framework's page in %s is titled %q", lang, page[strings.Index(page, "<title>"):strings.Index(page, "</title>")])
			}
		}

		// Upload through the API, then again to replace.
		res, body = sec.Do("PUT", "/api/v1/frameworks/TEST-FW", nil, h, string(oscal("API test", "1", "t-1", "t-2", "t-3")))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		res, body = sec.Do("POST", "/api/v1/frameworks/TEST-FW/mappings", nil, h, `{"control_id":"t-2","obligation_id":"CSL-LOG-RETENTION","relation":"subset","note":"n"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("add mapping: %d %s", res.StatusCode, body)
		}
		res, body = sec.Do("PUT", "/api/v1/frameworks/TEST-FW", nil, h, string(oscal("API test", "2", "t-1", "t-3")))
		var ir frameworks.ImportResult
		if err := json.Unmarshal([]byte(body), &ir); err != nil || res.StatusCode != 200 || !ir.Replaced || ir.MappingsDropped != 1 {
			t.Fatalf("replace: %d %s", res.StatusCode, body)
		}

		// Problems name the field; unknown frameworks in the path are 404.
		cases := []struct {
			method, path, body, field string
			code                      int
		}{
			{"POST", "/api/v1/frameworks/TEST-FW/mappings", `{"control_id":"t-1","obligation_id":"CSL-LOG-RETENTION","relation":"same"}`, "relation", 400},
			{"POST", "/api/v1/frameworks/TEST-FW/mappings", `{"control_id":"t-9","obligation_id":"CSL-LOG-RETENTION","relation":"subset"}`, "control_id", 400},
			{"POST", "/api/v1/frameworks/TEST-FW/mappings", `{"control_id":"t-1","obligation_id":"NOPE","relation":"subset"}`, "obligation_id", 400},
			{"POST", "/api/v1/frameworks/TEST-FW/mappings", `{"control":"t-1"}`, "control", 400},
			{"POST", "/api/v1/frameworks/NOPE/mappings", `{"control_id":"t-1","obligation_id":"CSL-LOG-RETENTION","relation":"subset"}`, "", 404},
			{"PUT", "/api/v1/frameworks/TEST-FW", `{"catalog":{}}`, "body", 400},
			{"PUT", "/api/v1/frameworks/9bad", string(oscal("T", "1", "a")), "id", 400},
			{"DELETE", "/api/v1/frameworks/TEST-FW/mappings/t-2/CSL-LOG-RETENTION", "", "", 404},
			{"GET", "/api/v1/frameworks/NOPE", "", "", 404},
		}
		for _, c := range cases {
			res, body := sec.Do(c.method, c.path, nil, h, c.body)
			var p web.Problem
			_ = json.Unmarshal([]byte(body), &p)
			if res.StatusCode != c.code || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Errorf("%s %s %.60s: %d %.300s, want %d naming %q", c.method, c.path, c.body, res.StatusCode, body, c.code, c.field)
			}
		}

		// The page forms: a bad mapping shows the field's reason in the reader's language,
		// a good one redirects.
		for lang, want := range map[string]string{web.LangEN: `no obligation &#34;NOPE&#34;`, web.LangZH: `没有义务 &#34;NOPE&#34;`} {
			sec.Do("POST", "/lang", url.Values{"lang": {lang}}, nil)
			res, page := sec.Do("POST", "/frameworks/TEST-FW/mappings", url.Values{"control_id": {"t-1"}, "obligation_id": {"NOPE"}, "relation": {"subset"}}, nil)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, want) || !strings.Contains(page, `name="control_id" required list="control_ids" value="t-1"`) {
				t.Fatalf("bad mapping form in %s: %d, want the reason %s", lang, res.StatusCode, want)
			}
		}
		res, _ = sec.Do("POST", "/frameworks/TEST-FW/mappings", url.Values{"control_id": {"t-1"}, "obligation_id": {"CSL-TECHNICAL-DEFENCES"}, "relation": {"related"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mapping form: %d", res.StatusCode)
		}
		_, body = sec.Do("GET", "/api/v1/frameworks/TEST-FW", nil, nil)
		if !strings.Contains(body, `"obligation_id": "CSL-TECHNICAL-DEFENCES"`) {
			t.Fatalf("framework after mapping by form: %s", body)
		}
		res, _ = sec.Do("POST", "/frameworks/TEST-FW/mappings/delete", url.Values{"control_id": {"t-1"}, "obligation_id": {"CSL-TECHNICAL-DEFENCES"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove mapping form: %d", res.StatusCode)
		}
		_, body = sec.Do("GET", "/api/v1/frameworks/TEST-FW/mappings", nil, nil)
		if !strings.Contains(body, `"mappings": []`) {
			t.Fatalf("mappings after removal: %s", body)
		}

		// Upload by the page's multipart form.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", sec.CSRF)
		_ = mw.WriteField("id", "FORM-FW")
		fw, _ := mw.CreateFormFile("file", "catalog.json")
		_, _ = fw.Write(oscal("Form upload", "1", "f-1"))
		_ = mw.Close()
		res, _ = sec.Do("POST", "/frameworks", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/frameworks/FORM-FW" {
			t.Fatalf("form upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = sec.Do("POST", "/frameworks/FORM-FW/delete", url.Values{}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete form: %d", res.StatusCode)
		}
		if res, _ := sec.Do("GET", "/frameworks/FORM-FW", nil, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("page of a deleted framework: %d", res.StatusCode)
		}

		// Every change is in the trail, the last one first.
		_, body = sec.Do("GET", "/api/v1/audit", nil, nil)
		var tr struct{ Entries []audit.Entry }
		if err := json.Unmarshal([]byte(body), &tr); err != nil || len(tr.Entries) < 2 {
			t.Fatalf("audit: %v %s", err, body)
		}
		if e := tr.Entries[0]; e.Entity != "framework" || e.EntityID != "FORM-FW" || e.Action != audit.Delete || !strings.HasPrefix(e.Actor, "security@grid.demo") {
			t.Fatalf("newest audit entry %+v", e)
		}

		// Reading is for the operator's roles, changing for admins and security managers.
		aud := env.Login(t, "auditor@grid.demo")
		if res, _ := aud.Do("GET", "/api/v1/frameworks/TEST-FW", nil, nil); res.StatusCode != 200 {
			t.Fatalf("auditor reading: %d", res.StatusCode)
		}
		if res, _ := aud.Do("DELETE", "/api/v1/frameworks/TEST-FW", nil, map[string]string{"X-CSRF-Token": aud.CSRF}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("auditor deleting: %d", res.StatusCode)
		}
		for _, who := range []string{"admin@regulator.demo", "inspector@regulator.demo", "user@supplier.demo"} {
			c := env.Login(t, who)
			for _, p := range []string{"/api/v1/frameworks", "/frameworks", "/api/v1/frameworks/TEST-FW/coverage"} {
				if res, _ := c.Do("GET", p, nil, nil); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s reading %s: %d, want 403", who, p, res.StatusCode)
				}
			}
		}
		if res, _ := sec.Do("DELETE", "/api/v1/frameworks/TEST-FW", nil, h); res.StatusCode != 200 {
			t.Fatalf("delete: %d", res.StatusCode)
		}
	})
}

// TestObligationPageListsMappedControls opens a duty's page: an operator user sees the demo
// baseline's controls mapped to it, a supplier (whose organisation maps nothing and who may
// not read frameworks) sees no such section, and a duty with no mapping shows none.
func TestObligationPageListsMappedControls(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	cases := []struct {
		who, obligation string
		want            bool
	}{
		{"auditor@grid.demo", "CSL-LOG-RETENTION", true},
		{"security@grid.demo", "CSL-LOG-RETENTION", true},
		{"user@supplier.demo", "CSL-LOG-RETENTION", false},
		{"security@grid.demo", "CIIR-KEY-POST-VETTING", false},
	}
	for _, c := range cases {
		cl := env.Login(t, c.who)
		cl.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
		res, page := cl.Do("GET", "/obligations/"+c.obligation, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s opening %s: %d", c.who, c.obligation, res.StatusCode)
		}
		got := strings.Contains(page, `id="mapped-controls"`)
		if got != c.want {
			t.Errorf("%s on %s: mapped-controls section shown = %v, want %v", c.who, c.obligation, got, c.want)
		}
		if got && (!strings.Contains(page, `href="/frameworks/`+frameworks.DemoFramework+`"`) || !strings.Contains(page, "Your framework controls mapped to this duty")) {
			t.Errorf("%s on %s: the section does not link the demo framework", c.who, c.obligation)
		}
	}
}
