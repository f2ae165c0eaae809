package obligations_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/obligations"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestAdoptDraftDuty adopts a duty written only in the 2017 CIIR draft from its page and
// takes it back. CIIR draft (2017-07-11) Art. 34: "关键信息基础设施的运行维护应当在境内实施。
// 因业务需要，确需进行境外远程维护的，应事先报告国家行业主管或监管部门和国务院公安部门" — the
// final Regulation (2021) has no such article, so the duty is recommended, not counted. The
// demo has one identified CII maintained from abroad without a report (变电站综合自动化监控系统),
// so adopting it adds exactly one gap, no recommended finding goes away (the draft's own
// duty is still shown as recommended), and the fine exposure does not move: a draft never
// came into force, and an organisation's own rule links no penalty of the law.
func TestAdoptDraftDuty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		sec := env.Login(t, "security@grid.demo")
		zh(t, sec)
		const draft = "CIIR-DOMESTIC-MAINTENANCE"
		waitEvaluated(t, sec)
		before := findings(t, sec, "").Summary

		// The duty's page offers adoption to the cybersecurity manager, not to an analyst,
		// whom the server refuses too.
		_, page := sec.Do("GET", "/obligations/"+draft, nil, nil)
		box := htmltest.Parse(t, page).ID("adoption")
		if !box.Found() || !htmltest.Parse(t, page).ID("adopt").Found() {
			t.Fatalf("the draft duty's page offers no adoption: %q", box.Text())
		}
		if !strings.Contains(box.Text(), "目前不计入差距") {
			t.Errorf("the adoption box does not say the duty is not counted now: %q", box.Text())
		}
		analyst := env.Login(t, "analyst@grid.demo")
		if _, page := analyst.Do("GET", "/obligations/"+draft, nil, nil); htmltest.Parse(t, page).ID("adopt").Found() {
			t.Error("an analyst is shown the adopt button")
		}
		if res, _ := analyst.Do("POST", "/obligations/"+draft+"/adoption", url.Values{"adopt": {"yes"}}, nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an analyst adopting: %d, want 403", res.StatusCode)
		}

		if res, body := sec.Do("POST", "/obligations/"+draft+"/adoption", url.Values{"adopt": {"yes"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		waitEvaluated(t, sec)
		var a obligations.Adoption
		_, body := sec.Do("GET", "/api/v1/obligations/"+draft+"/adoption", nil, nil)
		if err := json.Unmarshal([]byte(body), &a); err != nil || !a.Adopted || !strings.HasSuffix(a.AdoptedID, "-ADOPTED-"+draft) {
			t.Fatalf("adoption after adopting: %v %s", err, body)
		}
		after := findings(t, sec, "").Summary
		if after.Gap != before.Gap+1 || after.Recommended != before.Recommended || after.Overdue != before.Overdue {
			t.Errorf("after adopting: gap %d → %d, recommended %d → %d, overdue %d → %d; want one more gap, the rest unchanged",
				before.Gap, after.Gap, before.Recommended, after.Recommended, before.Overdue, after.Overdue)
		}
		if after.FineMin != before.FineMin || after.FineMax != before.FineMax {
			t.Errorf("adopting a draft duty moved the exposure: %d–%d → %d–%d", before.FineMin, before.FineMax, after.FineMin, after.FineMax)
		}
		var open []obligations.Finding
		for _, f := range findings(t, sec, "?obligation="+a.AdoptedID).Findings {
			// The duty applies to every identified CII system; the two maintained in China meet it.
			if f.Status != rules.StatusNotApplicable && f.Status != rules.StatusMet {
				open = append(open, f)
			}
		}
		if len(open) != 1 || open[0].Status != rules.StatusGap || open[0].Penalty != nil {
			t.Fatalf("the adopted duty's findings: %+v, want one gap without a fine", open)
		}
		if _, body := sec.Do("GET", "/api/v1/findings?obligation="+a.AdoptedID+"&status=gap", nil, nil); !strings.Contains(body, "变电站综合自动化监控系统") {
			t.Errorf("the adopted duty's gap is not the substation monitoring system's: %s", body)
		}
		_, page = sec.Do("GET", "/obligations/"+draft, nil, nil)
		doc := htmltest.Parse(t, page)
		if !strings.Contains(doc.ID("adoption").Text(), "本单位已将此义务采纳为自己的制度") || !doc.ID("unadopt").Found() {
			t.Errorf("after adopting, the page says %q", doc.ID("adoption").Text())
		}
		if links := doc.ID("adoption").Links(); len(links) != 1 || links[0].Href != "/obligations/"+a.AdoptedID {
			t.Errorf("the page does not link the organisation's own duty: %+v", links)
		}
		admin := env.Login(t, "admin@grid.demo")
		if _, body := admin.Do("GET", "/api/v1/audit", nil, nil); !strings.Contains(body, obligations.AdoptionsPolicyName) {
			t.Error("the adoption is not in the audit trail")
		}

		// The other operator sees none of it.
		other := env.Login(t, app.OtherOperatorEmail(auth.Admin))
		if _, body := other.Do("GET", "/api/v1/obligations/"+draft+"/adoption", nil, nil); adopted(t, body) {
			t.Errorf("the other operator's adoption: %s", body)
		}
		if _, body := other.Do("GET", "/api/v1/findings?obligation="+a.AdoptedID, nil, nil); strings.Contains(body, "ADOPTED") {
			t.Errorf("the other operator sees the adopted duty: %s", body)
		}

		// Only drafts can be adopted; an unknown duty is 404.
		h := map[string]string{"X-CSRF-Token": sec.CSRF, "Content-Type": "application/json"}
		if res, body := sec.Do("PUT", "/api/v1/obligations/CIIR-ANNUAL-RISK-ASSESSMENT/adoption", nil, h, `{"adopted":true}`); res.StatusCode != 400 || !strings.Contains(body, `"field":"obligation_id"`) {
			t.Errorf("adopting a duty in force: %d %s", res.StatusCode, body)
		}
		if res, _ := sec.Do("PUT", "/api/v1/obligations/NO-SUCH-DUTY/adoption", nil, h, `{"adopted":true}`); res.StatusCode != 404 {
			t.Errorf("adopting an unknown duty: %d", res.StatusCode)
		}

		// Taken back: the figures are as before and the file is gone.
		if res, body := sec.Do("PUT", "/api/v1/obligations/"+draft+"/adoption", nil, h, `{"adopted":false}`); res.StatusCode != 200 || adopted(t, body) {
			t.Fatalf("take back: %d %s", res.StatusCode, body)
		}
		waitEvaluated(t, sec)
		if again := findings(t, sec, "").Summary; again.Gap != before.Gap || again.Recommended != before.Recommended {
			t.Errorf("after taking it back: gap %d, recommended %d; want %d, %d", again.Gap, again.Recommended, before.Gap, before.Recommended)
		}
		if _, body := sec.Do("GET", "/api/v1/policies", nil, nil); strings.Contains(body, obligations.AdoptionsPolicyName) {
			t.Error("the adoptions file is still listed after the last adoption was taken back")
		}
	})
}

// adopted reads an adoption answer.
func adopted(t *testing.T, body string) bool {
	t.Helper()
	var a obligations.Adoption
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("adoption answer: %v %s", err, body)
	}
	return a.Adopted
}
