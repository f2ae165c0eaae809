package oversight_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestInspectionOfAnAppStore: an app store that names the demo department as its
// protection-work department enters its registry, and an inspection of it may name the
// app store's records (应用商店). Oracle: the app store's own API and the area's rule written
// out here — the reviews decided, the take-downs made and the complaints received in the
// period. The inspector reads exactly those, and one take-down as the app's API gives it;
// the operator sees the reads.
func TestInspectionOfAnAppStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		shop := env.Login(t, "security@appstore.demo")
		admin := env.Login(t, "admin@regulator.demo")
		insp := env.Login(t, "inspector@regulator.demo")

		var choice struct {
			Choices []struct {
				ID     int64  `json:"id"`
				NameZH string `json:"name_zh"`
			} `json:"choices"`
		}
		code, body := call(t, shop, "GET", "/api/v1/filings/regulator", nil, &choice)
		mustStatus(t, "the departments to name", code, http.StatusOK, body)
		if len(choice.Choices) == 0 {
			t.Fatalf("no department to name: %s", body)
		}
		code, body = call(t, shop, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": choice.Choices[0].ID}, nil)
		mustStatus(t, "name the department", code, http.StatusOK, body)
		var all registry
		call(t, admin, "GET", "/api/v1/oversight/registry", nil, &all)
		var e entry
		for _, x := range all.Entries {
			if x.NameZH == "示例应用市场" {
				e = x
			}
		}
		if e.ID == 0 {
			t.Fatalf("the app store is not in the department's registry after naming it: %+v", all.Entries)
		}

		now := time.Now()
		day := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }
		pFrom, pTo := day(now.AddDate(-1, 0, 0)), day(now)
		in := func(t *time.Time) bool { return t != nil && day(*t) >= pFrom && day(*t) <= pTo }
		var x inspection
		code, body = call(t, admin, "POST", "/api/v1/oversight/inspections", map[string]any{"entry_id": e.ID, "ref": "示能监安检〔2026〕12号",
			"areas": []string{"appstore"}, "period_from": pFrom, "period_to": pTo, "ends_at": now.Add(time.Hour).Format(time.RFC3339)}, &x)
		mustStatus(t, "open", code, http.StatusCreated, body)
		id := strconv.FormatInt(x.ID, 10)

		// The rule, over the app store's own API.
		var want []string
		var takedown json.RawMessage
		var takedownID string
		var apps struct{ Apps []struct{ ID int64 } }
		call(t, shop, "GET", "/api/v1/appstore/apps", nil, &apps)
		for _, a := range apps.Apps {
			var one struct {
				Versions []struct {
					ID        int64      `json:"id"`
					DecidedAt *time.Time `json:"decided_at"`
				} `json:"versions"`
				Takedowns []json.RawMessage `json:"takedowns"`
			}
			call(t, shop, "GET", fmt.Sprintf("/api/v1/appstore/apps/%d", a.ID), nil, &one)
			for _, v := range one.Versions {
				if in(v.DecidedAt) {
					want = append(want, fmt.Sprintf("review-%d", v.ID))
				}
			}
			for _, raw := range one.Takedowns {
				var k struct {
					ID      int64     `json:"id"`
					TakenAt time.Time `json:"taken_at"`
				}
				if err := json.Unmarshal(raw, &k); err != nil {
					t.Fatal(err)
				}
				if in(&k.TakenAt) {
					want = append(want, fmt.Sprintf("takedown-%d", k.ID))
					takedown, takedownID = raw, fmt.Sprintf("takedown-%d", k.ID)
				}
			}
		}
		var cs struct {
			Complaints []struct {
				ID         int64     `json:"id"`
				ReceivedAt time.Time `json:"received_at"`
			} `json:"complaints"`
		}
		call(t, shop, "GET", "/api/v1/appstore/complaints", nil, &cs)
		for _, c := range cs.Complaints {
			if in(&c.ReceivedAt) {
				want = append(want, fmt.Sprintf("complaint-%d", c.ID))
			}
		}
		if takedownID == "" || !slices.ContainsFunc(want, func(s string) bool { return strings.HasPrefix(s, "review-") }) || !slices.ContainsFunc(want, func(s string) bool { return strings.HasPrefix(s, "complaint-") }) {
			t.Fatalf("the demo app store has no take-down, review and complaint in the period: %v", want)
		}

		var recs struct{ Records []areaRecord }
		code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/appstore", nil, &recs)
		mustStatus(t, "read the app store's records", code, http.StatusOK, body)
		var got []string
		for _, r := range recs.Records {
			got = append(got, r.ID)
		}
		if g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)); !slices.Equal(g, w) {
			t.Errorf("the inspector reads %v; the app store's records by the area's rule are %v", g, w)
		}
		var one areaRecord
		code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/appstore/"+takedownID, nil, &one)
		mustStatus(t, "read one take-down", code, http.StatusOK, body)
		if !sameJSON(t, one.Data, takedown) {
			t.Errorf("the inspector reads\n%s\nthe app's API gives\n%s", one.Data, takedown)
		}
		var y inspection
		call(t, shop, "GET", "/api/v1/filings/inspections/"+id, nil, &y)
		if len(y.Reads) != 2 || y.Reads[0].Area != "appstore" {
			t.Errorf("the app store sees the reads %+v; want a list and a record of 应用商店", y.Reads)
		}
	})
}
