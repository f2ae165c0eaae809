package taxii_test

import (
	"fmt"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDeleteAnObject walks TAXII 2.1 §5.7 on the demo regulator's sharing group, both
// engines. The grid operator posts two versions of one indicator and one of another; the
// oracle is the spec's table and what the test posted: another member of the group (the
// water operator), who can read the object, is 403; the grid's auditor token, which can
// read but not write, is 403; an operator outside the group is 404; a parameter other than
// match[version] or match[spec_version] is 400; an Accept without the TAXII type is 406.
// match[version]=first deletes the older version only (the object then answers the newer
// one alone); a delete without a filter takes the rest, after which the object is 404 and
// the manifest no longer lists it; a second delete is 404. The regulator, who hosts the
// group, deletes the other indicator. The private collection's indicators are 403 (revoked
// on the threat pages). Failed first without the route: "another member: status 405".
func TestDeleteAnObject(t *testing.T) {
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
		gridAuditor := caller{t, env.NewClient(t), "Bearer " + token(t, gridAdmin, "auditor")}
		water := caller{t, env.NewClient(t), "Bearer " + token(t, waterAdmin, "admin")}
		reg := caller{t, env.NewClient(t), "Bearer " + token(t, env.Login(t, "admin@regulator.demo"), "regulator_analyst")}
		outsider := caller{t, env.NewClient(t), "Bearer " + token(t, env.Login(t, "admin@appstore.demo"), "admin")}

		sharing := collections(t, grid)["sharing"]
		path := root + "collections/" + sharing.ID + "/objects/"
		a, b := "indicator--55555555-5555-4555-8555-555555555555", "indicator--66666666-6666-4666-8666-666666666666"
		a1 := indicator(a, "198.51.100.20", tlpGreen)
		a2 := strings.Replace(a1, `"modified":"2026-11-30T08:00:00.000Z"`, `"modified":"2026-12-01T08:00:00.000Z"`, 1)
		res, body = grid.do("POST", path, map[string]string{"Content-Type": taxiiMedia}, fmt.Sprintf(`{"objects":[%s,%s,%s]}`, a1, a2, indicator(b, "198.51.100.21", tlpGreen)), nil)
		want(t, "the grid posts", res, body, 202)
		if !strings.Contains(body, `"success_count":3`) {
			t.Fatalf("post: %s", body)
		}
		versions := func(k caller, id string) string {
			var v struct{ Versions []string }
			res, body := k.do("GET", path+id+"/versions/", nil, "", &v)
			if res.StatusCode == 404 {
				return "404"
			}
			want(t, "versions", res, body, 200)
			return strings.Join(v.Versions, " ")
		}
		if got := versions(water, a); got != "2026-11-30T08:00:00.000Z 2026-12-01T08:00:00.000Z" {
			t.Fatalf("versions before: %q", got)
		}

		res, body = water.do("DELETE", path+a+"/", nil, "", nil)
		want(t, "another member", res, body, 403)
		res, body = gridAuditor.do("DELETE", path+a+"/", nil, "", nil)
		want(t, "a token that can read but not write", res, body, 403)
		res, body = outsider.do("DELETE", path+a+"/", nil, "", nil)
		want(t, "an operator outside the group", res, body, 404)
		res, body = grid.do("DELETE", path+a+"/?limit=1", nil, "", nil)
		want(t, "limit on a delete", res, body, 400)
		res, body = grid.do("DELETE", path+a+"/", map[string]string{"Accept": "application/json"}, "", nil)
		want(t, "Accept without the TAXII type", res, body, 406)
		if got := versions(grid, a); got != "2026-11-30T08:00:00.000Z 2026-12-01T08:00:00.000Z" {
			t.Fatalf("versions after the refusals: %q, want both", got)
		}

		res, body = grid.do("DELETE", path+a+"/?match[version]=first", nil, "", nil)
		want(t, "the poster deletes the first version", res, body, 200)
		if got := versions(water, a); got != "2026-12-01T08:00:00.000Z" {
			t.Errorf("versions after deleting the first: %q, want the newer only", got)
		}
		res, body = grid.do("DELETE", path+a+"/", nil, "", nil)
		want(t, "the poster deletes the rest", res, body, 200)
		res, body = water.do("GET", path+a+"/", nil, "", nil)
		want(t, "the deleted object", res, body, 404)
		var man struct {
			Objects []struct{ ID string }
		}
		res, body = water.do("GET", root+"collections/"+sharing.ID+"/manifest/", nil, "", &man)
		want(t, "manifest", res, body, 200)
		for _, o := range man.Objects {
			if o.ID == a {
				t.Errorf("the manifest still lists %s", a)
			}
		}
		res, body = grid.do("DELETE", path+a+"/", nil, "", nil)
		want(t, "a second delete", res, body, 404)

		res, body = reg.do("DELETE", path+b+"/", nil, "", nil)
		want(t, "the group's regulator deletes a member's object", res, body, 200)
		if got := versions(grid, b); got != "404" {
			t.Errorf("after the regulator's delete: %q, want 404", got)
		}

		private := collections(t, grid)["private"]
		var e envelope
		res, body = grid.do("GET", root+"collections/"+private.ID+"/objects/?limit=1", nil, "", &e)
		want(t, "private objects", res, body, 200)
		if len(e.Objects) > 0 {
			id := ids(e)[0]
			res, body = grid.do("DELETE", root+"collections/"+private.ID+"/objects/"+id+"/", nil, "", nil)
			want(t, "an indicator of the private collection", res, body, 403)
		}
	})
}
