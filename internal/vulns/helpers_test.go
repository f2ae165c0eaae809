package vulns_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
)

// call sends v as JSON (a string is sent as it is) and decodes the answer into out when
// the status is below 300; it returns the status and the body.
func call(t *testing.T, c *apptest.Client, method, path string, v any, out any) (int, string) {
	t.Helper()
	var body []string
	switch x := v.(type) {
	case nil:
	case string:
		body = []string{x}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = []string{string(b)}
	}
	res, text := c.Do(method, path, nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, body...)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, text)
		}
	}
	return res.StatusCode, text
}

func must(t *testing.T, what string, got, want int, body string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %d, want %d: %s", what, got, want, body)
	}
}

// fields reads a problem's field reasons.
func fields(t *testing.T, body string) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Reason string }
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Reason
	}
	return out
}

// vuln is what the tests read of a vulnerability.
type vuln struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	CVE         string  `json:"cve"`
	CNVD        string  `json:"cnvd"`
	Severity    string  `json:"severity"`
	Score       float64 `json:"score"`
	CVSSVersion string  `json:"cvss_version"`
	Status      string  `json:"status"`
	Provider    bool    `json:"provider"`
	FixDue      *string `json:"fix_due"`
	Products    []struct {
		ProductID int64  `json:"product_id"`
		Name      string `json:"name"`
		Version   string `json:"version"`
		Supplier  string `json:"supplier"`
	} `json:"products"`
	Systems []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"systems"`
	Clocks []struct {
		Kind, State, Due, BasisZH string
	} `json:"clocks"`
}

func (v vuln) systemNames() []string {
	var out []string
	for _, s := range v.Systems {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

func (v vuln) clock(kind string) (state, due string) {
	for _, c := range v.Clocks {
		if c.Kind == kind {
			return c.State, c.Due
		}
	}
	return "", ""
}

// productID finds a product of the signed-in operator's register by name and version.
func productID(t *testing.T, c *apptest.Client, name, version string) int64 {
	t.Helper()
	var ps struct {
		Products []struct {
			ID            int64
			Name, Version string
		}
	}
	code, body := call(t, c, "GET", "/api/v1/products", nil, &ps)
	must(t, "products", code, http.StatusOK, body)
	for _, p := range ps.Products {
		if p.Name == name && p.Version == version {
			return p.ID
		}
	}
	t.Fatalf("no product %s %s in the register", name, version)
	return 0
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
