package reports_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

type apiReport struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Version  int    `json:"version"`
	SHA256   string `json:"sha256"`
	Versions []struct {
		Version int    `json:"version"`
		SHA256  string `json:"sha256"`
		Frozen  bool   `json:"frozen"`
	} `json:"versions"`
}

func decode(t *testing.T, res *http.Response, body string, code int) apiReport {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("%s %s: %d %s, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, body, code)
	}
	var r apiReport
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return r
}

// TestReportLifecycleAPI walks a report through the API on both engines: generated as a
// draft, its sections edited in place, signed off by the security manager (an analyst is
// refused: CIIR 2021 Art. 14 puts the security management body's head in charge), then an
// edit leaves the signed-off version as it was and starts version 2. The JSON served is
// the bytes whose SHA-256 the report names. Bad input names the field; another
// organisation gets 404 for the report, its versions and its downloads.
func TestReportLifecycleAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)

		res, body := sm.Do("POST", "/api/v1/reports", nil, h, `{"kind":"quarterly","year":1999}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"kind"`) || !strings.Contains(body, `"year"`) {
			t.Fatalf("bad report: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", "/api/v1/reports", nil, h, `{"kind":"annual","year":2026}`)
		r := decode(t, res, body, http.StatusCreated)
		if r.State != "draft" || r.Version != 1 || len(r.SHA256) != 64 {
			t.Fatalf("created: %s", body)
		}
		path := fmt.Sprintf("/api/v1/reports/%d", r.ID)

		// The JSON is the bytes hashed.
		res, js := sm.Do("GET", path+"/versions/1/report.json", nil, nil)
		sum := sha256.Sum256([]byte(js))
		if res.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Fatalf("JSON of version 1: %d, SHA-256 %x, the report says %s", res.StatusCode, sum, r.SHA256)
		}

		res, body = sm.Do("PUT", path+"/sections", nil, h, `{"sections":{"summary":{"zh":"本年度评估发现两项差距。","en":"Two gaps found this year."},"nonsense":{"zh":"x"}}}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"sections.nonsense"`) {
			t.Fatalf("unknown section: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("PUT", path+"/sections", nil, h, `{"sections":{"summary":{"zh":"本年度评估发现两项差距。","en":"Two gaps found this year."}}}`)
		r2 := decode(t, res, body, http.StatusOK)
		if r2.Version != 1 || r2.SHA256 == r.SHA256 {
			t.Fatalf("a draft's edit stays version 1 with a new hash: %s", body)
		}

		// Issue 10 item 14: the report's page is titled with the report's name, and the
		// log count it states (the JSON's vault size) is written with separators.
		_, page := sm.Do("GET", fmt.Sprintf("/reports/%d", r.ID), nil, map[string]string{"Accept-Language": "zh-CN"})
		if !strings.Contains(page, "<title>2026年度关键信息基础设施网络安全检测和风险评估报告 · ciiguard</title>") {
			t.Error("the report's page is not titled with the report's name")
		}
		var content struct {
			Vault struct {
				Size uint64 `json:"size"`
			} `json:"log_vault"`
			Records []struct {
				Rows []struct {
					Fact  string `json:"fact"`
					Value struct {
						Zh string `json:"zh"`
						En string `json:"en"`
					} `json:"value"`
				} `json:"rows"`
			} `json:"records"`
		}
		if err := json.Unmarshal([]byte(js), &content); err != nil || content.Vault.Size < 1000 {
			t.Fatalf("the report's vault size: %v, %d (the demo's log holds over 1,000 events)", err, content.Vault.Size)
		}
		// The records' counts too (the data map's 1050120 people was shown bare); a year
		// stays a year.
		long, date := regexp.MustCompile(`\d{4,}`), regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
		grouped1050120 := false
		for _, g := range content.Records {
			for _, row := range g.Rows {
				if strings.HasSuffix(row.Fact, "year") || date.MatchString(row.Value.En) {
					continue
				}
				if long.MatchString(row.Value.Zh) || long.MatchString(row.Value.En) {
					t.Errorf("record %s written without separators: %q / %q", row.Fact, row.Value.Zh, row.Value.En)
				}
				grouped1050120 = grouped1050120 || row.Value.En == "1,050,120"
			}
		}
		if !grouped1050120 {
			t.Error("no record states the demo's 1,050,120 people exported")
		}
		bare := strconv.FormatUint(content.Vault.Size, 10)
		var grouped []byte
		for i := range bare {
			if i > 0 && (len(bare)-i)%3 == 0 {
				grouped = append(grouped, ',')
			}
			grouped = append(grouped, bare[i])
		}
		if !strings.Contains(page, "共"+string(grouped)+"条日志") {
			t.Errorf("the report's page does not state %s logs as %s", bare, grouped)
		}

		analyst := env.Login(t, "analyst@grid.demo")
		if res, body := analyst.Do("POST", path+"/signoff", nil, jsonHdr(analyst.CSRF)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an analyst signed off: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", path+"/signoff", nil, h)
		signed := decode(t, res, body, http.StatusOK)
		if signed.State != "signed_off" || !signed.Versions[0].Frozen {
			t.Fatalf("signed off: %s", body)
		}
		if res, body := sm.Do("POST", path+"/signoff", nil, h); res.StatusCode != http.StatusConflict || !strings.Contains(body, `"state"`) {
			t.Fatalf("signed off twice: %d %s", res.StatusCode, body)
		}
		_, frozen := sm.Do("GET", path+"/versions/1/report.json", nil, nil)
		if !strings.Contains(frozen, `"sign_off":{`) || !strings.Contains(frozen, "本年度评估发现两项差距。") {
			t.Fatalf("the signed-off JSON lacks the sign-off or the section: %s", frozen)
		}

		res, body = sm.Do("PUT", path+"/sections", nil, h, `{"sections":{"conclusion":{"zh":"基本符合。","en":"Broadly compliant."}}}`)
		v2 := decode(t, res, body, http.StatusOK)
		if v2.Version != 2 || v2.State != "draft" || len(v2.Versions) != 2 {
			t.Fatalf("an edit after sign-off: %s", body)
		}
		if _, again := sm.Do("GET", path+"/versions/1/report.json", nil, nil); again != frozen {
			t.Fatal("the signed-off version changed after an edit")
		}

		other := env.Login(t, "security@water.demo")
		for _, p := range []string{path, path + "/versions/1/report.json", path + "/versions/1/report.pdf", fmt.Sprintf("/reports/%d", r.ID)} {
			if res, body := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("another organisation reads %s: %d %.200s", p, res.StatusCode, body)
			}
		}
		if res, _ := other.Do("PUT", path+"/sections", nil, jsonHdr(other.CSRF), `{"sections":{"summary":{"zh":"x"}}}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another organisation edits: %d", res.StatusCode)
		}
	})
}

var _ = apptest.Main
