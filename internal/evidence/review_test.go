package evidence_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// status reads one org-level duty's status after the evaluation has caught up.
func status(t *testing.T, c *apptest.Client, ob string) string {
	t.Helper()
	c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil)
	_, body := c.Do("GET", "/api/v1/findings?obligation="+ob, nil, nil)
	var a struct {
		Findings []struct{ Status string }
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil || len(a.Findings) != 1 {
		t.Fatalf("findings of %s: %s", ob, body)
	}
	return a.Findings[0].Status
}

func jsonHdr(c *apptest.Client) map[string]string {
	return map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
}

// Four eyes: an attestation counts only once a person other than its author approved it.
// The author is refused (403) even as an administrator; a rejection needs a note; a
// decision is final; another organisation cannot see or decide the review (404).
func TestFourEyesReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		const ob = "CIIR-SECURITY-POLICIES"
		author := env.Login(t, "admin@grid.demo")
		_, out := author.Do("POST", "/api/v1/evidence?name=policies.txt", nil, map[string]string{"X-CSRF-Token": author.CSRF, "Content-Type": "text/plain"}, "网络安全管理制度 2026")
		var f struct{ SHA256 string }
		_ = json.Unmarshal([]byte(out), &f)
		res, out := author.Do("POST", "/api/v1/attestations", nil, jsonHdr(author), `{"obligation_id":"`+ob+`","statement":"制度已发布","evidence":["`+f.SHA256+`"]}`)
		var a struct{ ID int64 }
		if err := json.Unmarshal([]byte(out), &a); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("attest: %d %s", res.StatusCode, out)
		}
		if st := status(t, author, ob); st == "met" {
			t.Fatal("met before review")
		}
		path := fmt.Sprintf("/api/v1/attestation-reviews/%d", a.ID)
		if res, out := author.Do("POST", path, nil, jsonHdr(author), `{"decision":"approved"}`); res.StatusCode != http.StatusForbidden {
			t.Fatalf("author approving own attestation: %d %s, want 403", res.StatusCode, out)
		}
		other := env.Login(t, app.OtherOperatorEmail(auth.Admin))
		if res, _ := other.Do("POST", path, nil, jsonHdr(other), `{"decision":"approved"}`); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another organisation deciding: %d, want 404", res.StatusCode)
		}
		if _, l := other.Do("GET", "/api/v1/attestation-reviews", nil, nil); strings.Contains(l, "制度已发布") {
			t.Fatal("another organisation lists the review")
		}
		reviewer := env.Login(t, "security@grid.demo")
		if res, out := reviewer.Do("POST", path, nil, jsonHdr(reviewer), `{"decision":"rejected"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"note"`) {
			t.Fatalf("reject without a note: %d %s", res.StatusCode, out)
		}
		if res, out := reviewer.Do("POST", path, nil, jsonHdr(reviewer), `{"decision":"maybe"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"decision"`) {
			t.Fatalf("unknown decision: %d %s", res.StatusCode, out)
		}
		if st := status(t, author, ob); st == "met" {
			t.Fatal("met after refused decisions")
		}
		if res, out := reviewer.Do("POST", path, nil, jsonHdr(reviewer), `{"decision":"approved","note":"已核对制度文本"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("approve: %d %s", res.StatusCode, out)
		}
		if st := status(t, author, ob); st != "met" {
			t.Fatalf("after approval: %s, want met", st)
		}
		if res, _ := reviewer.Do("POST", path, nil, jsonHdr(reviewer), `{"decision":"rejected","note":"again"}`); res.StatusCode != http.StatusConflict {
			t.Fatalf("second decision: %d, want 409", res.StatusCode)
		}
	})
}

// An organisation that turns review off counts its attestations at once; only an
// administrator may change the setting.
func TestFourEyesOff(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sec := env.Login(t, "security@grid.demo")
	if res, _ := sec.Do("PUT", "/api/v1/attestation-reviews/settings", nil, jsonHdr(sec), `{"four_eyes":false}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("security manager turning review off: %d, want 403", res.StatusCode)
	}
	admin := env.Login(t, "admin@grid.demo")
	if res, out := admin.Do("PUT", "/api/v1/attestation-reviews/settings", nil, jsonHdr(admin), `{}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(out, `"field":"four_eyes"`) {
		t.Fatalf("setting without four_eyes: %d %s", res.StatusCode, out)
	}
	if res, out := admin.Do("PUT", "/api/v1/attestation-reviews/settings", nil, jsonHdr(admin), `{"four_eyes":false}`); res.StatusCode != http.StatusOK {
		t.Fatalf("turn review off: %d %s", res.StatusCode, out)
	}
	_, out := admin.Do("POST", "/api/v1/evidence?name=p.txt", nil, map[string]string{"X-CSRF-Token": admin.CSRF, "Content-Type": "text/plain"}, "policies")
	var f struct{ SHA256 string }
	_ = json.Unmarshal([]byte(out), &f)
	if res, out := admin.Do("POST", "/api/v1/attestations", nil, jsonHdr(admin), `{"obligation_id":"CIIR-SECURITY-POLICIES","statement":"in force","evidence":["`+f.SHA256+`"]}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("attest: %d %s", res.StatusCode, out)
	}
	if st := status(t, admin, "CIIR-SECURITY-POLICIES"); st != "met" {
		t.Fatalf("with review off: %s, want met", st)
	}
}

// The review page names the system an attestation is about, linked to the system's page
// (issue 10 item 8: "every place that names a system links to it"), and links the evidence
// the reviewer must see (item 10). The demo's pending review is the grid operator's
// attestation about its dispatch system, 调度自动化系统（D5000）, system 1.
func TestReviewPageNamesTheSystem(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sec := env.Login(t, "security@grid.demo")
	res, page := sec.Do("GET", "/evidence/reviews", nil, map[string]string{"Accept-Language": "zh-CN"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reviews page: %d", res.StatusCode)
	}
	if !strings.Contains(page, `<a href="/scope/systems/1">调度自动化系统（D5000）</a>`) {
		i := strings.Index(page, `href="/scope/systems/1"`)
		t.Errorf("the review does not name its system: %.120s", page[max(i, 0):])
	}
	if !strings.Contains(page, `href="/evidence/`) {
		t.Error("the review does not link its evidence")
	}
}
