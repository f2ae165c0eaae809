package obligations_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/obligations"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// snapshot is every finding of the organisation as the API gives it, keyed by obligation
// and subject, without evaluation times.
func snapshot(t *testing.T, c *apptest.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range findings(t, c, "").Findings {
		due := ""
		if f.Due != nil {
			due = f.Due.UTC().String()
		}
		out[f.ObligationID+"|"+string(f.SubjectKind)+"|"+f.SubjectID] = fmt.Sprintf("%s|%s|%s|%s|%v|%s", f.Status, f.Reason.Zh, f.Reason.En, due, f.Evidence, f.AttestedBy)
	}
	return out
}

func sameFindings(t *testing.T, step string, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, "missing "+k)
		} else if g != w {
			diffs = append(diffs, k+": "+g+" ≠ "+w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "extra "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		if len(diffs) > 5 {
			diffs = diffs[:5]
		}
		t.Fatalf("%s: the incrementally kept findings differ from a full evaluation:\n%s", step, strings.Join(diffs, "\n"))
	}
}

// TestIncrementalMatchesFullEvaluation makes the edits a person makes — a system's owner and
// grade, a new system, a removed one, the organisation profile, an attestation — each
// answered before its evaluation, then waits through the API and compares the findings kept
// incrementally with what a full evaluation from the same records stores: the full
// evaluation is the oracle.
func TestIncrementalMatchesFullEvaluation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "admin@grid.demo")
		h := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
		res, body := c.Do("GET", "/api/v1/scope/systems?per_page=500", nil, nil)
		var list struct {
			Systems []struct {
				ID int64 `json:"id"`
			} `json:"systems"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != 200 || len(list.Systems) < 3 {
			t.Fatalf("systems: %d %v", res.StatusCode, err)
		}
		sys := func(i int) string { return "/api/v1/scope/systems/" + strconv.FormatInt(list.Systems[i].ID, 10) }
		full := func(step string) {
			t.Helper()
			before := snapshot(t, c)
			res, body := c.Do("POST", "/api/v1/findings/evaluate", nil, h)
			var run obligations.Run
			if err := json.Unmarshal([]byte(body), &run); err != nil || res.StatusCode != 200 {
				t.Fatalf("evaluate: %d %s", res.StatusCode, body)
			}
			sameFindings(t, step, before, snapshot(t, c))
			// The summary computed in memory is the one computed from the stored findings.
			stored := findings(t, c, "").Summary
			run.At, stored.At = time.Time{}, time.Time{}
			if run != stored {
				t.Fatalf("%s: summary from the evaluation %+v, from the stored findings %+v", step, run, stored)
			}
		}
		steps := []struct {
			name, method, path, body string
			status                   int
		}{
			{"owner of one system", "PATCH", sys(0), `{"owner":"新的责任部门"}`, 200},
			{"grade of one system", "PATCH", sys(1), `{"mlps_level":4,"graded_on":"2019-03-01"}`, 200},
			{"a new system", "POST", "/api/v1/scope/systems", `{"name":"新增系统","sector":"energy","mlps_level":3,"cii_status":"none"}`, 201},
			{"a removed system", "DELETE", sys(2), ``, 204},
		}
		// The installation is a copy of a seeded one: this process has evaluated nothing yet,
		// and its first evaluation reads everything.
		full("the first evaluation in this process")
		for _, s := range steps {
			res, body := c.Do(s.method, s.path, nil, h, s.body)
			if res.StatusCode != s.status {
				t.Fatalf("%s: %d %s", s.name, res.StatusCode, body)
			}
			// A change of one system reads that system alone (none once it is removed),
			// not the inventory.
			if st := waitEvaluated(t, c); st.Last == nil || st.Last.Full || st.Last.SystemsRead > 1 {
				t.Fatalf("%s: evaluation %+v, want an incremental one that read at most the one system", s.name, st.Last)
			}
			full(s.name)
		}
		res, body = c.Do("GET", "/api/v1/scope/profile", nil, nil)
		var prof map[string]any
		if err := json.Unmarshal([]byte(body), &prof); err != nil || res.StatusCode != 200 {
			t.Fatalf("profile: %d %v", res.StatusCode, err)
		}
		for _, ro := range []string{"org_id", "name_zh", "name_en", "updated_at", "updated_by"} {
			delete(prof, ro) // read-only fields
		}
		prof["telecom_operator"] = !(prof["telecom_operator"] == true)
		b, _ := json.Marshal(prof)
		if res, body := c.Do("PUT", "/api/v1/scope/profile", nil, h, string(b)); res.StatusCode != http.StatusOK {
			t.Fatalf("profile change: %d %s", res.StatusCode, body)
		}
		if st := waitEvaluated(t, c); st.Last == nil || st.Last.SystemsRead != len(list.Systems) {
			t.Fatalf("profile: evaluation %+v, want the whole inventory (%d systems) read", st.Last, len(list.Systems))
		}
		full("profile")
		f := upload(t, c, "plan.txt", "Security policies in force")
		if res, body := c.Do("POST", "/api/v1/attestations", nil, h, `{"obligation_id":"CIIR-SECURITY-POLICIES","statement":"In force","evidence":["`+f.SHA256+`"]}`); res.StatusCode != http.StatusCreated {
			t.Fatalf("attest: %d %s", res.StatusCode, body)
		}
		full("attestation")
	})
}

// TestEvaluationStateAPI: the state answers with when findings were last evaluated; a bad
// wait is a 400 naming the parameter; the findings page and the dashboard say when.
func TestEvaluationStateAPI(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "security@grid.demo")
	st := waitEvaluated(t, c)
	for _, bad := range []string{"soon", "-1s", "2h"} {
		res, body := c.Do("GET", "/api/v1/evaluation?wait="+bad, nil, nil)
		if res.StatusCode != 400 || !strings.Contains(body, `"field":"wait"`) {
			t.Errorf("wait=%s: %d %s, want 400 naming wait", bad, res.StatusCode, body)
		}
	}
	setLang(t, c, "en")
	for _, p := range []string{"/findings", "/"} {
		res, body := c.Do("GET", p, nil, nil)
		want := "Findings last evaluated " + st.EvaluatedAt.In(shanghai(t)).Format("2006-01-02 15:04:05")
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("%s does not say %q", p, want)
		}
	}
	// A supplier, who may not read findings, may not read the state either.
	sup := env.Login(t, "user@supplier.demo")
	if res, _ := sup.Do("GET", "/api/v1/evaluation", nil, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a supplier reading the evaluation state: %d", res.StatusCode)
	}
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}
