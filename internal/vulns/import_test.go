package vulns_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// importResult is what the tests read of an import.
type importResult struct {
	ID       int64  `json:"id"`
	Good     int    `json:"good"`
	Bad      int    `json:"bad"`
	State    string `json:"state"`
	Added    int    `json:"added"`
	Document string `json:"document"`
	Items    []struct {
		Line     int `json:"line"`
		Products []struct {
			ProductID int64  `json:"product_id"`
			Name      string `json:"name"`
		} `json:"products"`
		Systems []struct{ Name string } `json:"systems"`
	} `json:"items"`
	Problems []struct {
		Line          int
		Field, Reason string
	} `json:"problems"`
}

// TestImportPreviewAndCommit imports the vendor advisory of testdata on both engines: the
// preview holds its two vulnerabilities, the firewall's matched to the register's
// 下一代防火墙 6.4 and reaching 调度数据网 and 数据中心网络 (the suppliers demo table), the
// WAF's 4.0 not in the register (which has 4.1) and reaching nothing; nothing is added until
// the commit, which adds both once (409 after); the same advisory again is refused naming
// each CVE as already recorded. A CSV preview names its bad lines and fields; the other
// operator gets 404 for the import.
func TestImportPreviewAndCommit(t *testing.T) {
	advisory, err := os.ReadFile("testdata/jinghua-sa-2026-017.json")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		count := func() int {
			var l struct{ Vulnerabilities []vuln }
			code, body := call(t, sm, "GET", "/api/v1/vulns", nil, &l)
			must(t, "list", code, http.StatusOK, body)
			return len(l.Vulnerabilities)
		}
		before := count()
		var im importResult
		code, body := call(t, sm, "POST", "/api/v1/vulns/imports", map[string]any{"format": "csaf", "name": "JH-SA-2026-017.json", "content": string(advisory)}, &im)
		must(t, "preview", code, http.StatusCreated, body)
		if im.Good != 2 || im.Bad != 0 || im.State != "preview" || len(im.Items) != 2 {
			t.Fatalf("preview %+v", im)
		}
		var sys []string
		for _, s := range im.Items[0].Systems {
			sys = append(sys, s.Name)
		}
		slices.Sort(sys)
		if !slices.Equal(sys, []string{"数据中心网络", "调度数据网"}) || im.Items[0].Products[0].ProductID == 0 {
			t.Errorf("firewall: systems %v, products %+v", sys, im.Items[0].Products)
		}
		if len(im.Items[1].Systems) != 0 || im.Items[1].Products[0].ProductID != 0 || im.Items[1].Products[0].Name != "Web应用防火墙" {
			t.Errorf("WAF 4.0: %+v", im.Items[1])
		}
		if n := count(); n != before {
			t.Errorf("a preview added %d vulnerabilities", n-before)
		}
		commit := fmt.Sprintf("/api/v1/vulns/imports/%d/commit", im.ID)
		var done importResult
		code, body = call(t, sm, "POST", commit, nil, &done)
		must(t, "commit", code, http.StatusOK, body)
		if done.Added != 2 || count() != before+2 {
			t.Errorf("commit added %d, list grew by %d; want 2", done.Added, count()-before)
		}
		code, body = call(t, sm, "POST", commit, nil, nil)
		must(t, "second commit", code, http.StatusConflict, body)

		var again importResult
		code, body = call(t, sm, "POST", "/api/v1/vulns/imports", map[string]any{"format": "csaf", "content": string(advisory)}, &again)
		must(t, "preview again", code, http.StatusCreated, body)
		if again.Good != 0 || len(again.Problems) != 2 || again.Problems[0].Field != "vulnerabilities[0].cve" || !contains(again.Problems[0].Reason, "already recorded as vulnerability") ||
			again.Problems[1].Field != "vulnerabilities[1].cve" {
			t.Errorf("the same advisory again: %+v", again)
		}

		csv := "title,cve,product,version,cvss_vector\n" +
			"核心路由器 BGP 拒绝服务,CVE-2026-50001,核心路由器,NE8000-X8,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n" +
			"编号不对,CVE-26-1,核心路由器,NE8000-X8,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n" +
			"向量不对,,核心路由器,NE8000-X8,CVSS:3.1/AV:N/AC:L\n" +
			",,核心路由器,NE8000-X8,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n"
		var c importResult
		code, body = call(t, sm, "POST", "/api/v1/vulns/imports", map[string]any{"format": "csv", "content": csv}, &c)
		must(t, "csv preview", code, http.StatusCreated, body)
		var got []string
		for _, p := range c.Problems {
			got = append(got, fmt.Sprintf("%d %s", p.Line, p.Field))
		}
		if want := []string{"3 cve", "4 cvss_vector", "5 title"}; c.Good != 1 || !slices.Equal(got, want) {
			t.Errorf("csv: %d good, problems %v; want 1 and %v", c.Good, got, want)
		}
		code, body = call(t, sm, "POST", "/api/v1/vulns/imports", `{"format":"xml","content":"x"}`, nil)
		if code != http.StatusBadRequest || !contains(fields(t, body)["format"], "csv or csaf") {
			t.Errorf("bad format: %d %s", code, body)
		}

		water := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		for _, p := range []string{fmt.Sprintf("/api/v1/vulns/imports/%d", c.ID), fmt.Sprintf("/vulns/imports/%d", c.ID)} {
			if code, body := call(t, water, "GET", p, nil, nil); code != http.StatusNotFound {
				t.Errorf("other operator %s: %d: %s", p, code, body)
			}
		}
		if code, body := call(t, water, "POST", fmt.Sprintf("/api/v1/vulns/imports/%d/commit", c.ID), nil, nil); code != http.StatusNotFound {
			t.Errorf("other operator commits: %d: %s", code, body)
		}
	})
}
