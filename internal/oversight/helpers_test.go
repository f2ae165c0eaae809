package oversight_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
)

func jsonHdr(csrf string) map[string]string {
	return map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}
}

// call sends v as JSON and decodes the answer into out (when not nil); it returns the
// status and the body.
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
	res, text := c.Do(method, path, nil, jsonHdr(c.CSRF), body...)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, text)
		}
	}
	return res.StatusCode, text
}

// regulatorID is the demo regulator's organisation id.
func regulatorID(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	u, err := env.App.Auth.UserByEmail(context.Background(), "admin@regulator.demo")
	if err != nil {
		t.Fatal(err)
	}
	return u.OrgID
}

// secondRegulator creates another regulator organisation (another sector and region) with
// an analyst, and returns the analyst's client.
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

// submission is what the tests read of a filing.
type submission struct {
	ID            int64  `json:"id"`
	RegulatorID   int64  `json:"regulator_id"`
	Kind          string `json:"kind"`
	TitleZH       string `json:"title_zh"`
	PayloadSHA256 string `json:"payload_sha256"`
	Signed        bool   `json:"signed"`
	State         string `json:"state"`
	Clock         string `json:"clock"`
	OperatorID    int64  `json:"operator_id"`
	Answers       []struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	} `json:"answers"`
}

func mustStatus(t *testing.T, what string, got, want int, body string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %d, want %d: %s", what, got, want, body)
	}
}

var _ = http.StatusOK

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// otherOperator is the second demo operator's security manager.
func otherOperator() string { return app.OtherOperatorEmail(auth.SecurityManager) }

// newOperator creates an operator organisation with a security manager who has named no
// department yet, and returns the manager's client.
func newOperator(t *testing.T, env *apptest.Env) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "新运营者（测试）", NameEN: "New operator (test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("security%d@operator.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.SecurityManager, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email)
}
