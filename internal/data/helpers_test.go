package data_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

// decode reads a JSON answer into v, failing the test on a wrong status.
func decode(t *testing.T, res *http.Response, body string, want int, v any) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: %v: %s", res.Request.URL.Path, err, body)
		}
	}
}

// fields maps each field of a problem answer to its reason.
func fields(t *testing.T, body string) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Reason string }
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem: %v: %s", err, body)
	}
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Reason
	}
	return out
}

// finding reads the current organisation finding of an obligation.
func finding(t *testing.T, c *apptest.Client, id string) (status, reasonEn string, due string) {
	t.Helper()
	if res, body := c.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
		t.Fatalf("evaluation: %d %s", res.StatusCode, body)
	}
	_, body := c.Do("GET", "/api/v1/findings?obligation="+id, nil, nil)
	var a struct {
		Findings []struct {
			SubjectKind string `json:"subject_kind"`
			Status      string `json:"status"`
			Due         string `json:"due"`
			Reason      struct{ Zh, En string }
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("findings of %s: %v %s", id, err, body)
	}
	for _, f := range a.Findings {
		if f.SubjectKind != "system" {
			return f.Status, f.Reason.En, f.Due
		}
	}
	t.Fatalf("no finding of %s: %s", id, body)
	return "", "", ""
}

// transferJSON is a transfer as the API returns it.
type transferJSON struct {
	ID        int64  `json:"id"`
	Recipient string `json:"recipient"`
	Exemption string `json:"exemption"`
	Route     struct {
		Route     string `json:"route"`
		Exemption string `json:"exemption"`
		Version   string `json:"rules_version"`
		Rule      struct{ Zh, En string }
	} `json:"route"`
	Covered bool `json:"covered"`
	Batches []struct {
		SentOn string `json:"sent_on"`
		People int64  `json:"people"`
		Note   string `json:"note"`
	} `json:"batches"`
	Mechanisms []struct {
		ID           int64  `json:"id"`
		Kind         string `json:"kind"`
		Status       string `json:"status"`
		Due          string `json:"due"`
		ValidThrough string `json:"valid_through"`
		WindowOpens  string `json:"extension_window_opens"`
	} `json:"mechanisms"`
	PIPIAs []struct {
		ID        int64  `json:"id"`
		KeepUntil string `json:"keep_until"`
	} `json:"impact_assessments"`
}

func transfers(t *testing.T, c *apptest.Client) []transferJSON {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/data/transfers", nil, nil)
	var out struct{ Transfers []transferJSON }
	decode(t, res, body, 200, &out)
	return out.Transfers
}
