package threat_test

import (
	"net/http"
	"strconv"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestImportPreviewAndCommit: the grid operator's analyst sends a CSV feed into the C2
// database; the preview names each bad line with its reason (the line numbers counted by
// hand in the feed below) and adds nothing; the commit adds the good lines and queues a
// retro-hunt, once; another operator gets 404 for the preview and its commit; an unknown
// collection is a 400 naming the field.
func TestImportPreviewAndCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		an := env.Login(t, "analyst@grid.demo")
		feed := "value,type,confidence,valid_until\n203.0.113.9,ipv4-addr,70,2030-01-01\nbad.c2.example,domain-name,,\nnot-an-address,ipv4-addr,,\n203.0.113.10,ipv4,150,\n203.0.113.9,ipv4,,\n"
		var im struct {
			ID       int64 `json:"id"`
			Good     int   `json:"good"`
			Bad      int   `json:"bad"`
			State    string
			Added    int
			Problems []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			}
		}
		code, body := call(t, an, "POST", "/api/v1/threat/imports", map[string]string{"format": "csv", "collection": "miit_c2", "content": feed}, &im)
		must(t, "preview", code, http.StatusCreated, body)
		want := map[int]string{4: `"not-an-address" is not an ipv4-addr address or block`, 5: `confidence "150" is not a whole number from 0 to 100`, 6: "repeats line 2"}
		if im.Good != 2 || im.Bad != 3 || len(im.Problems) != 3 {
			t.Fatalf("preview %s; want 2 good lines and lines 4, 5, 6 refused", body)
		}
		for _, p := range im.Problems {
			if want[p.Line] != p.Reason {
				t.Errorf("line %d: %q, want %q", p.Line, p.Reason, want[p.Line])
			}
		}
		var inds struct{ Indicators []struct{ Value string } }
		src := "import:" + strconv.FormatInt(im.ID, 10)
		call(t, an, "GET", "/api/v1/threat/indicators?source="+src, nil, &inds)
		if len(inds.Indicators) != 0 {
			t.Fatalf("the preview added %d indicators", len(inds.Indicators))
		}
		path := "/api/v1/threat/imports/" + strconv.FormatInt(im.ID, 10)
		water := env.Login(t, waterOperator())
		code, body = call(t, water, "GET", path, nil, nil)
		must(t, "another operator reads the preview", code, http.StatusNotFound, body)
		code, body = call(t, water, "POST", path+"/commit", nil, nil)
		must(t, "another operator commits it", code, http.StatusNotFound, body)

		code, body = call(t, an, "POST", path+"/commit", nil, &im)
		must(t, "commit", code, http.StatusOK, body)
		if im.State != "committed" || im.Added != 2 {
			t.Fatalf("commit %s; want 2 added", body)
		}
		code, body = call(t, an, "POST", path+"/commit", nil, nil)
		must(t, "commit again", code, http.StatusConflict, body)
		call(t, an, "GET", "/api/v1/threat/indicators?source="+src, nil, &inds)
		if len(inds.Indicators) != 2 {
			t.Fatalf("%d indicators after the commit, want 2", len(inds.Indicators))
		}
		if h := waitHunt(t, an, src); h.State != "done" || h.Hits != 0 {
			t.Fatalf("hunt %+v; want done without hits (neither address is in the demo logs)", h)
		}
		code, body = call(t, an, "POST", "/api/v1/threat/imports", map[string]string{"format": "csv", "collection": "regulator:energy", "content": feed}, nil)
		must(t, "import into a regulator's collection", code, http.StatusBadRequest, body)
		if !contains(body, `"collection"`) {
			t.Fatalf("400 does not name the collection: %s", body)
		}
	})
}
