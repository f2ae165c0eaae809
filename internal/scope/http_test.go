package scope_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/accounts"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/scope"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// env is a server with the kernel, accounts and scope only (independent of what else the
// composition root wires), the scope demo data on one operator, and a second operator.
type env struct {
	*apptest.Env
	svc      *scope.Service
	op, peer auth.Org
}

func start(t *testing.T, d store.Dialect) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mod := scope.New()
	migs := append(append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...), mod.Migrations()...)
	db := storetest.Open(t, d, migs)
	a := auth.NewService(db)
	srv, err := web.NewServer(a, db, log)
	if err != nil {
		t.Fatal(err)
	}
	deps := kernel.Deps{DB: db, Auth: a, Web: srv, Log: log, DataDir: t.TempDir()}
	if err := kernel.Assemble(context.Background(), deps, accounts.New(), mod); err != nil {
		t.Fatal(err)
	}
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	e := &env{svc: mod.Service()}
	orgs := []struct {
		dst *auth.Org
		org auth.Org
	}{
		{&e.op, auth.Org{Kind: auth.Operator, NameZH: "示例电网有限公司", NameEN: "Example Grid Co., Ltd."}},
		{&e.peer, auth.Org{Kind: auth.Operator, NameZH: "另一家运营者", NameEN: "Another Operator"}},
	}
	for _, o := range orgs {
		if *o.dst, err = a.CreateOrg(ctx, o.org); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := a.CreateOrg(ctx, auth.Org{Kind: auth.Regulator, NameEN: "Regulator"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.NewUser{
		{OrgID: e.op.ID, Email: "admin@op.test", Name: "Admin", Role: auth.Admin},
		{OrgID: e.op.ID, Email: "auditor@op.test", Name: "Auditor", Role: auth.Auditor},
		{OrgID: e.peer.ID, Email: "admin@peer.test", Name: "Peer", Role: auth.Admin},
		{OrgID: reg.ID, Email: "admin@reg.test", Name: "Reg", Role: auth.RegulatorAdmin},
	} {
		u.PasswordHash = apptest.DemoPasswordHash() // the demo password, hashed cheaply
		if _, err := a.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := mod.SeedDemo(ctx, kernel.Demo{Operator: e.op, Regulator: reg}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e.Env = &apptest.Env{URL: hs.URL}
	return e
}

func jsonHdr(c *apptest.Client) map[string]string {
	return map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.CSRF}
}

func TestOtherOrganisationGets404(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := start(t, d)
		all, err := e.svc.AllSystems(store.WithOrg(context.Background(), e.op.ID))
		if err != nil || len(all) < 30 {
			t.Fatalf("demo systems: %d %v", len(all), err)
		}
		id := strconv.FormatInt(all[0].ID, 10)
		peer := e.Login(t, "admin@peer.test")
		cases := []struct{ method, path, body string }{
			{"GET", "/scope/systems/" + id, ""},
			{"GET", "/scope/systems/" + id + "/edit", ""},
			{"GET", "/scope/systems/" + id + "/assess", ""},
			{"POST", "/scope/systems/" + id, "form"},
			{"POST", "/scope/systems/" + id + "/delete", "form"},
			{"POST", "/scope/systems/" + id + "/assess", "form"},
			{"POST", "/scope/systems/" + id + "/identify", "form"},
			{"GET", "/api/v1/scope/systems/" + id, ""},
			{"PUT", "/api/v1/scope/systems/" + id, `{"name":"x","sector":"energy"}`},
			{"PATCH", "/api/v1/scope/systems/" + id, `{"owner":"x"}`},
			{"DELETE", "/api/v1/scope/systems/" + id, ""},
			{"POST", "/api/v1/scope/systems/" + id + "/assessment", `{}`},
			{"POST", "/api/v1/scope/systems/" + id + "/identification", `{"on":"2025-01-01","doc":"x"}`},
			{"GET", "/scope/systems/999999", ""},
			{"GET", "/api/v1/scope/systems/abc", ""},
		}
		for _, c := range cases {
			var res *http.Response
			switch c.body {
			case "":
				res, _ = peer.Do(c.method, c.path, nil, jsonHdr(peer))
			case "form":
				res, _ = peer.Do(c.method, c.path, url.Values{"name": {"x"}, "sector": {"energy"}, "on": {"2025-01-01"}, "doc": {"x"}}, nil)
			default:
				res, _ = peer.Do(c.method, c.path, nil, jsonHdr(peer), c.body)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s from another organisation: %d, want 404", c.method, c.path, res.StatusCode)
			}
		}
		after, err := e.svc.System(store.WithOrg(context.Background(), e.op.ID), all[0].ID)
		if err != nil || after.SystemInput != all[0].SystemInput || after.AssessmentSHA256 != all[0].AssessmentSHA256 {
			t.Fatalf("the demo system changed: %v", err)
		}
		// The other organisation's list is its own, and a regulator has no access at all.
		if _, body := peer.Do("GET", "/api/v1/scope/systems", nil, nil); !strings.Contains(body, `"total": 0`) {
			t.Fatalf("peer list: %s", body)
		}
		reg := e.Login(t, "admin@reg.test")
		if res, _ := reg.Do("GET", "/scope/systems", nil, nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("regulator on the inventory: %d, want 403", res.StatusCode)
		}
	})
}

func TestPagesAndForms(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	for _, lang := range []string{"zh-CN", "en"} {
		c.Do("POST", "/lang", url.Values{"lang": {lang}}, nil)
		for _, p := range []string{"/", "/scope/systems", "/scope/systems?mlps_level=3&cii_status=identified&sector=energy&q=%E8%B0%83%E5%BA%A6", "/scope/systems?page=2&per_page=10",
			"/scope/systems/new", "/scope/profile", "/scope/profile/edit", "/scope/import", "/scope/systems/1", "/scope/systems/1/edit", "/scope/systems/1/assess"} {
			res, body := c.Do("GET", p, nil, nil)
			if res.StatusCode != 200 {
				t.Errorf("%s in %s: %d", p, lang, res.StatusCode)
				continue
			}
			if i := strings.Index(body, "[scope."); i >= 0 {
				t.Errorf("%s in %s shows a missing message: %.40s", p, lang, body[i:])
			}
		}
	}
	_, body := c.Do("GET", "/scope/systems/3", nil, nil)
	if !strings.Contains(body, "re-identification due by") {
		t.Errorf("the identified system with a major change does not show the re-identification date")
	}
	_, body = c.Do("GET", "/", nil, nil)
	if !strings.Contains(body, "scope-widget") || !strings.Contains(body, "40 networks and systems recorded") {
		t.Errorf("dashboard widget missing: %.300s", body)
	}
	// Form errors name the field.
	res, body := c.Do("POST", "/scope/systems", url.Values{"name": {""}, "sector": {"energy"}, "mlps_level": {"x"}, "filed_on": {"2025-01-01"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad form: %d", res.StatusCode)
	}
	for _, want := range []string{"is required", "must be a whole number from 0 to 5", "required when a filing date"} {
		if !strings.Contains(body, want) {
			t.Errorf("form does not show %q", want)
		}
	}
	res, _ = c.Do("POST", "/scope/systems", url.Values{"name": {"新系统"}, "sector": {"energy"}, "mlps_level": {"2"}}, nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/scope/systems/") {
		t.Fatalf("create: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = c.Do("POST", "/scope/profile", url.Values{"uscc": {"91110000MA00000012"}, "sectors": {"energy"}}, nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "GB 11714") {
		t.Fatalf("profile with a bad credit code: %d", res.StatusCode)
	}
	// An auditor reads but cannot write.
	a := e.Login(t, "auditor@op.test")
	if res, _ := a.Do("GET", "/scope/systems/1", nil, nil); res.StatusCode != 200 {
		t.Fatalf("auditor reading: %d", res.StatusCode)
	}
	if res, _ := a.Do("POST", "/scope/systems/1/delete", url.Values{}, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("auditor deleting: %d", res.StatusCode)
	}
}

func TestAPI(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	h := jsonHdr(c)
	res, body := c.Do("POST", "/api/v1/scope/systems", nil, h, `{"name":"API 系统","sector":"energy","mlps_level":3,"graded_on":"2025-01-02"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	var sys scope.System
	if err := json.Unmarshal([]byte(body), &sys); err != nil || sys.ID == 0 || sys.CIIStatus != "none" {
		t.Fatalf("created %s: %v", body, err)
	}
	id := strconv.FormatInt(sys.ID, 10)
	_, body = c.Do("GET", "/api/v1/audit", nil, nil)
	var trail struct{ Entries []audit.Entry }
	if err := json.Unmarshal([]byte(body), &trail); err != nil || len(trail.Entries) == 0 {
		t.Fatalf("audit trail: %v", err)
	}
	if e := trail.Entries[0]; e.Entity != "scope_system" || e.EntityID != id || e.Action != audit.Create || e.BeforeSHA256 != "" ||
		e.AfterSHA256 != audit.Digest(sys) || !strings.HasPrefix(e.Actor, "admin@op.test") {
		t.Fatalf("newest audit entry %+v is not the creation of system %s by the admin", e, id)
	}
	cases := []struct {
		method, path, body string
		code               int
		field              string
	}{
		{"POST", "/api/v1/scope/systems", `{"name":"API 系统","sector":"energy"}`, 409, "name"},
		{"POST", "/api/v1/scope/systems", `{"name":"x","sector":"energy","mlps_level":"three"}`, 400, "mlps_level"},
		{"POST", "/api/v1/scope/systems", `{"name":"x","sector":"energy","colour":"red"}`, 400, "colour"},
		{"PATCH", "/api/v1/scope/systems/" + id, `{"owner":"数字化部"}`, 200, ""},
		{"PATCH", "/api/v1/scope/systems/" + id, `{"last_mlps_test":"2999-01-01"}`, 400, "last_mlps_test"},
		{"PUT", "/api/v1/scope/systems/" + id, `{"name":"API 系统"}`, 400, "sector"},
		{"PUT", "/api/v1/scope/systems/" + id, `{"name":"API 系统","sector":"energy","mlps_level":2}`, 200, ""},
		{"POST", "/api/v1/scope/systems/" + id + "/identification", `{"on":"2026-01-01"}`, 400, "doc"},
		{"POST", "/api/v1/scope/systems/" + id + "/major-change", `{"on":"2020-01-01"}`, 409, "cii_status"},
		{"GET", "/api/v1/scope/systems?mlps_level=9", "", 400, "mlps_level"},
		{"PUT", "/api/v1/scope/profile", `{"uscc":"` + scope.DemoUSCC[:17] + `0","sectors":["energy"]}`, 400, "uscc"},
	}
	for _, tc := range cases {
		var res *http.Response
		var body string
		if tc.body == "" {
			res, body = c.Do(tc.method, tc.path, nil, h)
		} else {
			res, body = c.Do(tc.method, tc.path, nil, h, tc.body)
		}
		if res.StatusCode != tc.code {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, res.StatusCode, body, tc.code)
			continue
		}
		if tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`"`) {
			t.Errorf("%s %s: %s does not name %s", tc.method, tc.path, body, tc.field)
		}
	}
	_, body = c.Do("GET", "/api/v1/scope/systems/"+id, nil, nil)
	if !strings.Contains(body, `"owner": ""`) || !strings.Contains(body, `"mlps_level": 2`) {
		t.Errorf("PUT did not replace the fields: %s", body)
	}
	_, body = c.Do("GET", "/api/v1/scope/facts", nil, nil)
	if !strings.Contains(body, `"is_cii_operator": true`) || !strings.Contains(body, `"is_cii_candidate": true`) {
		t.Errorf("facts: %.300s", body)
	}
	if res, _ := c.Do("DELETE", "/api/v1/scope/systems/"+id, nil, h); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	// Export, then import: dry run and real run through the API; bad rows give 422.
	res, csvBody := c.Do("GET", "/api/v1/scope/systems/export", nil, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(csvBody, "\uFEFFname,") || strings.Count(csvBody, "\n") != 41 {
		t.Fatalf("export: %d, %d lines", res.StatusCode, strings.Count(csvBody, "\n"))
	}
	res, body = c.Do("POST", "/api/v1/scope/systems/import?dry_run=true", nil, map[string]string{"Content-Type": "text/csv", "X-CSRF-Token": c.CSRF}, csvBody+"新导入系统"+strings.Repeat(",", 29)+"\n")
	if res.StatusCode != 422 || !strings.Contains(body, `"line": 42`) {
		t.Fatalf("import with a bad row: %d %s", res.StatusCode, body)
	}
	row := "新导入系统,,,,energy" + strings.Repeat(",", 25)
	res, body = c.Do("POST", "/api/v1/scope/systems/import?dry_run=true", nil, map[string]string{"Content-Type": "text/csv", "X-CSRF-Token": c.CSRF}, csvBody+row+"\n")
	if res.StatusCode != 200 || !strings.Contains(body, `"新导入系统"`) || !strings.Contains(body, `"applied": false`) {
		t.Fatalf("dry run: %d %s", res.StatusCode, body)
	}
	// Page upload: a dry run, then the apply button, which carries the file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	_ = mw.WriteField("dry_run", "on")
	fw, _ := mw.CreateFormFile("file", "systems.csv")
	_, _ = fw.Write([]byte("name,sector,mlps_level\n上传系统,energy,2\n"))
	mw.Close()
	res, body = c.Do("POST", "/scope/import", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
	if res.StatusCode != 200 || !strings.Contains(body, "上传系统") || !strings.Contains(body, "import-apply") {
		t.Fatalf("page dry run: %d", res.StatusCode)
	}
	if _, body := c.Do("GET", "/api/v1/scope/systems?q=上传系统", nil, nil); !strings.Contains(body, `"total": 0`) {
		t.Fatalf("the dry run stored the system: %s", body)
	}
	res, _ = c.Do("POST", "/scope/import", url.Values{"csv": {"name,sector,mlps_level\n上传系统,energy,2\n"}}, nil)
	if res.StatusCode != 200 {
		t.Fatalf("page import: %d", res.StatusCode)
	}
	if _, body := c.Do("GET", "/api/v1/scope/systems?q=上传系统", nil, nil); !strings.Contains(body, `"total": 1`) {
		t.Fatalf("uploaded system not stored: %s", body)
	}
}
