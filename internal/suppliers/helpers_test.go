package suppliers_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

// apiProduct is a product as the API returns it.
type apiProduct struct {
	ID          int64   `json:"id"`
	SupplierID  int64   `json:"supplier_id"`
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Systems     []int64 `json:"systems"`
	NeedsCert   bool    `json:"needs_certificate"`
	Certified   bool    `json:"certified"`
	Certificate *struct {
		Number string `json:"number"`
	} `json:"certificate"`
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

// systemOf returns the id of one of the client's organisation's systems with the given CII
// status ("identified", "none" …).
func systemOf(t *testing.T, c *apptest.Client, status string) int64 {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/scope/systems?limit=1000", nil, nil)
	var out struct {
		Systems []struct {
			ID        int64  `json:"id"`
			CIIStatus string `json:"cii_status"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("systems: %v: %s", err, body)
	}
	for _, s := range out.Systems {
		if s.CIIStatus == status {
			return s.ID
		}
	}
	t.Fatalf("no system with CII status %q", status)
	return 0
}

// chinaDate is the China-time calendar day d days from today, YYYY-MM-DD.
func chinaDate(d int) string {
	return time.Now().In(calendar.Shanghai).AddDate(0, 0, d).Format("2006-01-02")
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
