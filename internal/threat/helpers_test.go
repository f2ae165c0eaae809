package threat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
)

// call sends v as JSON and decodes the answer into out (when not nil and the status is
// below 300); it returns the status and the body.
func call(t *testing.T, c *apptest.Client, method, path string, v any, out any) (int, string) {
	t.Helper()
	var body []string
	if v != nil {
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

// hunt is what the tests read of a retro-hunt.
type hunt struct {
	ID      int64  `json:"id"`
	Cause   string `json:"cause"`
	State   string `json:"state"`
	Scanned int64  `json:"scanned"`
	Total   int64  `json:"total"`
	Hits    int    `json:"hits"`
	Error   string `json:"error"`
}

// waitHunt polls the operator's retro-hunts until the one caused by cause has finished.
func waitHunt(t *testing.T, c *apptest.Client, cause string) hunt {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var hs struct{ Hunts []hunt }
		code, body := call(t, c, "GET", "/api/v1/threat/hunts", nil, &hs)
		must(t, "hunts", code, http.StatusOK, body)
		for _, h := range hs.Hunts {
			if h.Cause == cause && (h.State == "done" || h.State == "failed") {
				return h
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("retro-hunt of %s not finished: %s", cause, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waterOperator is the second demo operator's security manager (the water sector).
func waterOperator() string { return app.OtherOperatorEmail(auth.SecurityManager) }

// secondRegulator creates another regulator with an analyst and returns the analyst's client.
func secondRegulator(t *testing.T, env *apptest.Env) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Regulator, NameZH: "示例金融监管局（测试）", NameEN: "Example Finance Regulator (test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("analyst%d@finance-regulator.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.RegulatorAnalyst, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
