package review_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
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
