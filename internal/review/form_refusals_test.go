package review_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedProcurementFormMarked: a refused new purchase comes back as the form (400) in
// Chinese with each refused control aria-invalid and its reason (the reasons catalogue's
// Chinese, written by hand), a system that is not in the inventory on every system
// checkbox, what was typed kept (the notes, a "yes" answer), and the fields that were fine
// left unmarked.
func TestRefusedProcurementFormMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	res, page := sm.Do("POST", "/review/procurements", url.Values{
		"title": {"核心路由器采购"}, "product": {"NE40E"}, "product_type": {"critical_network_equipment"}, "supplier": {"某公司"},
		"country": {"China"}, "amount_rmb": {"很多"}, "systems": {"999999"},
		"assessment.control": {"yes"}, "assessment.notes": {"供应商承诺源代码审计。"},
	}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 and the form again:\n%.400s", res.StatusCode, page)
	}
	doc := htmltest.Parse(t, page)
	for id, want := range map[string]string{"country": "不是ISO 3166-1国家代码", "amount_rmb": "必须是整数金额"} {
		if reason, ok := doc.Refusal(id); !ok || !strings.Contains(reason, want) {
			t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
		}
	}
	boxes := doc.Root().All("input", func(n htmltest.Node) bool { v, _ := n.Attr("name"); return v == "systems" })
	if len(boxes) == 0 {
		t.Fatal("the form offers no systems")
	}
	for _, b := range boxes {
		inv, _ := b.Attr("aria-invalid")
		by, _ := b.Attr("aria-describedby")
		if inv != "true" || by == "" || !strings.Contains(doc.ID(by).Text(), "不是本单位系统清单中的系统") {
			t.Fatalf("a system checkbox: aria-invalid=%q, aria-describedby=%q", inv, by)
		}
	}
	for _, id := range []string{"title", "product", "supplier"} {
		if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
			t.Errorf("%s, which was fine, is aria-invalid=%q", id, v)
		}
	}
	if got := doc.ID("assessment-notes").Text(); got != "供应商承诺源代码审计。" {
		t.Errorf("the notes show %q again", got)
	}
	if _, yes := doc.ID("q-control-yes").Attr("checked"); !yes {
		t.Error("the answer yes to the first question is not kept")
	}
}

// TestRefusedCaseFormsMarked: on a case's page, whose forms share the names date and note,
// a refused move comes back as the page (400) in Chinese with the move form's date
// aria-invalid and its reason, the note typed kept and the other forms' controls unmarked;
// a move the missing materials forbid marks the target state with the Art. 8 reason.
func TestRefusedCaseFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	cii, _ := systemIDs(t, sm)
	res, body := sm.Do("POST", "/api/v1/review/procurements", nil, jsonHdr(sm.CSRF), fmt.Sprintf(`{"title":"核心路由器扩容","product":"NE40E","product_type":"critical_network_equipment","supplier":"某通信设备公司","country":"CN","systems":[%d],"amount_rmb":2000000,"assessment":{"control":true}}`, cii))
	var p apiProcurement
	if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusCreated || p.CaseID == 0 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	page := fmt.Sprintf("/review/cases/%d", p.CaseID)
	_, body = sm.Do("GET", page, nil, nil)
	to, _ := htmltest.Parse(t, body).ID("to").All("option", nil)[0].Attr("value")
	for _, c := range []struct {
		name     string
		form     url.Values
		id, want string
	}{
		{"a date that is not a date", url.Values{"_form": {"move"}, "to": {to}, "date": {"上周五"}, "note": {"已口头通知"}}, "move-date", "不是日期（年-月-日）"},
		{"materials missing", url.Values{"_form": {"move"}, "to": {to}, "date": {time.Now().In(calendar.Shanghai).Format(time.DateOnly)}, "note": {"已口头通知"}}, "to", "申报材料不全"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body := sm.Do("POST", page+"/move", c.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 and the page again:\n%.400s", res.StatusCode, body)
			}
			doc := htmltest.Parse(t, body)
			if reason, ok := doc.Refusal(c.id); !ok || !strings.Contains(reason, c.want) {
				t.Errorf("%s: refused=%v, reason %q, want one saying %q", c.id, ok, reason, c.want)
			}
			if v, _ := doc.ID("move-note").Attr("value"); v != "已口头通知" {
				t.Errorf("the note shows %q again", v)
			}
			for _, id := range []string{"move-note", "m-declaration"} {
				if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
					t.Errorf("%s, which was fine, is aria-invalid=%q", id, v)
				}
			}
		})
	}
}

// TestRefusedListingCaseMarked: an organisation that plans to list abroad with personal
// information of more than 1,000,000 people is offered the listing review on /review; a
// refused title comes back as that page (400) in Chinese with the title aria-invalid, its
// reason, and the title typed kept. Before, it answered with the error page.
func TestRefusedListingCaseMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	prof := `{"uscc":"91110000MA0WTR016B","sectors":["water"],"pi_subjects":2000000,"plans_listing_abroad":true}`
	if res, body := sm.Do("PUT", "/api/v1/scope/profile", nil, jsonHdr(sm.CSRF), prof); res.StatusCode != http.StatusOK {
		t.Fatalf("profile: %d %s", res.StatusCode, body)
	}
	if _, page := sm.Do("GET", "/review", nil, nil); !htmltest.Parse(t, page).ID("listing-title").Found() {
		t.Fatalf("/review offers no listing review:\n%.600s", page)
	}
	long := strings.Repeat("赴", 201)
	res, page := sm.Do("POST", "/review/cases", url.Values{"title": {long}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 and the page again:\n%.400s", res.StatusCode, page)
	}
	doc := htmltest.Parse(t, page)
	if reason, ok := doc.Refusal("listing-title"); !ok || !strings.Contains(reason, "最多 200 个字符") {
		t.Errorf("listing-title: refused=%v, reason %q", ok, reason)
	}
	if v, _ := doc.ID("listing-title").Attr("value"); v != long {
		t.Errorf("the title shows %.20q again", v)
	}
}
