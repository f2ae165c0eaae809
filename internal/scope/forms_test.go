package scope_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// flashCleared reports whether res tells the browser to forget the flash message.
func flashCleared(res *http.Response) bool {
	for _, c := range res.Cookies() {
		if c.Name == "ciiguard_flash" && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

// TestFlashShownOnce: the message after a save is shown on the next page and then
// cleared, also by pages that answer with their own status; a failed save never shows
// an earlier success.
func TestFlashShownOnce(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	c.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, _ := c.Do("POST", "/scope/systems", url.Values{"name": {"一次提示系统"}, "sector": {"energy"}, "mlps_level": {"2"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	// The systems list answers with its own status code; it must still clear the message.
	res, body := c.Do("GET", "/scope/systems", nil, nil)
	if !strings.Contains(body, "System added.") {
		t.Fatal("the list does not show the message after the save")
	}
	if !flashCleared(res) {
		t.Error("the list showed the message without clearing it")
	}
	if _, body = c.Do("GET", "/scope/systems", nil, nil); strings.Contains(body, "System added.") {
		t.Error("the message shows again on the next page")
	}

	// A save, then a failed save: the form with the error does not say "saved".
	if res, _ := c.Do("POST", "/scope/systems", url.Values{"name": {"二次提示系统"}, "sector": {"energy"}, "mlps_level": {"2"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	typed := url.Values{"name": {"三次提示系统"}, "owner": {"信息中心"}, "sector": {"energy"}, "mlps_level": {"2"}, "filed_on": {"2025-01-01"}, "purpose": {"生产调度"}}
	res, body = c.Do("POST", "/scope/systems", typed, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad form: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	if len(doc.Root().All("", func(n htmltest.Node) bool { v, _ := n.Attr("class"); return v == "flash" })) != 0 {
		t.Error("the failed save shows the earlier success message")
	}
	// What the user typed is still there.
	for name, want := range map[string]string{"name": "三次提示系统", "owner": "信息中心", "filed_on": "2025-01-01"} {
		if v, _ := doc.ID(name).Attr("value"); v != want {
			t.Errorf("field %s holds %q after the failed save, want %q", name, v, want)
		}
	}
	if got := doc.ID("purpose").Text(); got != "生产调度" {
		t.Errorf("purpose holds %q, want what was typed", got)
	}
	// The refused field is marked and points to its reason.
	fn := doc.ID("filing_number")
	if v, _ := fn.Attr("aria-invalid"); v != "true" {
		t.Error("the refused field is not aria-invalid")
	}
	by, _ := fn.Attr("aria-describedby")
	if reason := doc.ID(by).Text(); !strings.Contains(reason, "required when a filing date") {
		t.Errorf("aria-describedby %q points to %q", by, reason)
	}
	if v, ok := doc.ID("owner").Attr("aria-invalid"); ok {
		t.Errorf("a field that was not refused is aria-invalid=%q", v)
	}
}

// TestNoticeFormKeepsInput: a refused notice on the system page keeps the document
// number typed, in the form that was sent, and shows the reason on that form only.
func TestNoticeFormKeepsInput(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	c.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, _ := c.Do("POST", "/scope/systems", url.Values{"name": {"认定表单系统"}, "sector": {"energy"}, "mlps_level": {"3"}}, nil)
	path := res.Header.Get("Location")
	res, body := c.Do("POST", path+"/identify", url.Values{"_form": {"identify"}, "on": {"not-a-date"}, "doc": {"能源认〔2026〕9号"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad notice: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	if v, _ := doc.ID("id-doc").Attr("value"); v != "能源认〔2026〕9号" {
		t.Errorf("the document number typed is gone: %q", v)
	}
	if v, _ := doc.ID("id-on").Attr("aria-invalid"); v != "true" {
		t.Error("the refused date is not marked")
	}
}

// TestDeleteNeedsConfirmation: the system page says what deleting does before it does
// it, and a delete posted without that confirmation changes nothing.
func TestDeleteNeedsConfirmation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := start(t, d)
		c := e.Login(t, "admin@op.test")
		c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		res, _ := c.Do("POST", "/scope/systems", url.Values{"name": {"待删除系统"}, "sector": {"energy"}, "mlps_level": {"2"}}, nil)
		path := res.Header.Get("Location")
		_, body := c.Do("GET", path, nil, nil)
		doc := htmltest.Parse(t, body)
		panel := doc.Root().All("details", func(n htmltest.Node) bool { v, _ := n.Attr("class"); return v == "confirm" })
		if len(panel) != 1 || !strings.Contains(panel[0].Text(), "删除「待删除系统」将从资产清单中移除该系统") || !strings.Contains(panel[0].Text(), "无法撤销") {
			t.Fatalf("no confirmation saying what deleting does: %d panels", len(panel))
		}
		res, _ = c.Do("POST", path+"/delete", url.Values{}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("delete without confirmation: %d, want 400", res.StatusCode)
		}
		if res, _ := c.Do("GET", path, nil, nil); res.StatusCode != 200 {
			t.Fatalf("the system is gone after an unconfirmed delete: %d", res.StatusCode)
		}
		res, _ = c.Do("POST", path+"/delete", url.Values{"confirm": {"yes"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed delete: %d", res.StatusCode)
		}
		if res, _ := c.Do("GET", path, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("after the confirmed delete: %d, want 404", res.StatusCode)
		}
		// An auditor sees no delete and no edit on a system's page.
		all, _ := e.svc.AllSystems(store.WithOrg(context.Background(), e.op.ID))
		a := e.Login(t, "auditor@op.test")
		_, body = a.Do("GET", "/scope/systems/"+itoa(all[0].ID), nil, nil)
		if strings.Contains(body, `class="confirm"`) || strings.Contains(body, "/edit") || strings.Contains(body, "/identify") {
			t.Error("the auditor is offered changes it cannot make")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRefusedProfileNumberMarked: a refused count on the profile form (its fields are drawn
// from a list, not written one by one) is marked aria-invalid and points at its reason.
func TestRefusedProfileNumberMarked(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	c.Do("POST", "/lang", url.Values{"lang": {"en"}}, nil)
	res, body := c.Do("POST", "/scope/profile", url.Values{"sectors": {"energy"}, "pi_subjects": {"很多"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad profile: %d", res.StatusCode)
	}
	doc := htmltest.Parse(t, body)
	if reason, ok := doc.Refusal("pi_subjects"); !ok || reason == "" {
		t.Errorf("the refused count: refused=%v, reason %q", ok, reason)
	}
	if v, ok := doc.ID("sensitive_pi_subjects").Attr("aria-invalid"); ok {
		t.Errorf("a count that was not refused is aria-invalid=%q", v)
	}
}

// TestProfileAssessmentDateIsANote: the profile's date of the last test and risk
// assessment is read by no duty (the annual duties read the signed-off and submitted
// annual reports), so the form says so beside the control, in Chinese, and the control
// points at that note.
func TestProfileAssessmentDateIsANote(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	_, body := c.Do("GET", "/scope/profile/edit", nil, nil)
	doc := htmltest.Parse(t, body)
	if by, _ := doc.ID("last_risk_assessment").Attr("aria-describedby"); by != "last_risk_assessment-hint" {
		t.Errorf("the date's control is described by %q, want its note", by)
	}
	if note := doc.ID("last_risk_assessment-hint").Text(); !strings.Contains(note, "仅作记录") || !strings.Contains(note, "年度报告") {
		t.Errorf("the note beside the date says %q; want it to say the date is for the record only and the annual reports count", note)
	}
}
