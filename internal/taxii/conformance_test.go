package taxii_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMain removes the seeded installations apptest copies for each test.
func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

const (
	taxiiMedia = "application/taxii+json;version=2.1"
	root       = "/taxii2/ciiguard/"
)

// caller speaks to the server as one client: its Authorization header (Bearer or Basic).
type caller struct {
	t    *testing.T
	c    *apptest.Client
	auth string
}

// do sends a TAXII request with Accept set to the TAXII media type unless hdr says
// otherwise, and decodes a JSON answer into out when given.
func (k caller) do(method, path string, hdr map[string]string, body string, out any) (*http.Response, string) {
	k.t.Helper()
	h := map[string]string{"Accept": taxiiMedia}
	if k.auth != "" {
		h["Authorization"] = k.auth
	}
	for key, v := range hdr {
		if v == "" {
			delete(h, key)
		} else {
			h[key] = v
		}
	}
	var res *http.Response
	var text string
	if body != "" {
		res, text = k.c.Do(method, path, nil, h, body)
	} else {
		res, text = k.c.Do(method, path, nil, h)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			k.t.Fatalf("%s %s: %v: %s", method, path, err, text)
		}
	}
	return res, text
}

// want fails unless res has status code, and (for TAXII answers) the TAXII media type.
func want(t *testing.T, what string, res *http.Response, body string, code int) {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("%s: status %d, want %d: %s", what, res.StatusCode, code, body)
	}
	if code != http.StatusUnauthorized && code != http.StatusForbidden && res.Header.Get("Content-Type") != taxiiMedia {
		t.Fatalf("%s: Content-Type %q, want %q (§3.1: responses carry the media type and version)", what, res.Header.Get("Content-Type"), taxiiMedia)
	}
}

// token makes an API token of role for the signed-in admin c and returns it.
func token(t *testing.T, c *apptest.Client, role string) string {
	t.Helper()
	res, body := c.Do("POST", "/api/v1/tokens", nil, map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"},
		fmt.Sprintf(`{"name":"taxii %s","role":%q}`, role, role))
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("token: %d %s", res.StatusCode, body)
	}
	return out.Token
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

type collection struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Alias      string   `json:"alias"`
	CanRead    bool     `json:"can_read"`
	CanWrite   bool     `json:"can_write"`
	MediaTypes []string `json:"media_types"`
}

func collections(t *testing.T, k caller) map[string]collection {
	t.Helper()
	var out struct{ Collections []collection }
	res, body := k.do("GET", root+"collections/", nil, "", &out)
	want(t, "collections", res, body, 200)
	m := map[string]collection{}
	for _, c := range out.Collections {
		m[c.Alias] = c
	}
	return m
}

type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

func ids(e envelope) []string {
	var out []string
	for _, o := range e.Objects {
		var h struct{ ID string }
		_ = json.Unmarshal(o, &h)
		out = append(out, h.ID)
	}
	return out
}

// uuid4 is the form of a TAXII identifier (§2: an RFC 4122 version 4 UUID).
var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// taxiiTime is the TAXII timestamp of §2: UTC, microseconds, Z.
var taxiiTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// indicator is a valid STIX 2.1 indicator of ip with a TLP marking (by its published id).
func indicator(id, ip, marking string) string {
	m := ""
	if marking != "" {
		m = fmt.Sprintf(`,"object_marking_refs":[%q]`, marking)
	}
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2026-11-30T08:00:00.000Z","modified":"2026-11-30T08:00:00.000Z","name":"C2 %s","pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":"2026-11-30T08:00:00Z","indicator_types":["malicious-activity"]%s}`, id, ip, ip, m)
}

// The TLP 2.0 marking definitions' published ids (cti-stix-common-objects).
const (
	tlpGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	tlpRed   = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// TestConformance checks the server against normative statements of TAXII 2.1 (OASIS
// Standard, 10 June 2021), each subtest named by its section, on both engines, with the
// demo installation: the grid operator, the water operator, the regulator.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		gridAdmin := env.Login(t, "admin@grid.demo")
		analystTok := token(t, gridAdmin, "analyst")
		auditorTok := token(t, gridAdmin, "auditor")
		grid := caller{t, env.NewClient(t), "Bearer " + analystTok}
		gridBasic := caller{t, env.NewClient(t), basic("admin@grid.demo", analystTok)}
		gridAuditor := caller{t, env.NewClient(t), "Bearer " + auditorTok}
		waterAdmin := env.Login(t, "admin@water.demo")
		water := caller{t, env.NewClient(t), "Bearer " + token(t, waterAdmin, "admin")}
		regAdmin := env.Login(t, "admin@regulator.demo")
		reg := caller{t, env.NewClient(t), "Bearer " + token(t, regAdmin, "regulator_analyst")}
		anon := caller{t, env.NewClient(t), ""}

		t.Run("1.6.9 authentication: 401 with WWW-Authenticate, Basic and Bearer", func(t *testing.T) {
			res, body := anon.do("GET", "/taxii2/", nil, "", nil)
			want(t, "no credentials", res, body, 401)
			if ch := strings.Join(res.Header.Values("WWW-Authenticate"), ", "); !strings.Contains(ch, "Basic") {
				t.Fatalf("401 challenges %q, want Basic among them", ch)
			}
			res, body = gridBasic.do("GET", "/taxii2/", nil, "", nil)
			want(t, "Basic with e-mail and token", res, body, 200)
			for what, a := range map[string]string{
				"Basic with the account password":  basic("admin@grid.demo", "demo-password"),
				"Basic with another user's e-mail": basic("admin@water.demo", analystTok),
				"Bearer with a made-up token":      "Bearer cgt_nothing",
			} {
				res, body = caller{t, env.NewClient(t), a}.do("GET", "/taxii2/", nil, "", nil)
				want(t, what, res, body, 401)
			}
		})

		t.Run("4.1 discovery", func(t *testing.T) {
			var disc struct {
				Title    string   `json:"title"`
				Default  string   `json:"default"`
				APIRoots []string `json:"api_roots"`
			}
			res, body := grid.do("GET", "/taxii2/", nil, "", &disc)
			want(t, "discovery", res, body, 200)
			if disc.Title == "" || len(disc.APIRoots) != 1 || disc.APIRoots[0] != root || disc.Default != root {
				t.Fatalf("discovery: %s (title required; default must be one of api_roots, §4.1.1)", body)
			}
		})

		t.Run("4.2 API root: versions and max_content_length", func(t *testing.T) {
			var ar struct {
				Title    string   `json:"title"`
				Versions []string `json:"versions"`
				Max      int      `json:"max_content_length"`
			}
			res, body := grid.do("GET", root, nil, "", &ar)
			want(t, "api root", res, body, 200)
			if ar.Title == "" || len(ar.Versions) != 1 || ar.Versions[0] != taxiiMedia || ar.Max <= 0 {
				t.Fatalf("api root: %s", body)
			}
		})

		t.Run("1.6.8 and 3.1 content negotiation: 406", func(t *testing.T) {
			for _, tc := range []struct {
				accept string
				code   int
			}{
				{"application/taxii+json;version=2.1", 200},
				{"application/taxii+json", 200}, // §1.6.8.2: the latest version
				{"application/json", 406},
				{"application/taxii+json;version=2.0", 406},
				{"text/html", 406},
				{"", 406}, // §3.1: a request MUST include a TAXII media range
			} {
				res, body := grid.do("GET", root+"collections/", map[string]string{"Accept": tc.accept}, "", nil)
				want(t, "Accept "+tc.accept, res, body, tc.code)
			}
		})

		cols := collections(t, grid)
		t.Run("5.1 and 5.2 collections with can_read and can_write per requester", func(t *testing.T) {
			energy, ok := cols["regulator:energy"]
			if !ok {
				t.Fatalf("the grid operator's collections %v have no regulator:energy", cols)
			}
			if !energy.CanRead || energy.CanWrite || !uuid4.MatchString(energy.ID) || len(energy.MediaTypes) != 1 || energy.MediaTypes[0] != "application/stix+json;version=2.1" {
				t.Fatalf("regulator:energy: %+v (read-only, a UUIDv4 id, the STIX media type)", energy)
			}
			if p := cols["private"]; !p.CanRead || !p.CanWrite {
				t.Fatalf("private for the analyst: %+v, want readable and writable", p)
			}
			if p := collections(t, gridAuditor)["private"]; !p.CanRead || p.CanWrite {
				t.Fatalf("private for the auditor: %+v, want read-only", p)
			}
			var one collection
			res, body := grid.do("GET", root+"collections/"+energy.ID+"/", nil, "", &one)
			want(t, "one collection", res, body, 200)
			if one.ID != energy.ID || one.Title == "" {
				t.Fatalf("collection: %s", body)
			}
			if _, ok := collections(t, water)["regulator:energy"]; ok {
				t.Fatal("the water operator sees the energy notifications")
			}
			res, body = water.do("GET", root+"collections/"+energy.ID+"/", nil, "", nil)
			want(t, "the grid's collection as the water operator", res, body, 404)
			res, body = reg.do("GET", root+"collections/"+cols["private"].ID+"/objects/", nil, "", nil)
			want(t, "the grid's private collection as the regulator", res, body, 404)
		})

		t.Run("5.4 and 3.2 objects with X-TAXII-Date-Added headers", func(t *testing.T) {
			var e envelope
			res, body := grid.do("GET", root+"collections/"+cols["regulator:energy"].ID+"/objects/", nil, "", &e)
			want(t, "objects", res, body, 200)
			if !strings.Contains(body, "198.51.100.23") {
				t.Fatalf("the demo's warned address is not among the objects: %s", body)
			}
			for _, h := range []string{"X-TAXII-Date-Added-First", "X-TAXII-Date-Added-Last"} {
				if !taxiiTime.MatchString(res.Header.Get(h)) {
					t.Fatalf("%s = %q, want a TAXII timestamp", h, res.Header.Get(h))
				}
			}
			res, body = grid.do("GET", root+"collections/"+cols["regulator:energy"].ID+"/objects/?match[type]=malware", nil, "", &e)
			want(t, "no match", res, body, 200)
			if strings.TrimSpace(body) != "{}" {
				t.Fatalf("no object matches: %s, want an empty envelope (§5.4)", body)
			}
		})

		a, b, bad := "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb", "indicator--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		private := root + "collections/" + cols["private"].ID + "/objects/"
		var statusID string
		t.Run("5.5 add objects: 202 and a status; 415, 413, 422", func(t *testing.T) {
			env := fmt.Sprintf(`{"objects":[%s,%s,%s]}`, indicator(a, "203.0.113.7", tlpGreen), indicator(b, "203.0.113.8", ""),
				strings.Replace(indicator(bad, "203.0.113.9", ""), `"pattern":"[ipv4-addr:value = '203.0.113.9']"`, `"pattern":"[ipv4-addr:value = "`, 1))
			ct := map[string]string{"Content-Type": taxiiMedia}
			res, body := grid.do("POST", private, map[string]string{"Content-Type": "application/json"}, env, nil)
			want(t, "Content-Type application/json", res, body, 415)
			res, body = grid.do("POST", private, ct, `{"objects":[`+strings.Repeat(indicator(a, "203.0.113.7", "")+",", 8<<20/300)+indicator(a, "203.0.113.7", "")+`]}`, nil)
			want(t, "a body over max_content_length", res, body, 413)
			res, body = grid.do("POST", private, ct, `{"objects":"none"}`, nil)
			want(t, "objects not a list", res, body, 422)
			if !strings.Contains(body, `"field":"objects"`) {
				t.Fatalf("422 does not name objects: %s", body)
			}
			res, body = gridAuditor.do("POST", private, ct, env, nil)
			want(t, "the auditor's token", res, body, 403)
			var st struct {
				ID           string `json:"id"`
				Status       string `json:"status"`
				Total        int    `json:"total_count"`
				SuccessCount int    `json:"success_count"`
				FailureCount int    `json:"failure_count"`
				PendingCount int    `json:"pending_count"`
				Failures     []struct {
					ID      string `json:"id"`
					Message string `json:"message"`
				} `json:"failures"`
			}
			res, body = grid.do("POST", private, ct, env, &st)
			want(t, "add three, one broken", res, body, 202)
			if !uuid4.MatchString(st.ID) || st.Status != "complete" || st.Total != 3 || st.SuccessCount != 2 || st.FailureCount != 1 || st.PendingCount != 0 ||
				len(st.Failures) != 1 || st.Failures[0].ID != bad || st.Failures[0].Message == "" {
				t.Fatalf("status: %s", body)
			}
			statusID = st.ID
			res, body = grid.do("POST", private, ct, fmt.Sprintf(`{"objects":[%s]}`, indicator(a, "203.0.113.7", tlpGreen)), &st)
			want(t, "an exact duplicate", res, body, 202)
			if st.SuccessCount != 1 || st.FailureCount != 0 {
				t.Fatalf("a duplicate is no error (§5.5): %s", body)
			}
		})

		t.Run("4.3 status; another organisation's is 404", func(t *testing.T) {
			var st struct {
				ID           string `json:"id"`
				SuccessCount int    `json:"success_count"`
			}
			res, body := grid.do("GET", root+"status/"+statusID+"/", nil, "", &st)
			want(t, "status", res, body, 200)
			if st.ID != statusID || st.SuccessCount != 2 {
				t.Fatalf("status: %s", body)
			}
			res, body = water.do("GET", root+"status/"+statusID+"/", nil, "", nil)
			want(t, "the grid's status as the water operator", res, body, 404)
		})

		t.Run("3.4 and 3.5 limit, next, added_after; 400 on malformed parameters", func(t *testing.T) {
			var p1, p2 envelope
			res, body := grid.do("GET", private+"?limit=1", nil, "", &p1)
			want(t, "limit=1", res, body, 200)
			if len(p1.Objects) != 1 || !p1.More || p1.Next == "" {
				t.Fatalf("page 1: %s", body)
			}
			res, body = grid.do("GET", private+"?limit=1&next="+p1.Next, nil, "", &p2)
			want(t, "page 2", res, body, 200)
			got := append(ids(p1), ids(p2)...)
			if len(got) != 2 || got[0] == got[1] || p2.More || p2.Next != "" {
				t.Fatalf("pages: %v, more %v: %s", got, p2.More, body)
			}
			for _, q := range []string{"limit=0", "limit=-1", "limit=x", "added_after=yesterday", "added_after=2026-11-30T08:00:00+08:00",
				"next=%%%", "match[version]=newest", "match[version]=all,last", "match[spec_version]=3.0", "match[type]=", "limit=1&limit=2"} {
				res, body = grid.do("GET", private+"?"+q, nil, "", nil)
				want(t, q, res, body, 400)
			}
			future := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z")
			var e envelope
			res, body = grid.do("GET", private+"?added_after="+future, nil, "", &e)
			want(t, "added_after in the future", res, body, 200)
			if len(e.Objects) != 0 || res.Header.Get("X-TAXII-Date-Added-First") != "" {
				t.Fatalf("nothing was added after %s: %s", future, body)
			}
		})

		t.Run("3.4.1 match id, type, version, spec_version", func(t *testing.T) {
			for q, wantIDs := range map[string]string{
				"match[id]=" + a:                                         a,
				"match[id]=" + a + "," + b:                               a + " " + b,
				"match[type]=indicator&match[id]=" + b:                   b,
				"match[type]=malware":                                    "",
				"match[version]=2026-11-30T08:00:00.000Z&match[id]=" + a: a,
				"match[version]=2026-11-30T09:00:00.000Z":                "",
				"match[version]=first,last&match[id]=" + a:               a,
				"match[spec_version]=2.0":                                "",
				"match[spec_version]=2.1&match[id]=" + b:                 b,
			} {
				var e envelope
				res, body := grid.do("GET", private+"?"+q, nil, "", &e)
				want(t, q, res, body, 200)
				got := ids(e)
				if strings.Join(sorted(got), " ") != strings.Join(sorted(strings.Fields(wantIDs)), " ") {
					t.Errorf("%s: %v, want %s", q, got, wantIDs)
				}
			}
		})

		t.Run("5.6, 5.8 and 5.3 object, versions, manifest", func(t *testing.T) {
			var e envelope
			res, body := grid.do("GET", private+a+"/", nil, "", &e)
			want(t, "object", res, body, 200)
			if got := ids(e); len(got) != 1 || got[0] != a {
				t.Fatalf("object: %s", body)
			}
			res, body = grid.do("GET", private+"indicator--00000000-0000-4000-8000-000000000000/", nil, "", nil)
			want(t, "an object the collection does not hold", res, body, 404)
			var v struct{ Versions []string }
			res, body = grid.do("GET", private+a+"/versions/", nil, "", &v)
			want(t, "versions", res, body, 200)
			if len(v.Versions) != 1 || v.Versions[0] != "2026-11-30T08:00:00.000Z" {
				t.Fatalf("versions: %s", body)
			}
			var man struct {
				Objects []struct {
					ID        string `json:"id"`
					DateAdded string `json:"date_added"`
					Version   string `json:"version"`
					MediaType string `json:"media_type"`
				}
			}
			res, body = grid.do("GET", strings.TrimSuffix(private, "objects/")+"manifest/?match[id]="+a, nil, "", &man)
			want(t, "manifest", res, body, 200)
			if len(man.Objects) != 1 || man.Objects[0].ID != a || !taxiiTime.MatchString(man.Objects[0].DateAdded) ||
				man.Objects[0].Version != "2026-11-30T08:00:00.000Z" || man.Objects[0].MediaType != "application/stix+json;version=2.1" {
				t.Fatalf("manifest: %s", body)
			}
			res, body = water.do("GET", private+a+"/", nil, "", nil)
			want(t, "the grid's object as the water operator", res, body, 404)
		})

		t.Run("3.1 paths end in a slash", func(t *testing.T) {
			res, body := grid.do("GET", root+"collections/"+cols["private"].ID+"/objects/"+a+"/extra/", nil, "", nil)
			want(t, "a path the server does not have", res, body, 404)
		})
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
