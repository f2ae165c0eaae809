package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/web"
)

// jsonHdr returns the headers of an API call from a signed-in browser session.
func jsonHdr(c *apptest.Client) map[string]string {
	return map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.CSRF}
}

// bearerHdr returns the headers of an API call with a token.
func bearerHdr(tok string) map[string]string {
	return map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + tok}
}

// mintToken makes an API token through the API as the signed-in client.
func mintToken(t *testing.T, c *apptest.Client, name string, role auth.Role) (string, auth.Token) {
	t.Helper()
	res, body := c.Do("POST", "/api/v1/tokens", nil, jsonHdr(c), `{"name":"`+name+`","role":"`+string(role)+`"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create %s token %q: %d %s", role, name, res.StatusCode, body)
	}
	var out struct {
		Token  string     `json:"token"`
		Record auth.Token `json:"record"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("token answer %s: %v", body, err)
	}
	return out.Token, out.Record
}

// addAdmin creates another operator administrator through the API and signs it in.
func addAdmin(t *testing.T, env *apptest.Env, admin *apptest.Client, email string) (*apptest.Client, auth.User) {
	t.Helper()
	res, body := admin.Do("POST", "/api/v1/users", nil, jsonHdr(admin),
		`{"email":"`+email+`","name":"Eve","role":"admin","password":"`+app.DemoPassword+`"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create admin %s: %d %s", email, res.StatusCode, body)
	}
	var u auth.User
	if err := json.Unmarshal([]byte(body), &u); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email), u
}

// problemOf decodes a problem+json answer.
func problemOf(t *testing.T, res *http.Response, body string) web.Problem {
	t.Helper()
	var p web.Problem
	if res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("answer %d is not problem+json: %s", res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem %s: %v", body, err)
	}
	return p
}

// TestDemotedUsersTokenLosesItsRole replays the reported escalation: an administrator
// makes an admin token, is demoted to auditor by another administrator, and then uses the
// old token to read its role, create an administrator and promote itself back. Every step
// after the demotion must be refused, and the revocation is in the audit trail.
func TestDemotedUsersTokenLosesItsRole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, demoEmail[auth.Admin])
		eve, eveUser := addAdmin(t, env, admin, "eve@grid.demo")
		adminTok, adminRec := mintToken(t, eve, "automation", auth.Admin)
		auditTok, _ := mintToken(t, eve, "read audit", auth.Auditor)
		self := "/api/v1/users/" + itoa(eveUser.ID)

		if res, body := admin.Do("PATCH", self, nil, jsonHdr(admin), `{"role":"auditor"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("demote eve: %d %s", res.StatusCode, body)
		}
		bc := env.NewClient(t)
		res, body := bc.Do("GET", "/api/v1/me", nil, bearerHdr(adminTok))
		if res.StatusCode != http.StatusUnauthorized || strings.Contains(body, `"admin"`) {
			t.Fatalf("old admin token after demotion, GET /api/v1/me: %d %s, want 401", res.StatusCode, body)
		}
		if p := problemOf(t, res, body); !strings.Contains(p.Detail, "revoked") {
			t.Errorf("the refusal does not say why: %q", p.Detail)
		}
		if res, body := bc.Do("POST", "/api/v1/users", nil, bearerHdr(adminTok),
			`{"email":"mallory@grid.demo","name":"M","role":"admin","password":"long-enough-password"}`); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("old admin token creating an administrator: %d %s, want 401", res.StatusCode, body)
		}
		if res, body := bc.Do("PATCH", self, nil, bearerHdr(adminTok), `{"role":"admin"}`); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("old admin token promoting its owner back: %d %s, want 401", res.StatusCode, body)
		}
		u, err := env.App.Auth.UserByEmail(context.Background(), "eve@grid.demo")
		if err != nil || u.Role != auth.Auditor {
			t.Fatalf("eve is %q after the attack (%v), want auditor", u.Role, err)
		}
		if _, err := env.App.Auth.UserByEmail(context.Background(), "mallory@grid.demo"); err == nil {
			t.Fatal("the old token created a user")
		}
		// The auditor token stays: it grants nothing an auditor lacks.
		if res, body := bc.Do("GET", "/api/v1/me", nil, bearerHdr(auditTok)); res.StatusCode != http.StatusOK || !strings.Contains(body, `"role": "auditor"`) {
			t.Fatalf("eve's auditor token after becoming auditor: %d %s", res.StatusCode, body)
		}
		// The revocation of the admin token is audited, naming why.
		entries := auditEntries(t, admin)
		found := false
		for _, e := range entries {
			if e.Entity == "api_token" && e.EntityID == itoa(adminRec.ID) && e.Action == audit.Delete && strings.Contains(e.Detail, "role") {
				found = true
			}
		}
		if !found {
			t.Errorf("no audit entry revokes token %d because of the role change", adminRec.ID)
		}
	})
}

// TestTokenIsCheckedAgainstTheOwnersRoleAtUse changes a user's role behind the service's
// back (as a restore or a direct database edit would), so no revocation ran: the token must
// still be refused because its role grants what its owner's current role does not.
func TestTokenIsCheckedAgainstTheOwnersRoleAtUse(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, demoEmail[auth.Admin])
		eve, eveUser := addAdmin(t, env, admin, "eve@grid.demo")
		adminTok, _ := mintToken(t, eve, "automation", auth.Admin)
		analystTok, _ := mintToken(t, eve, "analysis", auth.Analyst)
		if _, err := env.App.DB.SQL().ExecContext(context.Background(), `UPDATE users SET role = 'analyst' WHERE id = $1`, eveUser.ID); err != nil {
			t.Fatal(err)
		}
		bc := env.NewClient(t)
		res, body := bc.Do("GET", "/api/v1/users", nil, bearerHdr(adminTok))
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("admin token of a user who is now analyst: %d %s, want 401", res.StatusCode, body)
		}
		if p := problemOf(t, res, body); !strings.Contains(p.Detail, "analyst") || !strings.Contains(p.Detail, "admin") {
			t.Errorf("the refusal does not name the token's and the owner's roles: %q", p.Detail)
		}
		if res, body := bc.Do("GET", "/api/v1/me", nil, bearerHdr(analystTok)); res.StatusCode != http.StatusOK || !strings.Contains(body, `"role": "analyst"`) {
			t.Fatalf("analyst token of an analyst: %d %s", res.StatusCode, body)
		}
	})
}

// TestPasswordResetAndDisableRevokeTokens checks that a new password (the usual answer to
// a suspected compromise) and disabling a user revoke every token of that user, audited.
func TestPasswordResetAndDisableRevokeTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, demoEmail[auth.Admin])
		eve, eveUser := addAdmin(t, env, admin, "eve@grid.demo")
		tok, rec := mintToken(t, eve, "ci", auth.Auditor)
		self := "/api/v1/users/" + itoa(eveUser.ID)
		if res, body := admin.Do("PATCH", self, nil, jsonHdr(admin), `{"password":"a-brand-new-password"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("reset password: %d %s", res.StatusCode, body)
		}
		bc := env.NewClient(t)
		if res, body := bc.Do("GET", "/api/v1/me", nil, bearerHdr(tok)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token after its owner's password reset: %d %s, want 401", res.StatusCode, body)
		}
		revoked := false
		for _, e := range auditEntries(t, admin) {
			if e.Entity == "api_token" && e.EntityID == itoa(rec.ID) && e.Action == audit.Delete && strings.Contains(e.Detail, "password") {
				revoked = true
			}
		}
		if !revoked {
			t.Errorf("the revocation of token %d by the password reset is not audited", rec.ID)
		}

		mallory, malloryUser := addAdmin(t, env, admin, "mallory@grid.demo")
		mtok, mrec := mintToken(t, mallory, "ci", auth.Admin)
		if res, body := admin.Do("PATCH", "/api/v1/users/"+itoa(malloryUser.ID), nil, jsonHdr(admin), `{"disabled":true}`); res.StatusCode != http.StatusOK {
			t.Fatalf("disable: %d %s", res.StatusCode, body)
		}
		if res, body := bc.Do("GET", "/api/v1/me", nil, bearerHdr(mtok)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token of a disabled user: %d %s, want 401", res.StatusCode, body)
		}
		revoked = false
		for _, e := range auditEntries(t, admin) {
			if e.Entity == "api_token" && e.EntityID == itoa(mrec.ID) && e.Action == audit.Delete && strings.Contains(e.Detail, "disabled") {
				revoked = true
			}
		}
		if !revoked {
			t.Errorf("the revocation of token %d by disabling its owner is not audited", mrec.ID)
		}
	})
}

// TestNoSelfRoleChangeThroughTheAPI checks that the API refuses what the form refuses: an
// administrator changing its own role or disabling itself, by session or by token.
func TestNoSelfRoleChangeThroughTheAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		admin := env.Login(t, demoEmail[auth.Admin])
		me, err := env.App.Auth.UserByEmail(context.Background(), demoEmail[auth.Admin])
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := mintToken(t, admin, "self", auth.Admin)
		self := "/api/v1/users/" + itoa(me.ID)
		for _, c := range []struct {
			who        string
			hdr        map[string]string
			body, want string
		}{
			{"session", jsonHdr(admin), `{"role":"auditor"}`, "role"},
			{"token", bearerHdr(tok), `{"role":"analyst"}`, "role"},
			{"session", jsonHdr(admin), `{"disabled":true}`, "disabled"},
		} {
			res, body := admin.Do("PATCH", self, nil, c.hdr, c.body)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("self change %s by %s: %d %s, want 400", c.body, c.who, res.StatusCode, body)
			}
			if p := problemOf(t, res, body); len(p.Errors) == 0 || p.Errors[0].Field != c.want {
				t.Errorf("self change %s: errors %+v, want the field %q named", c.body, p.Errors, c.want)
			}
		}
		// Changing one's own name, with the role unchanged, stays allowed.
		if res, body := admin.Do("PATCH", self, nil, jsonHdr(admin), `{"name":"王敏","role":"admin"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("own name: %d %s", res.StatusCode, body)
		}
		if u, _ := env.App.Auth.UserByEmail(context.Background(), demoEmail[auth.Admin]); u.Role != auth.Admin || u.Disabled {
			t.Fatalf("the administrator changed itself: %+v", u)
		}
	})
}

// auditEntries reads the newest page of the organisation's audit trail through the API.
func auditEntries(t *testing.T, c *apptest.Client) []audit.Entry {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/audit", nil, nil)
	var out struct{ Entries []audit.Entry }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("audit API: %v %s", err, body)
	}
	return out.Entries
}
