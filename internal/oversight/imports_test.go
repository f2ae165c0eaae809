package oversight_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestReportBundleFederation: two installations and no network link between them. On the
// operator's installation the grid's security manager exports its signed-off annual
// report as a signed bundle; on the department's installation (the other engine's
// demo, whose registry holds the grid by its credit code) the analyst imports it on the
// grid's entry, pinning the fingerprint the operator's installation publishes. The import
// holds the report's SHA-256 as the operator's own JSON download hashes (computed here),
// the signer and the key; the entry's page shows it in Chinese. Refused, each a 400 naming
// its field: one byte of the report changed, one of the PDF, the manifest's time, the
// signature, the PDF dropped, a bundle pinned to another key, a bundle on another
// operator's entry. The same bundle twice is a 409; another department's entry a 404 (on
// its list too); the inspector may read but not import (403).
func TestReportBundleFederation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		other := store.SQLite
		if d == store.SQLite {
			other = store.Postgres
		}
		from := apptest.Start(t, other) // the operator's installation
		to := apptest.Start(t, d)       // the department's installation, where the import is stored

		sm := from.Login(t, "security@grid.demo")
		var reps struct {
			Reports []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				Year  int    `json:"year"`
				State string `json:"state"`
			} `json:"reports"`
		}
		code, body := call(t, sm, "GET", "/api/v1/reports", nil, &reps)
		mustStatus(t, "list reports", code, http.StatusOK, body)
		last := 0 // the year of the demo's signed-off annual report (thirteen months ago)
		var id int64
		for _, r := range reps.Reports {
			if r.Kind == "annual" && r.State == "signed_off" {
				last = r.Year
				id = r.ID
			}
		}
		if id == 0 {
			t.Fatalf("no signed-off annual report in %s", body)
		}
		path := fmt.Sprintf("/api/v1/reports/%d/versions/1", id)
		res, js := sm.Do("GET", path+"/report.json", nil, nil)
		mustStatus(t, "the report's JSON", res.StatusCode, http.StatusOK, js)
		sum := sha256.Sum256([]byte(js))
		var key struct {
			Fingerprint string `json:"fingerprint"`
		}
		code, body = call(t, sm, "GET", "/api/v1/reports/key", nil, &key)
		mustStatus(t, "the published key", code, http.StatusOK, body)
		res, bundle := sm.Do("POST", path+"/bundle", nil, jsonHdr(sm.CSRF))
		mustStatus(t, "export", res.StatusCode, http.StatusOK, bundle)
		if an := from.Login(t, "analyst@grid.demo"); true {
			res, body := an.Do("POST", path+"/bundle", nil, jsonHdr(an.CSRF))
			mustStatus(t, "export by the operator's analyst", res.StatusCode, http.StatusForbidden, body)
		}

		reg := to.Login(t, "analyst@regulator.demo")
		var toKey struct {
			Fingerprint string `json:"fingerprint"`
		}
		if code, body := call(t, to.Login(t, "security@grid.demo"), "GET", "/api/v1/reports/key", nil, &toKey); code != http.StatusOK || toKey.Fingerprint == key.Fingerprint {
			t.Fatalf("the two installations' keys: %s and %s (%d %s); want two keys", key.Fingerprint, toKey.Fingerprint, code, body)
		}
		grid, water := entryNamed(t, reg, "示例电网有限公司"), entryNamed(t, reg, "示例水务有限公司")
		imp := func(c *apptest.Client, entry int64, b, pin string) (int, string) {
			t.Helper()
			q := ""
			if pin != "" {
				q = "?key=" + pin
			}
			res, body := c.Do("POST", "/api/v1/oversight/registry/"+strconv.FormatInt(entry, 10)+"/imports"+q, nil, jsonHdr(c.CSRF), b)
			return res.StatusCode, body
		}
		changed := func(field string, edit func(v any) any) string {
			var m map[string]any
			if err := json.Unmarshal([]byte(bundle), &m); err != nil {
				t.Fatal(err)
			}
			if edit == nil {
				delete(m, field)
			} else {
				m[field] = edit(m[field])
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		flip := func(v any) any { // one byte of a base64 field changed
			b, err := base64.StdEncoding.DecodeString(v.(string))
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 1
			return base64.StdEncoding.EncodeToString(b)
		}
		for _, c := range []struct {
			what, bundle, pin, field, reason string
		}{
			{"a byte of the report changed", changed("content", flip), "", "bundle", "the report was changed"},
			{"a byte of the PDF changed", changed("pdf", flip), "", "bundle", "the PDF was changed"},
			{"the export time changed", changed("created", func(any) any { return "2020-01-01T00:00:00Z" }), "", "bundle", "changed after it was signed"},
			{"the signature changed", changed("signature", flip), "", "bundle", "changed after it was signed"},
			{"the PDF dropped", changed("pdf", nil), "", "bundle", "the PDF was changed"},
			{"pinned to the department's own key", bundle, toKey.Fingerprint, "key", "is signed with key " + key.Fingerprint},
			{"a pin that is no fingerprint", bundle, "abc", "key", "64 hexadecimal"},
			{"not a bundle", `{"format":"something else"}`, "", "bundle", "not " + "ciiguard-report-bundle/1"},
		} {
			code, body := imp(reg, grid, c.bundle, c.pin)
			if code != http.StatusBadRequest || !strings.Contains(body, `"`+c.field+`"`) || !strings.Contains(body, c.reason) {
				t.Errorf("%s: %d %s; want 400 on %s saying %q", c.what, code, body, c.field, c.reason)
			}
		}
		if code, body := imp(reg, water, bundle, key.Fingerprint); code != http.StatusBadRequest || !strings.Contains(body, "not of this entry") {
			t.Errorf("the grid's report on the water company's entry: %d %s; want 400", code, body)
		}
		if code, body := imp(to.Login(t, "inspector@regulator.demo"), grid, bundle, ""); code != http.StatusForbidden {
			t.Errorf("the inspector imports: %d %s; want 403", code, body)
		}
		fin := secondRegulator(t, to)
		if code, body := imp(fin, grid, bundle, ""); code != http.StatusNotFound {
			t.Errorf("another department imports on the grid's entry: %d %s; want 404", code, body)
		}

		energyBefore := energyAnnualReports(t, reg)
		code, body = imp(reg, grid, bundle, key.Fingerprint)
		mustStatus(t, "import", code, http.StatusCreated, body)
		var got struct {
			ID             int64  `json:"id"`
			Kind           string `json:"kind"`
			Year           int    `json:"year"`
			Version        int    `json:"version"`
			SignedOffBy    string `json:"signed_off_by"`
			ContentSHA256  string `json:"content_sha256"`
			KeyFingerprint string `json:"key_fingerprint"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Kind != "annual" || got.Year != last || got.Version != 1 || got.SignedOffBy != "security@grid.demo (security_manager)" ||
			got.ContentSHA256 != hex.EncodeToString(sum[:]) || got.KeyFingerprint != key.Fingerprint {
			t.Fatalf("imported %s; want annual %d v1 signed off by the grid's security manager, content SHA-256 %x, key %s", body, last, sum, key.Fingerprint)
		}
		if code, body := imp(reg, grid, bundle, ""); code != http.StatusConflict {
			t.Errorf("the same bundle again: %d %s; want 409", code, body)
		}
		// The imported JSON is the operator's bytes; the list and the page show the import.
		res, imported := reg.Do("GET", fmt.Sprintf("/oversight/imports/%d/report.json", got.ID), nil, nil)
		if res.StatusCode != http.StatusOK || imported != js {
			t.Errorf("the imported JSON: %d, equal to the operator's: %v", res.StatusCode, imported == js)
		}
		if res, pdf := reg.Do("GET", fmt.Sprintf("/oversight/imports/%d/report.pdf", got.ID), nil, nil); res.StatusCode != http.StatusOK || !bytes.HasPrefix([]byte(pdf), []byte("%PDF-")) {
			t.Errorf("the imported PDF: %d", res.StatusCode)
		}
		if res, _ := fin.Do("GET", fmt.Sprintf("/oversight/imports/%d/report.pdf", got.ID), nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another department reads the imported PDF: %d; want 404", res.StatusCode)
		}
		if code, body := call(t, fin, "GET", fmt.Sprintf("/api/v1/oversight/registry/%d/imports", grid), nil, nil); code != http.StatusNotFound {
			t.Errorf("another department lists the grid's imports: %d %s; want 404", code, body)
		}
		_, page := reg.Do("GET", fmt.Sprintf("/oversight/registry/%d", grid), nil, map[string]string{"Accept-Language": "zh-CN"})
		for _, want := range []string{fmt.Sprintf("%d 年度安全检测和风险评估报告 · 第 1 版", last), "签名验证通过，密钥指纹：", key.Fingerprint, hex.EncodeToString(sum[:])} {
			if !strings.Contains(page, want) {
				t.Errorf("the grid's entry page lacks %q", want)
			}
		}
		importedInInbox(t, reg, fin, got.ID, hex.EncodeToString(sum[:]), last)
		if n := energyAnnualReports(t, reg); n != energyBefore+1 {
			t.Errorf("the dashboard counts %d annual reports of the energy sector after the import; want %d+1", n, energyBefore)
		}
		var trail struct {
			Entries []struct {
				Entity string `json:"entity"`
				Action string `json:"action"`
				Detail string `json:"detail"`
			} `json:"entries"`
		}
		code, body = call(t, to.Login(t, "admin@regulator.demo"), "GET", "/api/v1/audit", nil, &trail)
		mustStatus(t, "the department's trail", code, http.StatusOK, body)
		imports := 0
		for _, e := range trail.Entries {
			if e.Entity == "oversight_import" {
				imports++
				if e.Action != "import" || !strings.Contains(e.Detail, hex.EncodeToString(sum[:])) {
					t.Errorf("the department's trail records %+v; want the import naming the report's SHA-256", e)
				}
			}
		}
		if imports != 1 {
			t.Errorf("the department's trail holds %d imports; want 1", imports)
		}
	})
}

// entryNamed is the id of the registry entry named name (Chinese).
func entryNamed(t *testing.T, c *apptest.Client, name string) int64 {
	t.Helper()
	var reg struct {
		Entries []struct {
			ID     int64  `json:"id"`
			NameZH string `json:"name_zh"`
		} `json:"entries"`
	}
	code, body := call(t, c, "GET", "/api/v1/oversight/registry", nil, &reg)
	mustStatus(t, "registry", code, http.StatusOK, body)
	for _, e := range reg.Entries {
		if e.NameZH == name {
			return e.ID
		}
	}
	t.Fatalf("no registry entry %s in %s", name, body)
	return 0
}

// energyAnnualReports is the dashboard's count of annual reports received from the energy
// sector.
func energyAnnualReports(t *testing.T, c *apptest.Client) int {
	t.Helper()
	var d struct {
		Sectors []struct {
			Sector struct {
				Code string `json:"code"`
			} `json:"sector"`
			AnnualReports int `json:"annual_reports"`
		} `json:"sectors"`
	}
	code, body := call(t, c, "GET", "/api/v1/oversight/dashboard", nil, &d)
	mustStatus(t, "dashboard", code, http.StatusOK, body)
	for _, s := range d.Sectors {
		if s.Sector.Code == "energy" {
			return s.AnnualReports
		}
	}
	t.Fatalf("no energy sector on the dashboard: %s", body)
	return 0
}

// importedInInbox checks that the imported report (id, its content SHA-256, of year) is in
// the department's inbox under the filters that take it in (an annual report, the energy
// sector, this Beijing month, the grid) and not under those that leave it out (another kind,
// an answer's state it has not reached, another sector or month), on the page in Chinese with its year
// and its link to the PDF; another department's inbox does not hold it.
func importedInInbox(t *testing.T, reg, other *apptest.Client, id int64, sha string, year int) {
	t.Helper()
	month := time.Now().In(calendar.Shanghai).Format("2006-01")
	lastMonth := time.Now().In(calendar.Shanghai).AddDate(0, -1, -time.Now().In(calendar.Shanghai).Day()+1).Format("2006-01")
	inbox := func(c *apptest.Client, q string) []int64 {
		t.Helper()
		var got struct {
			Imports []struct {
				ID            int64  `json:"id"`
				Kind          string `json:"submission_kind"`
				ContentSHA256 string `json:"content_sha256"`
			} `json:"imports"`
		}
		code, body := call(t, c, "GET", "/api/v1/oversight/inbox"+q, nil, &got)
		mustStatus(t, "inbox "+q, code, http.StatusOK, body)
		var ids []int64
		for _, im := range got.Imports {
			if im.ID == id && (im.Kind != "annual_report" || im.ContentSHA256 != sha) {
				t.Errorf("inbox %s lists the import as %+v; want an annual report with content SHA-256 %s", q, im, sha)
			}
			ids = append(ids, im.ID)
		}
		return ids
	}
	for q, want := range map[string]bool{
		"":                                  true,
		"?kind=annual_report":               true,
		"?sector=energy&kind=annual_report": true,
		"?month=" + month:                   true,
		"?kind=incident_report":             false,
		"?kind=change_report":               false,
		"?state=accepted":                   false,
		"?state=submitted":                  true, // not answered yet
		"?sector=water":                     false,
		"?month=" + lastMonth:               false,
		"?kind=incident_report&grade=major": false,
	} {
		ids := inbox(reg, q)
		if got := len(ids) == 1 && ids[0] == id; got != want || (!want && len(ids) > 0) {
			t.Errorf("inbox %s lists the imports %v; want the import %d: %v", q, ids, id, want)
		}
	}
	if ids := inbox(other, ""); len(ids) != 0 {
		t.Errorf("another department's inbox lists the imports %v", ids)
	}
	res, page := reg.Do("GET", "/oversight?kind=annual_report&sector=energy", nil, map[string]string{"Accept-Language": "zh-CN"})
	mustStatus(t, "the inbox page", res.StatusCode, http.StatusOK, page)
	for _, want := range []string{fmt.Sprintf(`id="import-%d"`, id), "系统外报送的报告", fmt.Sprintf("/oversight/imports/%d/report.pdf", id), fmt.Sprintf("%d 年度安全检测和风险评估报告", year)} {
		if !strings.Contains(page, want) {
			t.Errorf("the inbox page filtered to the energy sector's annual reports lacks %q", want)
		}
	}
}
