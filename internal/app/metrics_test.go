package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestPrometheusScrapesWithAToken scrapes /metrics the way Prometheus does (a Bearer
// token from its authorization setting, no cookie) as the installation's operations role,
// parses the answer with Prometheus' own text parser and finds the request counter a user
// would graph. A tenant administrator, by token or session, is refused: the metrics count
// every tenant's requests.
func TestPrometheusScrapesWithAToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		ops := env.Login(t, demoEmail[auth.Operations])
		opsTok, _ := mintToken(t, ops, "prometheus", auth.Operations)
		scraper := env.NewClient(t)
		if res, body := scraper.Do("GET", "/api/v1/me", nil, bearerHdr(opsTok)); res.StatusCode != http.StatusOK {
			t.Fatalf("ops token: %d %s", res.StatusCode, body)
		}
		res, body := scraper.Do("GET", "/metrics", nil, map[string]string{"Authorization": "Bearer " + opsTok, "Accept": "text/plain;version=0.0.4"})
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("scrape with the operations token: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		families, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("Prometheus cannot parse the scrape: %v", err)
		}
		reqs := families["ciiguard_http_requests_total"]
		if reqs == nil || reqs.GetType().String() != "COUNTER" {
			t.Fatalf("no counter ciiguard_http_requests_total among %d families", len(families))
		}
		found := false
		for _, m := range reqs.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == "GET /api/v1/me" && labels["code"] == "200" && m.GetCounter().GetValue() >= 1 {
				found = true
			}
		}
		if !found {
			t.Errorf("ciiguard_http_requests_total has no sample for the GET /api/v1/me request made above")
		}
		if families["ciiguard_http_request_duration_seconds"].GetType().String() != "HISTOGRAM" {
			t.Errorf("no latency histogram ciiguard_http_request_duration_seconds")
		}

		// Tenant administrators: by token and by session, operator and regulator alike.
		admin := env.Login(t, demoEmail[auth.Admin])
		adminTok, _ := mintToken(t, admin, "not for metrics", auth.Admin)
		if res, body := scraper.Do("GET", "/metrics", nil, bearerHdr(adminTok)); res.StatusCode != http.StatusForbidden {
			t.Errorf("a tenant administrator's token on /metrics: %d %.200s, want 403", res.StatusCode, body)
		}
		for _, role := range []auth.Role{auth.Admin, auth.RegulatorAdmin} {
			if res, _ := env.Login(t, demoEmail[role]).Do("GET", "/metrics", nil, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s session on /metrics: %d, want 403", role, res.StatusCode)
			}
		}
		if res, _ := scraper.Do("GET", "/metrics", nil, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous scrape: %d, want 401", res.StatusCode)
		}
	})
}

// TestTenantAdminCannotGrantOperations checks that the installation role is out of every
// tenant administrator's reach, in the API and the form.
func TestTenantAdminCannotGrantOperations(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	for _, role := range []auth.Role{auth.Admin, auth.RegulatorAdmin} {
		c := env.Login(t, demoEmail[role])
		res, body := c.Do("POST", "/api/v1/users", nil, jsonHdr(c), `{"email":"ops-`+string(role)+`@x.demo","name":"O","role":"operations","password":"long-enough-password"}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"role"`) {
			t.Errorf("%s creating an operations user: %d %s, want 400 naming role", role, res.StatusCode, body)
		}
		analyst := demoEmail[auth.Analyst]
		if role == auth.RegulatorAdmin {
			analyst = demoEmail[auth.RegulatorAnalyst]
		}
		u, err := env.App.Auth.UserByEmail(t.Context(), analyst)
		if err != nil {
			t.Fatal(err)
		}
		res, body = c.Do("PATCH", "/api/v1/users/"+itoa(u.ID), nil, jsonHdr(c), `{"role":"operations"}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"role"`) {
			t.Errorf("%s promoting a user to operations: %d %s, want 400 naming role", role, res.StatusCode, body)
		}
		if res, body := c.Do("POST", "/api/v1/tokens", nil, jsonHdr(c), `{"name":"m","role":"operations"}`); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s minting an operations token: %d %s, want 400", role, res.StatusCode, body)
		}
	}
}
