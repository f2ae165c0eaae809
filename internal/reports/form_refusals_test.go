package reports_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedReportFormsMarked: a refused form of the reports pages comes back as its page
// (400) in Chinese with the refused control aria-invalid and its reason (the reasons are
// the reasons catalogue's Chinese, written by hand), what was typed kept, and a control that
// was fine left unmarked. Before, each answered with the error page.
func TestRefusedReportFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	sm := env.Login(t, "security@grid.demo")
	sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	res, body := sm.Do("POST", "/api/v1/reports", nil, jsonHdr(sm.CSRF), `{"kind":"annual","year":2025}`)
	r := decode(t, res, body, http.StatusCreated)
	long := strings.Repeat("很", 20001)
	for _, c := range []struct {
		name, path string
		form       url.Values
		refused    map[string]string // control id: a part of its Chinese reason
		fine       []string          // controls not to be marked
		kept       map[string]string // control id: the value it must show again
	}{
		{"a report of no kind for a year out of range", "/reports", url.Values{"kind": {"quarterly"}, "year": {"1999"}},
			map[string]string{"kind": "只能是年度报告", "year": "须为2021年至"}, nil, nil},
		{"a year that is not a number", "/reports", url.Values{"kind": {"change"}, "year": {"明年"}},
			map[string]string{"year": "须为年份，例如2026"}, []string{"kind"}, map[string]string{"kind": "change"}},
		{"a section too long", fmt.Sprintf("/reports/%d/sections", r.ID), url.Values{"zh.summary": {long}, "en.summary": {"Two gaps."}, "zh.method": {"抽样检查。"}},
			map[string]string{"zh-summary": "最多 20000 个字符"}, []string{"en-summary", "zh-method"}, map[string]string{"en-summary": "Two gaps.", "zh-method": "抽样检查。", "zh-summary": long}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, page := sm.Do("POST", c.path, c.form, nil)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 and the page again:\n%.400s", res.StatusCode, page)
			}
			doc := htmltest.Parse(t, page)
			for id, want := range c.refused {
				if reason, ok := doc.Refusal(id); !ok || !strings.Contains(reason, want) {
					t.Errorf("%s: refused=%v, reason %q, want one saying %q", id, ok, reason, want)
				}
			}
			for _, id := range c.fine {
				if !doc.ID(id).Found() {
					t.Errorf("no control %s", id)
				}
				if v, ok := doc.ID(id).Attr("aria-invalid"); ok {
					t.Errorf("%s, which was fine, is aria-invalid=%q", id, v)
				}
			}
			for id, want := range c.kept {
				if got := value(doc, id); got != want {
					t.Errorf("%s shows %.40q again, want %.40q", id, got, want)
				}
			}
		})
	}
}

// value is what a control shows: a textarea's text, a select's selected option, an input's
// value.
func value(doc htmltest.Doc, id string) string {
	n := doc.ID(id)
	if opts := n.All("option", func(o htmltest.Node) bool { _, sel := o.Attr("selected"); return sel }); len(opts) > 0 {
		v, _ := opts[0].Attr("value")
		return v
	}
	if v, ok := n.Attr("value"); ok {
		return v
	}
	return n.Text()
}
