package oversight_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/oversight"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// inspection is what the tests read of an inspection.
type inspection struct {
	ID         int64  `json:"id"`
	OperatorID int64  `json:"operator_id"`
	EntryID    int64  `json:"entry_id"`
	Ref        string `json:"ref"`
	Basis      string `json:"basis"`
	LegalBasis struct {
		ZH string `json:"zh"`
		EN string `json:"en"`
	} `json:"legal_basis"`
	Areas      []string `json:"areas"`
	Systems    []string `json:"systems"`
	PeriodFrom string   `json:"period_from"`
	PeriodTo   string   `json:"period_to"`
	EndsAt     string   `json:"ends_at"`
	Open       bool     `json:"open"`
	Reads      []struct {
		Area   string `json:"area"`
		What   string `json:"what"`
		Detail string `json:"detail"`
		Items  int    `json:"items"`
		By     string `json:"by"`
	} `json:"reads"`
	Actions []struct {
		Kind  string `json:"kind"`
		Text  string `json:"text"`
		DueOn string `json:"due_on"`
		Side  string `json:"side"`
	} `json:"actions"`
}

// gridEntry is the demo regulator's registry entry of the grid operator.
func gridEntry(t *testing.T, reg *apptest.Client) entry {
	t.Helper()
	var all registry
	call(t, reg, "GET", "/api/v1/oversight/registry", nil, &all)
	for _, e := range all.Entries {
		if e.NameZH == "示例电网有限公司" {
			return e
		}
	}
	t.Fatal("the demo registry has no grid operator")
	return entry{}
}

// inspectorOf creates an inspector in a new regulator organisation (another sector and
// region) and returns the client.
func inspectorOf(t *testing.T, env *apptest.Env) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Auth.CreateOrg(ctx, auth.Org{Kind: auth.Regulator, NameZH: "示例金融监管局（检查测试）", NameEN: "Example Finance Regulator (inspection test)"})
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("inspector%d@finance-regulator.test", o.ID)
	if _, err := env.App.Auth.CreateUser(ctx, auth.NewUser{OrgID: o.ID, Email: email, Name: "测试", Role: auth.Inspector, PasswordHash: apptest.DemoPasswordHash()}); err != nil {
		t.Fatal(err)
	}
	return env.Login(t, email)
}

// auditActions counts the entries of a trail on entity oversight_inspection by action.
func auditActions(t *testing.T, c *apptest.Client, id int64) map[string]int {
	t.Helper()
	_, body := c.Do("GET", "/api/v1/audit?limit=500", nil, nil)
	var out struct {
		Entries []struct {
			Entity   string `json:"entity"`
			EntityID string `json:"entity_id"`
			Action   string `json:"action"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("audit: %v: %s", err, body)
	}
	n := map[string]int{}
	for _, e := range out.Entries {
		if e.Entity == "oversight_inspection" && e.EntityID == strconv.FormatInt(id, 10) {
			n[e.Action]++
		}
	}
	return n
}

// TestInspectionReadsAreRecorded, on both engines: the department's administrator opens
// an inspection of the grid operator naming one system, the evidence and the logs of two
// days; the operator reads the same scope; the inspector reads the system list, the
// system (whose fields are the operator's own record, read through the operator's own
// API), and one hour of logs (each event inside the hour); a system not named is 404 and
// a range outside the period a 400 on from; both sides read the same three reads, and
// both audit trails hold them; the reproduction verifies offline, fails after one byte is
// changed or one line dropped, and is itself a recorded read.
func TestInspectionReadsAreRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		insp := env.Login(t, "inspector@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		e := gridEntry(t, admin)

		// The grid's own record of the system, the oracle of what the inspector reads.
		var own struct {
			Systems []struct {
				ID                int64  `json:"id"`
				Name              string `json:"name"`
				ResponsiblePerson string `json:"responsible_person"`
				FilingNumber      string `json:"filing_number"`
			} `json:"systems"`
		}
		call(t, grid, "GET", "/api/v1/scope/systems?per_page=100", nil, &own)
		const named = "调度自动化系统（D5000）"
		var sysID, otherID int64
		var person, filing string
		for _, s := range own.Systems {
			if s.Name == named {
				sysID, person, filing = s.ID, s.ResponsiblePerson, s.FilingNumber
			} else if otherID == 0 {
				otherID = s.ID
			}
		}
		if sysID == 0 || person == "" {
			t.Fatalf("the grid has no %s: %+v", named, own)
		}

		now := time.Now().In(calendar.Shanghai) // the period is in Beijing days
		today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")
		open := map[string]any{"entry_id": e.ID, "ref": "示能监安检〔2026〕9号", "areas": []string{"systems", "evidence", "logs"}, "systems": []string{named},
			"period_from": yesterday, "period_to": today, "ends_at": now.Add(time.Hour).Format(time.RFC3339)}
		var x inspection
		code, body := call(t, admin, "POST", "/api/v1/oversight/inspections", open, &x)
		mustStatus(t, "open", code, http.StatusCreated, body)
		if x.Basis != "《关键信息基础设施安全保护条例》（2021）第二十六条至第二十八条" || x.LegalBasis.ZH != x.Basis ||
			x.LegalBasis.EN != "Regulations on the Security Protection of Critical Information Infrastructure (2021), Arts 26–28" {
			t.Errorf("default basis %q, legal basis %+v; want CIIR 2021 Arts 26–28 in both languages", x.Basis, x.LegalBasis)
		}
		id := strconv.FormatInt(x.ID, 10)

		// The operator sees it and its scope.
		var mine struct{ Inspections []inspection }
		call(t, grid, "GET", "/api/v1/filings/inspections", nil, &mine)
		var got *inspection
		for i := range mine.Inspections {
			if mine.Inspections[i].ID == x.ID {
				got = &mine.Inspections[i]
			}
		}
		if got == nil || strings.Join(got.Areas, ",") != "systems,evidence,logs" || len(got.Systems) != 1 || got.Systems[0] != named ||
			got.PeriodFrom != yesterday || got.PeriodTo != today || !got.Open || got.EntryID != 0 {
			t.Fatalf("the operator reads %+v; want the scope as opened, without the registry entry", got)
		}
		pres, page := grid.Do("GET", "/filings/inspections/"+id, nil, nil)
		mustStatus(t, "the operator's page", pres.StatusCode, 200, page)
		for _, w := range []string{named, yesterday + " – " + today} {
			if !strings.Contains(page, w) {
				t.Errorf("the operator's page lacks %q", w)
			}
		}

		// The inspector reads in scope.
		var recs struct {
			Records []struct {
				ID      string `json:"id"`
				TitleZH string `json:"title_zh"`
				Fields  []struct {
					LabelEN string `json:"label_en"`
					Value   string `json:"value"`
				} `json:"fields"`
			} `json:"records"`
		}
		code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/records/systems", nil, &recs)
		mustStatus(t, "list systems", code, 200, body)
		if len(recs.Records) != 1 || recs.Records[0].ID != strconv.FormatInt(sysID, 10) || recs.Records[0].TitleZH != named {
			t.Fatalf("systems in scope: %+v; want %s only", recs.Records, named)
		}
		fields := map[string]string{}
		for _, f := range recs.Records[0].Fields {
			fields[f.LabelEN] = f.Value
		}
		if fields["Responsible person"] != person || fields["MLPS filing number"] != filing {
			t.Errorf("the inspector reads %v; the operator's record says %s, %s", fields, person, filing)
		}
		code, body = call(t, insp, "GET", fmt.Sprintf("/api/v1/oversight/inspections/%s/records/systems/%d", id, sysID), nil, nil)
		mustStatus(t, "read the system", code, 200, body)
		code, body = call(t, insp, "GET", fmt.Sprintf("/api/v1/oversight/inspections/%s/records/systems/%d", id, otherID), nil, nil)
		mustStatus(t, "a system not named", code, 404, body)

		from, to := now.Add(-3*time.Hour).Truncate(time.Minute), now.Add(-2*time.Hour).Truncate(time.Minute)
		var logs struct {
			Events []struct {
				Seq  uint64    `json:"seq"`
				Time time.Time `json:"time"`
			} `json:"events"`
		}
		q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
		code, body = call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/logs?"+q.Encode(), nil, &logs)
		mustStatus(t, "read logs", code, 200, body)
		if len(logs.Events) == 0 {
			t.Fatal("no demo logs in the hour read")
		}
		for _, ev := range logs.Events {
			if ev.Time.Before(from) || !ev.Time.Before(to) {
				t.Fatalf("event %d at %s outside %s – %s", ev.Seq, ev.Time, from, to)
			}
		}
		bad := url.Values{"from": {now.AddDate(0, 0, -3).Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
		if code, body := call(t, insp, "GET", "/api/v1/oversight/inspections/"+id+"/logs?"+bad.Encode(), nil, nil); code != 400 || !contains(body, `"field":"from"`) {
			t.Errorf("a range before the period: %d %s; want 400 on from", code, body)
		}

		// Both sides see the same three reads, and both trails hold them.
		wantReads := []string{"list systems 1", "record systems 1", fmt.Sprintf("logs logs %d", len(logs.Events))}
		for side, c := range map[string]*apptest.Client{"regulator": admin, "operator": grid} {
			path := "/api/v1/oversight/inspections/" + id
			if side == "operator" {
				path = "/api/v1/filings/inspections/" + id
			}
			var y inspection
			code, body := call(t, c, "GET", path, nil, &y)
			mustStatus(t, side+" reads the inspection", code, 200, body)
			var reads []string
			for _, r := range y.Reads {
				reads = append(reads, fmt.Sprintf("%s %s %d", r.What, r.Area, r.Items))
				if !strings.HasPrefix(r.By, "inspector@regulator.demo") {
					t.Errorf("%s: read by %q; want the inspector", side, r.By)
				}
			}
			if strings.Join(reads, "; ") != strings.Join(wantReads, "; ") {
				t.Errorf("%s sees reads %v; want %v", side, reads, wantReads)
			}
		}
		if n := auditActions(t, admin, x.ID); n["inspection_read"] != 3 || n["inspection_opened"] != 1 {
			t.Errorf("the regulator's trail: %v; want 3 reads and the opening", n)
		}
		if n := auditActions(t, env.Login(t, "admin@grid.demo"), x.ID); n["inspection_read"] != 3 || n["inspection_received"] != 1 {
			t.Errorf("the operator's trail: %v; want 3 reads and the receipt", n)
		}

		// The reproduction.
		res, bundle := insp.Do("GET", "/api/v1/oversight/inspections/"+id+"/bundle", nil, nil)
		mustStatus(t, "reproduce", res.StatusCode, 200, bundle)
		rep, err := oversight.VerifyBundle(strings.NewReader(bundle), "")
		if err != nil {
			t.Fatalf("the reproduction does not verify: %v", err)
		}
		if rep.InspectionID != x.ID || rep.Records < 1 || rep.LogEvents < len(logs.Events) || rep.OperatorZH != "示例电网有限公司" {
			t.Errorf("reproduction: %+v; want inspection %d, the system, at least the %d events read", rep, x.ID, len(logs.Events))
		}
		lines := strings.SplitAfter(bundle, "\n")
		dropped := strings.Join(append(append([]string{}, lines[:1]...), lines[2:]...), "")
		if _, err := oversight.VerifyBundle(strings.NewReader(dropped), ""); err == nil {
			t.Error("a reproduction with its first record dropped verifies")
		}
		b := []byte(bundle)
		i := bytes.Index(b, []byte(person))
		b[i+len(person)-1] ^= 1
		if _, err := oversight.VerifyBundle(bytes.NewReader(b), ""); err == nil {
			t.Error("a reproduction with one byte changed verifies")
		}
		var y inspection
		call(t, grid, "GET", "/api/v1/filings/inspections/"+id, nil, &y)
		if n := len(y.Reads); n != 4 || y.Reads[3].What != "reproduce" || !strings.Contains(y.Reads[3].Detail, res.Header.Get("X-Bundle-SHA256")) {
			t.Errorf("the operator's reads after the reproduction: %+v; want the fourth with the bundle's SHA-256", y.Reads)
		}
	})
}

// TestInspectionStaysInItsScope, on both engines: an inspector of another regulator
// (another sector and region) sees no inspection and reads nothing (404); another operator
// sees none of the grid's; the analyst may see the inspection but not read (403); after
// the time box, the inspector's reads and reproduction are 404 while the inspection and
// its findings go on; an order without a deadline is a 400 on due_on; the operator's
// response and the department's findings, order and obstruction are on both sides.
func TestInspectionStaysInItsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		insp := env.Login(t, "inspector@regulator.demo")
		grid := env.Login(t, "security@grid.demo")
		e := gridEntry(t, admin)
		now := time.Now().In(calendar.Shanghai) // the period is in Beijing days
		ends := now.Add(3 * time.Second)
		var x inspection
		code, body := call(t, insp, "POST", "/api/v1/oversight/inspections", map[string]any{"entry_id": e.ID, "ref": "示能监安检〔2026〕10号",
			"areas": []string{"systems", "logs"}, "systems": []string{"调度自动化系统（D5000）"}, "period_from": now.AddDate(0, 0, -1).Format("2006-01-02"),
			"period_to": now.Format("2006-01-02"), "ends_at": ends.Format(time.RFC3339Nano)}, &x)
		mustStatus(t, "an inspector opens", code, http.StatusCreated, body)
		id := strconv.FormatInt(x.ID, 10)
		reads := []string{"/api/v1/oversight/inspections/" + id + "/records/systems", "/api/v1/oversight/inspections/" + id + "/bundle",
			"/api/v1/oversight/inspections/" + id + "/logs?from=" + url.QueryEscape(now.Add(-2*time.Hour).Format(time.RFC3339)) + "&to=" + url.QueryEscape(now.Add(-time.Hour).Format(time.RFC3339))}

		other := inspectorOf(t, env)
		var theirs struct{ Inspections []inspection }
		call(t, other, "GET", "/api/v1/oversight/inspections", nil, &theirs)
		if len(theirs.Inspections) != 0 {
			t.Errorf("another regulator lists %d inspections", len(theirs.Inspections))
		}
		for _, p := range append([]string{"/api/v1/oversight/inspections/" + id, "/oversight/inspections/" + id}, reads...) {
			if code, body := call(t, other, "GET", p, nil, nil); code != http.StatusNotFound {
				t.Errorf("another regulator's inspector GET %s: %d %s; want 404", p, code, body)
			}
		}
		if code, body := call(t, other, "POST", "/api/v1/oversight/inspections/"+id+"/actions", map[string]any{"kind": "finding", "text": "x"}, nil); code != http.StatusNotFound {
			t.Errorf("another regulator records a finding: %d %s; want 404", code, body)
		}
		if code, body := call(t, other, "POST", "/api/v1/oversight/inspections", map[string]any{"entry_id": e.ID, "ref": "x", "areas": []string{"systems"},
			"systems": []string{"x"}, "period_from": "2026-01-01", "period_to": "2026-01-02", "ends_at": now.Add(time.Hour).Format(time.RFC3339)}, nil); code != 400 || !contains(body, `"field":"entry_id"`) {
			t.Errorf("another regulator opens one on the demo regulator's entry: %d %s; want 400 on entry_id", code, body)
		}
		water := env.Login(t, "security@water.demo")
		var ws struct{ Inspections []inspection }
		call(t, water, "GET", "/api/v1/filings/inspections", nil, &ws)
		if len(ws.Inspections) != 0 {
			t.Errorf("the water operator lists %d inspections", len(ws.Inspections))
		}
		if code, _ := call(t, water, "GET", "/api/v1/filings/inspections/"+id, nil, nil); code != 404 {
			t.Errorf("the water operator reads the grid's inspection: %d", code)
		}
		analyst := env.Login(t, "analyst@regulator.demo")
		if code, _ := call(t, analyst, "GET", "/api/v1/oversight/inspections/"+id, nil, nil); code != 200 {
			t.Errorf("the analyst reads the inspection: %d", code)
		}
		if code, _ := call(t, analyst, "GET", reads[0], nil, nil); code != 403 {
			t.Errorf("the analyst reads records: %d, want 403", code)
		}
		if code, body := call(t, insp, "GET", reads[0], nil, nil); code != 200 {
			t.Fatalf("the inspector inside the time box: %d %s", code, body)
		}

		time.Sleep(time.Until(ends) + 100*time.Millisecond)
		for _, p := range reads {
			if code, body := call(t, insp, "GET", p, nil, nil); code != http.StatusNotFound {
				t.Errorf("after the time box GET %s: %d %s; want 404", p, code, body)
			}
		}
		call(t, admin, "GET", "/api/v1/oversight/inspections/"+id, nil, &x)
		if x.Open || len(x.Reads) != 1 {
			t.Errorf("after the time box: open %v, %d reads; want ended with the one read", x.Open, len(x.Reads))
		}

		if code, body := call(t, insp, "POST", "/api/v1/oversight/inspections/"+id+"/actions", map[string]any{"kind": "order", "text": "整改"}, nil); code != 400 || !contains(body, `"field":"due_on"`) {
			t.Errorf("an order without a deadline: %d %s; want 400 on due_on", code, body)
		}
		due := now.AddDate(0, 1, 0).Format("2006-01-02")
		for _, a := range []map[string]any{
			{"kind": "finding", "text": "日志留存不足六个月"},
			{"kind": "order", "text": "限期整改日志留存", "due_on": due},
			{"kind": "obstruction", "text": "检查期间拒绝提供配电自动化系统的审计日志"},
		} {
			if code, body := call(t, insp, "POST", "/api/v1/oversight/inspections/"+id+"/actions", a, nil); code != 201 {
				t.Fatalf("record %v: %d %s", a["kind"], code, body)
			}
		}
		if code, body := call(t, grid, "POST", "/api/v1/filings/inspections/"+id+"/responses", map[string]any{"text": "已按期整改"}, nil); code != 201 {
			t.Fatalf("the operator responds: %d %s", code, body)
		}
		if code, _ := call(t, water, "POST", "/api/v1/filings/inspections/"+id+"/responses", map[string]any{"text": "x"}, nil); code != 404 {
			t.Errorf("another operator responds: %d, want 404", code)
		}
		want := "finding regulator; order regulator " + due + "; obstruction regulator; response operator"
		for side, p := range map[*apptest.Client]string{admin: "/api/v1/oversight/inspections/" + id, grid: "/api/v1/filings/inspections/" + id} {
			var y inspection
			call(t, side, "GET", p, nil, &y)
			var got []string
			for _, a := range y.Actions {
				got = append(got, strings.TrimSpace(a.Kind+" "+a.Side+" "+a.DueOn))
			}
			if strings.Join(got, "; ") != want {
				t.Errorf("%s: actions %v; want %s", p, got, want)
			}
		}
	})
}

// TestInspectionRefusals: a hand-written table of bad inspections, each a 400 naming its
// field.
func TestInspectionRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	admin := env.Login(t, "admin@regulator.demo")
	e := gridEntry(t, admin)
	var all registry
	call(t, admin, "GET", "/api/v1/oversight/registry", nil, &all)
	var offInstallation int64
	for _, x := range all.Entries {
		if x.OperatorID == 0 {
			offInstallation = x.ID
		}
	}
	now := time.Now()
	good := map[string]any{"entry_id": e.ID, "ref": "示检〔2026〕1号", "areas": []string{"systems"}, "systems": []string{"甲"},
		"period_from": "2026-01-01", "period_to": "2026-02-01", "ends_at": now.AddDate(0, 0, 10).Format("2006-01-02")}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"no entry", with("entry_id", 0), "entry_id"},
		{"an entry not on the installation", with("entry_id", offInstallation), "entry_id"},
		{"no number", with("ref", " "), "ref"},
		{"no area", with("areas", []string{}), "areas"},
		{"an unknown area", with("areas", []string{"payroll"}), "areas"},
		{"systems area naming no system", with("systems", []string{}), "systems"},
		{"51 systems", with("systems", strings.Split(strings.Repeat("系统,", 51), ",")[:0]), "systems"},
		{"period not a day", with("period_from", "2026-02-30"), "period_from"},
		{"period ending before it starts", with("period_to", "2025-12-31"), "period_to"},
		{"time box in the past", with("ends_at", "2020-01-01"), "ends_at"},
		{"time box of two years", with("ends_at", now.AddDate(2, 0, 0).Format("2006-01-02")), "ends_at"},
		{"time box not a time", with("ends_at", "next week"), "ends_at"},
	} {
		if tc.name == "51 systems" {
			many := make([]string, 51)
			for i := range many {
				many[i] = "系统" + strconv.Itoa(i)
			}
			tc.in = with("systems", many)
		}
		code, body := call(t, admin, "POST", "/api/v1/oversight/inspections", tc.in, nil)
		if code != 400 || !contains(body, `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s; want 400 naming %q", tc.name, code, body, tc.field)
		}
	}
}
