package taxii_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// The TLP 2.0 AMBER+STRICT marking definition's published id.
const tlpAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"

// TestSharingGroupKeepsTLP posts objects of each TLP level to the sharing group of the demo
// regulator as the grid operator and reads them back as the regulator and as another
// operator of the group (the water operator): TLP:GREEN reaches every member; TLP:AMBER+STRICT
// and TLP:RED reach only the regulator they were posted to (the named recipient). The
// regulator's own TLP:RED post is refused: the group names no recipients. The oracle is
// the TLP 2.0 definitions, written out per object below.
func TestSharingGroupKeepsTLP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		gridAdmin := env.Login(t, "admin@grid.demo")
		_, body := gridAdmin.Do("GET", "/api/v1/filings/regulator", nil, nil)
		var regID int64
		if _, err := fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &regID); err != nil {
			t.Fatalf("the grid operator's regulator: %s", body)
		}
		waterAdmin := env.Login(t, "admin@water.demo")
		res, body := waterAdmin.Do("PUT", "/api/v1/filings/regulator", nil, map[string]string{"X-CSRF-Token": waterAdmin.CSRF, "Content-Type": "application/json"},
			fmt.Sprintf(`{"regulator_id":%d}`, regID))
		if res.StatusCode != 200 {
			t.Fatalf("the water operator names the regulator: %d %s", res.StatusCode, body)
		}
		grid := caller{t, env.NewClient(t), "Bearer " + token(t, gridAdmin, "analyst")}
		water := caller{t, env.NewClient(t), "Bearer " + token(t, waterAdmin, "admin")}
		reg := caller{t, env.NewClient(t), "Bearer " + token(t, env.Login(t, "admin@regulator.demo"), "regulator_analyst")}

		sharing := collections(t, grid)["sharing"]
		if sharing.ID == "" || !sharing.CanWrite || collections(t, water)["sharing"].ID != sharing.ID || collections(t, reg)["sharing"].ID != sharing.ID {
			t.Fatalf("the group's collection is not the same for its three members: %+v", sharing)
		}
		path := root + "collections/" + sharing.ID + "/objects/"
		green, amberStrict, red := "indicator--11111111-1111-4111-8111-111111111111", "indicator--22222222-2222-4222-8222-222222222222", "indicator--33333333-3333-4333-8333-333333333333"
		ct := map[string]string{"Content-Type": taxiiMedia}
		res, body = grid.do("POST", path, ct, fmt.Sprintf(`{"objects":[%s,%s,%s]}`, indicator(green, "192.0.2.10", tlpGreen),
			indicator(amberStrict, "192.0.2.11", tlpAmberStrict), indicator(red, "192.0.2.12", tlpRed)), nil)
		want(t, "the grid posts three", res, body, 202)
		if !strings.Contains(body, `"success_count":3`) {
			t.Fatalf("post: %s", body)
		}
		read := func(k caller) string {
			var e envelope
			res, body := k.do("GET", path, nil, "", &e)
			want(t, "read the group", res, body, 200)
			return strings.Join(sorted(ids(e)), " ")
		}
		for who, tc := range map[string]struct {
			k    caller
			want []string
		}{
			"the poster":       {grid, []string{green, amberStrict, red}},
			"the regulator":    {reg, []string{green, amberStrict, red}},
			"another operator": {water, []string{green}},
		} {
			if got := read(tc.k); got != strings.Join(sorted(tc.want), " ") {
				t.Errorf("%s reads %q, want %v", who, got, tc.want)
			}
		}
		res, body = water.do("GET", path+red+"/", nil, "", nil)
		want(t, "the TLP:RED object by id as another operator", res, body, 404)
		res, body = reg.do("POST", path, ct, fmt.Sprintf(`{"objects":[%s]}`, indicator("indicator--44444444-4444-4444-8444-444444444444", "192.0.2.13", tlpRed)), nil)
		want(t, "the regulator posts TLP:RED", res, body, 202)
		if !strings.Contains(body, `"failure_count":1`) || !strings.Contains(body, "no named recipients") {
			t.Fatalf("the regulator's TLP:RED post: %s", body)
		}
	})
}

// TestRedNotificationReachesNamedRecipientsOnly: the demo regulator publishes a TLP:RED
// notification to the energy and water sectors naming only the water operator. TLP 2.0 (the
// oracle): TLP:RED is "for the eyes and ears of individual recipients only". The water
// operator has it in its inbox, on its pages and in its TAXII collection, marked TLP:RED; the
// grid operator, whose sector it names, has it nowhere: not in its inbox, not on its pages,
// 404 for the water operator's copy by id (API and page), in none of its TAXII collections;
// another regulator gets 404 for the notification. The water operator cannot re-post it to
// its sharing group re-marked TLP:GREEN. TLP:RED without named recipients, a
// recipient that is no operator and one named twice are refused naming the field. Failed
// first with 400 "recipients: is not a known field" for a recipient that is a regulator.
func TestRedNotificationReachesNamedRecipientsOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		ctx := context.Background()
		orgOf := func(email string) int64 {
			u, err := env.App.Auth.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return u.OrgID
		}
		gridID, waterID, regID := orgOf("admin@grid.demo"), orgOf("admin@water.demo"), orgOf("analyst@regulator.demo")
		an := env.Login(t, "analyst@regulator.demo")
		jsonHdr := map[string]string{"X-CSRF-Token": an.CSRF, "Content-Type": "application/json"}
		publish := func(recipients string) (*http.Response, string) {
			return an.Do("POST", "/api/v1/threat/notifications", nil, jsonHdr, fmt.Sprintf(`{"title_zh":"定向红色预警","title_en":"Red warning for named operators",
"severity":"high","sectors":["energy","water"],"actions":"封堵","deadline":%q,"tlp":"red","format":"list","indicators":"192.0.2.77\n","recipients":%s}`,
				time.Now().Add(72*time.Hour).Format(time.RFC3339), recipients))
		}
		for _, tc := range []struct{ recipients, field string }{
			{"[]", `"field":"recipients"`},
			{fmt.Sprintf("[%d]", regID), `"field":"recipients[0]"`},
			{fmt.Sprintf("[%d,%d]", waterID, waterID), `"field":"recipients[1]"`},
		} {
			res, body := publish(tc.recipients)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.field) {
				t.Fatalf("recipients %s: %d %s; want 400 naming %s", tc.recipients, res.StatusCode, body, tc.field)
			}
		}
		res, body := publish(fmt.Sprintf("[%d]", waterID))
		var pub struct {
			ID         int64
			Recipients int
			Named      bool
		}
		if err := json.Unmarshal([]byte(body), &pub); err != nil || res.StatusCode != http.StatusCreated || pub.Recipients != 1 || !pub.Named {
			t.Fatalf("publish to the water operator: %d %s; want 201, one recipient, named", res.StatusCode, body)
		}

		inboxOf := func(c *apptest.Client) (id int64, named bool) {
			var in struct {
				Items []struct {
					ID             int64 `json:"id"`
					NotificationID int64 `json:"notification_id"`
					Named          bool  `json:"named"`
				}
			}
			res, body := c.Do("GET", "/api/v1/threat/inbox", nil, nil)
			if err := json.Unmarshal([]byte(body), &in); err != nil || res.StatusCode != 200 {
				t.Fatalf("inbox: %d %s", res.StatusCode, body)
			}
			for _, it := range in.Items {
				if it.NotificationID == pub.ID {
					return it.ID, it.Named
				}
			}
			return 0, false
		}
		waterAdmin, gridAdmin := env.Login(t, "admin@water.demo"), env.Login(t, "admin@grid.demo")
		waterInbox, named := inboxOf(waterAdmin)
		if waterInbox == 0 || !named {
			t.Fatalf("the water operator's inbox: copy %d, named %v; want its named copy", waterInbox, named)
		}
		if id, _ := inboxOf(gridAdmin); id != 0 {
			t.Fatalf("the grid operator, not named, received copy %d", id)
		}
		page := "/threat/inbox/" + strconv.FormatInt(waterInbox, 10)
		if res, body := waterAdmin.Do("GET", page, nil, nil); res.StatusCode != 200 || !strings.Contains(body, `id="named"`) || !strings.Contains(body, "TLP:RED") {
			t.Fatalf("the water operator's page of its copy: %d, want 200 with the named-recipient line and TLP:RED", res.StatusCode)
		}
		for _, p := range []string{page, "/api/v1/threat/inbox/" + strconv.FormatInt(waterInbox, 10)} {
			if res, _ := gridAdmin.Do("GET", p, nil, nil); res.StatusCode != 404 {
				t.Errorf("the grid operator reads the water operator's copy at %s: %d, want 404", p, res.StatusCode)
			}
		}
		for who, c := range map[string]*apptest.Client{"water": waterAdmin, "grid": gridAdmin} {
			_, body := c.Do("GET", "/threat", nil, nil)
			if got := strings.Contains(body, "定向红色预警") || strings.Contains(body, "Red warning for named operators"); got != (who == "water") {
				t.Errorf("the %s operator's threat page shows the notification: %v", who, got)
			}
		}

		// Over TAXII: the indicator is in the water operator's sector collection, marked
		// TLP:RED, and in no collection of the grid operator.
		var inds struct {
			Indicators []struct {
				STIXID string `json:"stix_id"`
			}
		}
		res, body = waterAdmin.Do("GET", "/api/v1/threat/indicators?source=inbox:"+strconv.FormatInt(waterInbox, 10), nil, nil)
		if err := json.Unmarshal([]byte(body), &inds); err != nil || len(inds.Indicators) != 1 {
			t.Fatalf("the water operator's indicators of the notification: %d %s", res.StatusCode, body)
		}
		redID := inds.Indicators[0].STIXID
		water := caller{t, env.NewClient(t), "Bearer " + token(t, waterAdmin, "admin")}
		grid := caller{t, env.NewClient(t), "Bearer " + token(t, gridAdmin, "admin")}
		held, redObject := 0, ""
		for alias, c := range collections(t, water) {
			var e envelope
			res, body := water.do("GET", root+"collections/"+c.ID+"/objects/"+redID+"/", nil, "", &e)
			if res.StatusCode == 200 {
				held++
				redObject = string(e.Objects[0])
				if !strings.HasPrefix(alias, "regulator:") || !strings.Contains(body, tlpRed) {
					t.Errorf("the named recipient's copy is in %s, marked %s; want a regulator's collection, TLP:RED", alias, body)
				}
			}
		}
		if held != 1 {
			t.Fatalf("the named recipient holds the indicator in %d collections, want 1", held)
		}
		for alias, c := range collections(t, grid) {
			var e envelope
			res, body := grid.do("GET", root+"collections/"+c.ID+"/objects/", nil, "", &e)
			want(t, "the grid operator reads "+alias, res, body, 200)
			if e.More || slices.Contains(ids(e), redID) {
				t.Errorf("the grid operator's collection %s holds the TLP:RED indicator (or more than a page to look through)", alias)
			}
			res, body = grid.do("GET", root+"collections/"+c.ID+"/objects/"+redID+"/", nil, "", nil)
			want(t, "the grid operator asks for the TLP:RED indicator in "+alias, res, body, 404)
		}

		// The water operator cannot pass it on to its sharing group re-marked TLP:GREEN,
		// where every member would read it; marked TLP:RED it reaches the group's
		// regulator only, as before.
		res, body = waterAdmin.Do("PUT", "/api/v1/filings/regulator", nil, map[string]string{"X-CSRF-Token": waterAdmin.CSRF, "Content-Type": "application/json"},
			fmt.Sprintf(`{"regulator_id":%d}`, regID))
		if res.StatusCode != 200 {
			t.Fatalf("the water operator names the regulator: %d %s", res.StatusCode, body)
		}
		sharing := root + "collections/" + collections(t, water)["sharing"].ID + "/objects/"
		ct := map[string]string{"Content-Type": taxiiMedia}
		res, body = water.do("POST", sharing, ct, `{"objects":[`+strings.ReplaceAll(redObject, tlpRed, tlpGreen)+`]}`, nil)
		want(t, "the TLP:RED indicator re-marked GREEN to the group", res, body, 202)
		if !strings.Contains(body, `"failure_count":1`) || !strings.Contains(body, "TLP:red") {
			t.Fatalf("re-marked GREEN: %s; want it refused naming TLP:RED", body)
		}
		res, body = water.do("POST", sharing, ct, `{"objects":[`+redObject+`]}`, nil)
		want(t, "the TLP:RED indicator to the group as TLP:RED", res, body, 202)
		if !strings.Contains(body, `"success_count":1`) {
			t.Fatalf("posted as TLP:RED: %s", body)
		}

		// The regulator sees whom it went to; another regulator does not see it.
		res, body = an.Do("GET", "/threat/regulator/notifications/"+strconv.FormatInt(pub.ID, 10), nil, nil)
		if res.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`id="response-%d"`, waterID)) || strings.Contains(body, fmt.Sprintf(`id="response-%d"`, gridID)) || !strings.Contains(body, `id="addressed"`) {
			t.Fatalf("the regulator's page of the notification: %d; want the water operator's row only and the addressing", res.StatusCode)
		}
		other := secondRegulator(t, env)
		if res, _ := other.Do("GET", "/api/v1/threat/notifications/"+strconv.FormatInt(pub.ID, 10), nil, nil); res.StatusCode != 404 {
			t.Errorf("another regulator reads the notification: %d, want 404", res.StatusCode)
		}
	})
}

// secondRegulator creates another regulator with an analyst and returns the analyst's client.
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
