package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/taxii"
)

// postIndicators adds n indicators with the given ids' prefix to the collection as k.
func postIndicators(t *testing.T, k caller, objects string, ids []string) {
	t.Helper()
	var parts []string
	for i, id := range ids {
		parts = append(parts, indicator(id, fmt.Sprintf("198.18.%d.%d", i/200, i%200+1), ""))
	}
	res, body := k.do("POST", objects, map[string]string{"Content-Type": taxiiMedia}, `{"objects":[`+strings.Join(parts, ",")+`]}`, nil)
	want(t, "post indicators", res, body, 202)
	if !strings.Contains(body, fmt.Sprintf(`"success_count":%d`, len(ids))) {
		t.Fatalf("post: %s", body)
	}
}

func orgID(t *testing.T, c *apptest.Client) int64 {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/me", nil, nil)
	var me struct{ Org struct{ ID int64 } }
	if err := json.Unmarshal([]byte(body), &me); err != nil || me.Org.ID == 0 {
		t.Fatalf("me: %s", body)
	}
	return me.Org.ID
}

func idsOf(t *testing.T, objs []json.RawMessage) []string {
	var out []string
	for _, o := range objs {
		var h struct{ ID string }
		if err := json.Unmarshal(o, &h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h.ID)
	}
	return out
}

// TestPollerResumesAfterRestart polls the grid operator's private collection on our own
// server, over HTTP with Basic authentication, three objects a page, keeping the cursor in
// the water operator's tenant. Handling fails on the third page, as a process killed
// there would; a new poller, as the restarted process makes, takes the rest. The oracle
// is the list of ids posted (plus what the collection held before, read once in full):
// each is taken exactly once. Two indicators posted afterwards are the whole of the next
// poll (added_after).
func TestPollerResumesAfterRestart(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		gridAdmin := env.Login(t, "admin@grid.demo")
		tok := token(t, gridAdmin, "analyst")
		grid := caller{t, env.NewClient(t), "Bearer " + tok}
		water := orgID(t, env.Login(t, "admin@water.demo"))
		private := cols(t, grid)["private"]
		objects := root + "collections/" + private + "/objects/"
		var posted []string
		for i := range 10 {
			posted = append(posted, fmt.Sprintf("indicator--%08d-0000-4000-8000-%012d", i, i))
		}
		postIndicators(t, grid, objects, posted)
		var before envelope
		res, body := grid.do("GET", objects+"?limit=1000", nil, "", &before)
		want(t, "the collection in full", res, body, 200)
		all := ids(before)
		for _, id := range posted {
			if !containsID(all, id) {
				t.Fatalf("%s posted but not in the collection: %s", id, body)
			}
		}

		ctx := store.WithOrg(context.Background(), water)
		newPoller := func(e *apptest.Env, got *[]string, failOn int) *taxii.Poller {
			calls := 0
			return &taxii.Poller{
				Client:     &taxii.Client{HTTP: http.DefaultClient, Authorization: basic("admin@grid.demo", tok)},
				DB:         e.App.DB,
				Collection: e.URL + root + "collections/" + private + "/",
				Source:     "grid private",
				Limit:      3,
				Handle: func(_ context.Context, objs []json.RawMessage) error {
					calls++
					if calls == failOn {
						return errors.New("killed while handling the page")
					}
					*got = append(*got, idsOf(t, objs)...)
					return nil
				},
			}
		}
		var got []string
		n, err := newPoller(env, &got, 3).Poll(ctx)
		if err == nil || n != 6 || len(got) != 6 {
			t.Fatalf("first run: %d handled, err %v; want 6 handled then the failure", n, err)
		}
		// A new poller, as a restarted process makes, finds its place in the store.
		p := newPoller(env, &got, 0)
		if _, err := p.Poll(ctx); err != nil {
			t.Fatalf("after the restart: %v", err)
		}
		if dup := duplicates(got); len(dup) > 0 || len(got) != len(all) {
			t.Fatalf("taken %d objects (duplicates %v), the collection holds %d", len(got), dup, len(all))
		}
		for _, id := range all {
			if !containsID(got, id) {
				t.Fatalf("%s never taken", id)
			}
		}
		c, err := p.Cursor(ctx)
		if err != nil || c.Next != "" || c.AddedAfter.IsZero() || c.Objects != int64(len(all)) {
			t.Fatalf("cursor after the run: %+v, %v", c, err)
		}

		time.Sleep(1100 * time.Millisecond) // threat's records are to the second: the next ones are added later
		later := []string{"indicator--aaaaaaaa-0000-4000-8000-000000000001", "indicator--aaaaaaaa-0000-4000-8000-000000000002"}
		postIndicators(t, grid, objects, later)
		got = nil
		if n, err := p.Poll(ctx); err != nil || n != 2 || strings.Join(sorted(got), " ") != strings.Join(later, " ") {
			t.Fatalf("the next poll: %d %v, got %v, want %v", n, err, got, later)
		}
	})
}

func cols(t *testing.T, k caller) map[string]string {
	out := map[string]string{}
	for alias, c := range collections(t, k) {
		out[alias] = c.ID
	}
	return out
}

func containsID(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func duplicates(list []string) []string {
	seen := map[string]int{}
	var out []string
	for _, x := range list {
		seen[x]++
		if seen[x] == 2 {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// TestClientBacksOff puts a throttling proxy in front of our server: it answers 429 with
// Retry-After: 1, then 503 with Retry-After as an HTTP date two seconds on, then 503 with
// no Retry-After, and passes the fourth request through. The client waits as told (1 s,
// about 2 s, then its own first back-off of 1 s) and returns the server's page; with
// three attempts allowed it gives up with the 503.
func TestClientBacksOff(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	gridAdmin := env.Login(t, "admin@grid.demo")
	tok := token(t, gridAdmin, "analyst")
	grid := caller{t, env.NewClient(t), "Bearer " + tok}
	private := cols(t, grid)["private"]
	postIndicators(t, grid, root+"collections/"+private+"/objects/", []string{"indicator--bbbbbbbb-0000-4000-8000-000000000001"})
	target, _ := url.Parse(env.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	n := 0
	throttle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		switch k % 4 {
		case 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	defer throttle.Close()
	type wait struct {
		status int
		d      time.Duration
	}
	var waits []wait
	c := &taxii.Client{Authorization: "Bearer " + tok, Waited: func(s int, d time.Duration) { waits = append(waits, wait{s, d}) }}
	start := time.Now()
	page, err := c.Objects(context.Background(), throttle.URL+root+"collections/"+private+"/", taxii.Query{Limit: 5})
	if err != nil {
		t.Fatalf("through the throttle: %v", err)
	}
	if len(page.Objects) == 0 || page.AddedFirst.IsZero() {
		t.Fatalf("page: %+v", page)
	}
	if len(waits) != 3 || waits[0] != (wait{429, time.Second}) || waits[1].status != 503 || waits[1].d < time.Second || waits[1].d > 2*time.Second ||
		waits[2] != (wait{503, time.Second}) {
		t.Fatalf("waits %v, want 429 1s, 503 about 2s (an HTTP date), 503 1s (no Retry-After)", waits)
	}
	if el := time.Since(start); el < 3*time.Second {
		t.Fatalf("the client answered after %s, before the waits it was told", el)
	}
	c.MaxAttempts = 3
	_, err = c.Objects(context.Background(), throttle.URL+root+"collections/"+private+"/", taxii.Query{})
	var se *taxii.ServerError
	if !errors.As(err, &se) || se.Status != 503 {
		t.Fatalf("three attempts: %v, want the 503", err)
	}
}
