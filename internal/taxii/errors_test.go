package taxii_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestErrorsAreTAXIIMessages: every failure under /taxii2/ is a TAXII error message
// (§3.6.1: title, description, http_status) in application/taxii+json;version=2.1, which
// §4 and §5 list for the failure responses — also those the web layer answers before the
// TAXII handler runs. The oracle is §3.6.1's resource, decoded field by field: 401 without
// credentials (with its challenge) and with an unknown token, 403 for a role without
// taxii.read and for a signed-in session's DELETE without its CSRF token, 404 for a
// collection the caller does not have, 405 for a method no route has, 406 for an Accept
// without the TAXII type and 415 for a POST that is not TAXII. Failed first with the web
// layer's problem+json: "no credentials: Content-Type "application/problem+json"".
func TestErrorsAreTAXIIMessages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	admin := env.Login(t, "admin@grid.demo")
	analyst := caller{t, env.NewClient(t), "Bearer " + token(t, admin, "analyst")}
	supplier := caller{t, env.Login(t, "user@supplier.demo"), ""}
	anon := caller{t, env.NewClient(t), ""}
	stranger := caller{t, env.NewClient(t), "Bearer cgt_not-a-token"}
	session := caller{t, admin, ""}
	private := collections(t, analyst)["private"].ID
	objects := root + "collections/" + private + "/objects/"
	check := func(what string, res *http.Response, body string, code int) {
		t.Helper()
		if res.StatusCode != code || res.Header.Get("Content-Type") != taxiiMedia {
			t.Errorf("%s: %d, Content-Type %q; want %d and %q", what, res.StatusCode, res.Header.Get("Content-Type"), code, taxiiMedia)
			return
		}
		var e struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			HTTPStatus  string `json:"http_status"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Title != http.StatusText(code) || e.Description == "" || e.HTTPStatus != strconv.Itoa(code) {
			t.Errorf("%s: body %s is not a TAXII error message for %d", what, body, code)
		}
	}
	res, body := anon.do("GET", root, nil, "", nil)
	check("no credentials", res, body, 401)
	if !strings.Contains(strings.Join(res.Header.Values("WWW-Authenticate"), " "), "Basic") {
		t.Errorf("401 without the Basic challenge: %v", res.Header.Values("WWW-Authenticate"))
	}
	res, body = stranger.do("GET", root+"collections/", nil, "", nil)
	check("an unknown token", res, body, 401)
	res, body = supplier.do("GET", root+"collections/", nil, "", nil)
	check("a role without taxii.read (a supplier's user)", res, body, 403)
	res, body = session.do("DELETE", objects+"indicator--77777777-7777-4777-8777-777777777777/", nil, "", nil)
	check("a session's DELETE without its CSRF token", res, body, 403)
	res, body = analyst.do("GET", root+"collections/00000000-0000-4000-8000-000000000000/objects/", nil, "", nil)
	check("a collection the caller does not have", res, body, 404)
	res, body = analyst.do("PUT", root+"collections/", nil, "{}", nil)
	check("a method no route has", res, body, 405)
	res, body = analyst.do("GET", root+"collections/", map[string]string{"Accept": "application/json"}, "", nil)
	check("Accept without the TAXII type", res, body, 406)
	res, body = analyst.do("POST", objects, map[string]string{"Content-Type": "application/json"}, `{"objects":[]}`, nil)
	check("a POST that is not TAXII", res, body, 415)
}
