package oversight_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/oversight"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// areaRecord is what the test reads of an inspection's record.
type areaRecord struct {
	Area     string          `json:"area"`
	ID       string          `json:"id"`
	TitleZH  string          `json:"title_zh"`
	Data     json.RawMessage `json:"data"`
	Evidence []string        `json:"evidence"`
}

// withoutClockMinutes drops the minutes a running clock has left, which move between two
// reads of the same incident.
func withoutClockMinutes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "minutes_left")
		for k := range x {
			x[k] = withoutClockMinutes(x[k])
		}
	case []any:
		for i := range x {
			x[i] = withoutClockMinutes(x[i])
		}
	}
	return v
}

// sameJSON says a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(withoutClockMinutes(x), withoutClockMinutes(y))
}

// TestInspectionOfEveryArea, on both engines: an inspection of the grid operator over
// the last year in every area reads, in each of the eight areas the other capabilities
// own (incidents, suppliers, data, people, emergency, vulns, review, threat), exactly the
// records a hand rule
// picks from the operator's own API — incidents detected in the period; every supplier;
// every data asset and transfer abroad; the unit, each key post and each person holding
// one (not staff outside key posts); every plan, the drills held and backups tested in
// the period; every vulnerability open and every review case under way at some time in the
// period; every indicator hit whose events fall in the period, none of a TLP:RED indicator —
// and one record of each area is byte for byte (as JSON) what the owning
// capability's API gives the operator for it. Every read is recorded on both sides, and
// the reproduction carries the same records per area, with the evidence files they cite,
// and verifies.
func TestInspectionOfEveryArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		insp := env.Login(t, "inspector@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		e := gridEntry(t, admin)

		now := time.Now()
		day := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }
		pFrom, pTo := day(now.AddDate(-1, 0, 0)), day(now)
		inPeriod := func(d string) bool { return d >= pFrom && d <= pTo }
		areas := []string{"incidents", "suppliers", "data", "people", "emergency", "vulns", "review", "threat"}
		var x inspection
		code, body := call(t, admin, "POST", "/api/v1/oversight/inspections", map[string]any{"entry_id": e.ID, "ref": "示能监安检〔2026〕11号",
			"areas": areas, "period_from": pFrom, "period_to": pTo, "ends_at": now.Add(time.Hour).Format(time.RFC3339)}, &x)
		mustStatus(t, "open", code, http.StatusCreated, body)
		id := strconv.FormatInt(x.ID, 10)

		// The oracle: the operator's own API, and the rule of each area written out here.
		get := func(path string, out any) string {
			t.Helper()
			code, body := call(t, grid, "GET", path, nil, out)
			mustStatus(t, "the operator reads "+path, code, 200, body)
			return body
		}
		want := map[string][]string{} // area → record ids
		single := map[string]string{} // area → the operator's API path of its first record
		var incs struct {
			Incidents []struct {
				ID         int64     `json:"id"`
				DetectedAt time.Time `json:"detected_at"`
			} `json:"incidents"`
		}
		get("/api/v1/incidents?limit=100", &incs)
		for _, in := range incs.Incidents {
			if inPeriod(day(in.DetectedAt)) {
				want["incidents"] = append(want["incidents"], strconv.FormatInt(in.ID, 10))
			}
		}
		var sups struct{ Suppliers []struct{ ID int64 } }
		get("/api/v1/suppliers", &sups)
		for _, s := range sups.Suppliers {
			want["suppliers"] = append(want["suppliers"], strconv.FormatInt(s.ID, 10))
		}
		var assets struct{ Assets []struct{ ID int64 } }
		get("/api/v1/data/assets", &assets)
		for _, a := range assets.Assets {
			want["data"] = append(want["data"], fmt.Sprintf("asset-%d", a.ID))
		}
		var transfers struct{ Transfers []struct{ ID int64 } }
		get("/api/v1/data/transfers", &transfers)
		for _, tr := range transfers.Transfers {
			want["data"] = append(want["data"], fmt.Sprintf("transfer-%d", tr.ID))
		}
		var ppl struct {
			Unit  *struct{ Name string }
			Posts []struct {
				ID        int64 `json:"id"`
				HolderIDs []struct {
					PersonID int64 `json:"person_id"`
				} `json:"holder_ids"`
			} `json:"posts"`
		}
		get("/api/v1/people?include=personal", &ppl)
		if ppl.Unit != nil {
			want["people"] = append(want["people"], "unit")
		}
		var holders []int64
		for _, p := range ppl.Posts {
			want["people"] = append(want["people"], fmt.Sprintf("post-%d", p.ID))
			for _, h := range p.HolderIDs {
				if !slices.Contains(holders, h.PersonID) {
					holders = append(holders, h.PersonID)
				}
			}
		}
		var persons struct{ Persons []struct{ ID int64 } }
		get("/api/v1/people/persons", &persons)
		for _, p := range persons.Persons {
			if slices.Contains(holders, p.ID) {
				want["people"] = append(want["people"], fmt.Sprintf("person-%d", p.ID))
			}
		}
		if len(holders) == len(persons.Persons) {
			t.Fatal("every demo person holds a key post: the rule leaving the others out is not tested")
		}
		var em struct {
			Plans  []struct{ ID int64 }
			Drills []struct {
				ID     int64  `json:"id"`
				HeldOn string `json:"held_on"`
			}
			Backups []struct {
				ID        int64     `json:"id"`
				TestedOn  string    `json:"tested_on"`
				CreatedAt time.Time `json:"created_at"`
			} `json:"backup_tests"`
		}
		get("/api/v1/emergency", &em)
		for _, p := range em.Plans {
			want["emergency"] = append(want["emergency"], fmt.Sprintf("plan-%d", p.ID))
		}
		for _, dr := range em.Drills {
			if inPeriod(dr.HeldOn) {
				want["emergency"] = append(want["emergency"], fmt.Sprintf("drill-%d", dr.ID))
			}
		}
		for _, b := range em.Backups {
			if inPeriod(b.TestedOn) || (b.TestedOn == "" && inPeriod(day(b.CreatedAt))) {
				want["emergency"] = append(want["emergency"], fmt.Sprintf("backup-%d", b.ID))
			}
		}
		// Vulnerabilities open at some time in the period: discovered by its last day, and
		// still open or closed (fixed, or last changed) on or after its first day.
		var vulns struct {
			Vulnerabilities []struct {
				ID           int64      `json:"id"`
				Status       string     `json:"status"`
				DiscoveredAt time.Time  `json:"discovered_at"`
				FixedAt      *time.Time `json:"fixed_at"`
				UpdatedAt    time.Time  `json:"updated_at"`
			} `json:"vulnerabilities"`
		}
		get("/api/v1/vulns", &vulns)
		for _, v := range vulns.Vulnerabilities {
			closed := v.UpdatedAt
			if v.FixedAt != nil {
				closed = *v.FixedAt
			}
			open := v.Status == "open" || v.Status == "mitigating"
			if day(v.DiscoveredAt) <= pTo && (open || day(closed) >= pFrom) {
				want["vulns"] = append(want["vulns"], strconv.FormatInt(v.ID, 10))
			}
		}
		// Review cases under way at some time in the period: opened by its last day, and not
		// in a final state (no next state) since before its first day.
		var cases struct {
			Cases []struct {
				ID        int64     `json:"id"`
				Since     string    `json:"since"`
				Next      []string  `json:"next"`
				CreatedAt time.Time `json:"created_at"`
			} `json:"cases"`
		}
		get("/api/v1/review/cases", &cases)
		for _, c := range cases.Cases {
			if day(c.CreatedAt) <= pTo && (len(c.Next) > 0 || c.Since >= pFrom) {
				want["review"] = append(want["review"], strconv.FormatInt(c.ID, 10))
			}
		}
		// Indicator hits whose events fall in the period (first seen by its last day, last
		// seen on or after its first), but none of a TLP:RED indicator.
		var hits struct {
			Hits []struct {
				ID        int64 `json:"id"`
				Indicator struct {
					TLP string `json:"tlp"`
				} `json:"indicator"`
				FirstSeen time.Time `json:"first_seen"`
				LastSeen  time.Time `json:"last_seen"`
			} `json:"hits"`
		}
		get("/api/v1/threat/hits?limit=2000", &hits)
		for _, h := range hits.Hits {
			if h.Indicator.TLP != "red" && day(h.FirstSeen) <= pTo && day(h.LastSeen) >= pFrom {
				want["threat"] = append(want["threat"], strconv.FormatInt(h.ID, 10))
			}
		}
		// A file of the operator's evidence attached to the first incident: the reproduction
		// must carry it.
		res, body := grid.Do("POST", "/api/v1/evidence?name=handling.txt", nil, map[string]string{"X-CSRF-Token": grid.CSRF, "Content-Type": "text/plain"}, "处置记录：隔离受影响主机")
		var file struct{ SHA256 string }
		if err := json.Unmarshal([]byte(body), &file); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		if res, body := grid.Do("POST", "/incidents/"+want["incidents"][0]+"/evidence", url.Values{"sha256": {file.SHA256}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("attach: %d %s", res.StatusCode, body)
		}
		single["incidents"] = "/api/v1/incidents/" + want["incidents"][0]
		single["suppliers"] = "/api/v1/suppliers/" + want["suppliers"][0]
		single["data"] = "/api/v1/data/assets/" + strings.TrimPrefix(want["data"][0], "asset-")
		single["people"] = "/api/v1/people/persons/" + strings.TrimPrefix(want["people"][len(want["people"])-1], "person-")
		single["emergency"] = "/api/v1/emergency/plans/" + strings.TrimPrefix(want["emergency"][0], "plan-")
		if len(want["vulns"]) == 0 {
			t.Fatal("the demo grid has no vulnerability open in the period")
		}
		single["vulns"] = "/api/v1/vulns/" + want["vulns"][0]
		if len(want["review"]) == 0 {
			t.Fatal("the demo grid has no review case under way in the period")
		}
		single["review"] = "/api/v1/review/cases/" + want["review"][0]
		if len(want["threat"]) == 0 {
			t.Fatal("the demo grid has no indicator hit in the period")
		}
		single["threat"] = "/api/v1/threat/hits/" + want["threat"][0]

		// The inspector reads each area, then one record of it.
		got := map[string][]string{}
		for _, a := range areas {
			var recs struct{ Records []areaRecord }
			code, body := call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/"+a, nil, &recs)
			mustStatus(t, "read "+a, code, 200, body)
			for _, r := range recs.Records {
				got[a] = append(got[a], r.ID)
			}
			w := slices.Sorted(slices.Values(want[a]))
			if g := slices.Sorted(slices.Values(got[a])); len(w) == 0 || !slices.Equal(g, w) {
				t.Errorf("%s: the inspector reads %v; the operator's records by the area's rule are %v", a, g, w)
			}
			path := single[a]
			rid := path[strings.LastIndex(path, "/")+1:]
			if a != "suppliers" && a != "incidents" && a != "vulns" && a != "review" && a != "threat" {
				rid = map[string]string{"data": "asset-", "people": "person-", "emergency": "plan-"}[a] + rid
			}
			var one areaRecord
			code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/"+a+"/"+rid, nil, &one)
			mustStatus(t, "read one of "+a, code, 200, body)
			own := get(path, nil)
			if !sameJSON(t, one.Data, []byte(own)) {
				t.Errorf("%s %s: the inspector reads\n%s\nthe operator's API gives\n%s", a, rid, one.Data, own)
			}
		}
		code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/incidents/999999", nil, nil)
		mustStatus(t, "an incident not in scope", code, 404, body)

		// A list and a record of each area, on both sides.
		for side, path := range map[string]string{"regulator": "/api/v1/oversight/inspections/" + id, "operator": "/api/v1/filings/inspections/" + id} {
			c := admin
			if side == "operator" {
				c = grid
			}
			var y inspection
			call(t, c, "GET", path, nil, &y)
			var reads []string
			for _, r := range y.Reads {
				reads = append(reads, r.What+" "+r.Area)
			}
			if len(reads) != 2*len(areas) || reads[0] != "list incidents" || reads[len(reads)-1] != "record threat" {
				t.Errorf("%s sees reads %v; want a list and a record of each area", side, reads)
			}
		}

		// The reproduction: the same records per area, the files they cite, verified.
		res, bundle := insp.Do("GET", "/api/v1/oversight/inspections/"+id+"/bundle", nil, nil)
		mustStatus(t, "reproduce", res.StatusCode, 200, bundle)
		rep, err := oversight.VerifyBundle(strings.NewReader(bundle), "")
		if err != nil {
			t.Fatalf("the reproduction does not verify: %v", err)
		}
		inBundle, cited, files := map[string][]string{}, map[string]bool{}, map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(bundle), "\n") {
			var item struct {
				Type   string     `json:"type"`
				Record areaRecord `json:"record"`
				SHA256 string     `json:"sha256"`
			}
			if err := json.Unmarshal([]byte(line), &item); err != nil {
				t.Fatal(err)
			}
			switch item.Type {
			case "record":
				inBundle[item.Record.Area] = append(inBundle[item.Record.Area], item.Record.ID)
				for _, h := range item.Record.Evidence {
					cited[h] = true
				}
			case "file":
				files[item.SHA256] = true
			}
		}
		for _, a := range areas {
			if !slices.Equal(slices.Sorted(slices.Values(inBundle[a])), slices.Sorted(slices.Values(want[a]))) {
				t.Errorf("the reproduction's %s: %v; want %v", a, inBundle[a], want[a])
			}
		}
		if !cited[file.SHA256] || !reflect.DeepEqual(cited, files) || rep.Files != len(files) {
			t.Errorf("the reproduction cites %v and carries files %v (%d reported); want every cited file, the one attached among them", cited, files, rep.Files)
		}
	})
}
