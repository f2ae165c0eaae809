package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
)

// regulatorRoutes is the hand-written list of the path prefixes a regulator's user may
// reach: its own workspace (inbox, registry, notices, cases). regulatorTenantRoutes are
// the routes every organisation has for itself — its users, tokens, audit trail,
// notifications, home page — and the reference law every user reads (the catalog, the
// holiday schedules). Everything else an installation serves is an operator's or the
// installation's.
// The threat capability's regulator side is its workspace too: the notifications it
// publishes and the sightings operators chose to share with it; so is its TAXII server
// (its own notifications, the sightings received, its sharing group).
var regulatorRoutes = []string{"/oversight", "/api/v1/oversight", "/threat/regulator", "/api/v1/threat/notifications", "/api/v1/threat/sightings", "/taxii2"}

var regulatorTenantRoutes = []string{"/{$}", "/api/v1/me", "/users", "/api/v1/users", "/tokens", "/api/v1/tokens", "/audit", "/api/v1/audit",
	"/notifications", "/api/v1/notifications/preferences", "/obligations", "/api/v1/obligations", "/api/v1/oscal/catalog", "/api/v1/calendar/schedules"}

// gridPrivate are words only the demo grid operator's own records hold (its inventory's
// purposes, people and data, from scope's demo): a regulator's page must never show them.
var gridPrivate = []string{"省级电网实时调度、发电计划与自动发电控制", "孙志刚", "860 万户用电数据、户号与地址", "业扩报装、电费核算与收费"}

// TestRegulatorReadsNothingPrivate walks every route the installation registers, with the
// demo grid operator's record ids (its systems and its filings) in every path parameter,
// as each of the demo regulator's three roles. A route outside the regulator's workspace
// (regulatorRoutes) must answer 403 or 404; no answer of any route may carry the grid's
// private words. Routes open to anyone (sign-in, health, static files) are read for the
// words only. The regulator sees what the operator filed — the filings' titles and
// payloads — and what it recorded itself, nothing else.
func TestRegulatorReadsNothingPrivate(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	grid := env.Login(t, "admin@grid.demo")
	var systems struct {
		Systems []struct {
			ID int64 `json:"id"`
		} `json:"systems"`
	}
	if _, body := grid.Do("GET", "/api/v1/scope/systems", nil, nil); json.Unmarshal([]byte(body), &systems) != nil || len(systems.Systems) < 2 {
		t.Fatalf("the grid operator's systems: %s", body)
	}
	// The oracle first: the grid's own pages do show the words, so their absence below
	// means something.
	_, own := grid.Do("GET", "/scope/systems/"+strconv.FormatInt(systems.Systems[0].ID, 10), nil, nil)
	_, ownAPI := grid.Do("GET", "/api/v1/scope/systems?per_page=100", nil, nil)
	for _, w := range gridPrivate {
		if !strings.Contains(own+ownAPI, w) {
			t.Fatalf("the grid operator's own records lack %q: the private words are stale", w)
		}
	}
	var filed struct {
		Submissions []struct {
			ID int64 `json:"id"`
		} `json:"submissions"`
	}
	if _, body := env.Login(t, "security@grid.demo").Do("GET", "/api/v1/filings", nil, nil); json.Unmarshal([]byte(body), &filed) != nil || len(filed.Submissions) == 0 {
		t.Fatalf("the grid operator's filings: %s", body)
	}
	ids := []string{strconv.FormatInt(systems.Systems[0].ID, 10), strconv.FormatInt(systems.Systems[1].ID, 10), strconv.FormatInt(filed.Submissions[0].ID, 10)}

	regs := map[auth.Role]*apptest.Client{}
	for _, r := range []auth.Role{auth.RegulatorAdmin, auth.RegulatorAnalyst, auth.Inspector} {
		regs[r] = env.Login(t, demoEmail[r])
	}
	routes := env.App.Web.Routes()
	checked := 0
	for _, rt := range routes {
		if rt.Path == "/logout" || rt.Path == "/lang" {
			continue
		}
		own := false
		for _, p := range regulatorRoutes {
			own = own || rt.Path == p || strings.HasPrefix(rt.Path, p+"/")
		}
		for _, p := range regulatorTenantRoutes {
			own = own || rt.Path == p
		}
		// The regulator's own workspace is read, not written: its writes are its own.
		if (own || rt.Perm == auth.Public) && rt.Method != "GET" {
			continue
		}
		for _, id := range ids {
			path := wildcard.ReplaceAllString(strings.ReplaceAll(rt.Path, "{$}", ""), id)
			for role, c := range regs {
				var res *http.Response
				var body string
				switch {
				case rt.Method == "GET":
					res, body = c.Do("GET", path, nil, nil)
				case rt.API:
					res, body = c.Do(rt.Method, path, nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}, "{}")
				default:
					res, body = c.Do(rt.Method, path, url.Values{"_csrf": {c.CSRF}}, nil)
				}
				checked++
				if !own && rt.Perm != auth.Public && res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s as %s: %d, want 403 or 404 (an operator's route)", rt.Method, path, role, res.StatusCode)
				}
				for _, w := range gridPrivate {
					if strings.Contains(body, w) {
						t.Errorf("%s %s as %s shows the grid operator's private %q", rt.Method, path, role, w)
					}
				}
			}
			if !strings.Contains(rt.Path, "{") {
				break // one request per role is enough for a route without a parameter
			}
		}
	}
	if checked < 300 {
		t.Errorf("only %d requests checked", checked)
	}
}
