package appstore_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
)

// TestRefusedAppStoreFormsMarked: on the demo store, in Chinese, each hand-written control
// of the app and platform pages, refused, comes back on its page with that control
// aria-invalid and described by its reason (the reasons' Chinese as the message files give
// them), and the like-named control of another form on the page is not marked: a review's
// decision, a take-down's reinstatement reason, a certificate's blacklist reason, a
// document's retirement reason, a blacklist entry's lift reason, the malicious-app list's
// and the blacklist's kind.
func TestRefusedAppStoreFormsMarked(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "admin@appstore.demo")
	c.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
	var apps struct {
		Apps []struct{ ID int64 }
	}
	api(t, c, "GET", "/api/v1/appstore/apps", "", 200, &apps)
	var pendingVersion, takedown, certApp, certVersion int64
	var cert string
	for _, a := range apps.Apps {
		var one struct {
			Versions []struct {
				ID         int64
				Decision   string
				CertSHA256 string `json:"cert_sha256"`
			}
			Takedowns []struct{ ID int64 }
		}
		api(t, c, "GET", "/api/v1/appstore/apps/"+itoa(a.ID), "", 200, &one)
		for _, v := range one.Versions {
			switch {
			case v.Decision == "pending" && pendingVersion == 0:
				pendingVersion = v.ID
			case v.Decision == "approved" && v.CertSHA256 != "" && certVersion == 0:
				certApp, certVersion, cert = a.ID, v.ID, v.CertSHA256
			}
		}
		if len(one.Takedowns) > 0 && takedown == 0 {
			takedown = one.Takedowns[0].ID
		}
	}
	if pendingVersion == 0 || takedown == 0 || certVersion == 0 {
		t.Fatalf("the demo lacks a pending version (%d), a take-down (%d) or a version with a certificate (%d)", pendingVersion, takedown, certVersion)
	}
	var platform struct{ Documents []struct{ ID int64 } }
	api(t, c, "GET", "/api/v1/appstore/platform", "", 200, &platform)
	_, page := c.Do("GET", "/appstore", nil, nil)
	lift := regexp.MustCompile(`/appstore/blacklist/([0-9]+)/lift`).FindStringSubmatch(page)
	if len(platform.Documents) == 0 || lift == nil {
		t.Fatal("the demo platform page offers no document or no blacklist entry to lift")
	}
	doc := itoa(platform.Documents[0].ID)

	for _, f := range []struct {
		name, path string
		form       url.Values
		control    string
		want       string
		unmarked   string // a like-named control of another form on the page
	}{
		{"review decision", "/appstore/versions/" + itoa(pendingVersion) + "/review", url.Values{"decision": {"maybe"}},
			"decision-select-" + itoa(pendingVersion), "须为", ""},
		{"reinstatement reason", "/appstore/takedowns/" + itoa(takedown) + "/reinstate", url.Values{"reason": {""}},
			"reinstate-reason-" + itoa(takedown), "必填", "reason"},
		{"certificate blacklist reason", "/appstore/blacklist", url.Values{"kind": {"certificate"}, "value": {cert}, "back": {"/appstore/apps/" + itoa(certApp)}, "reason": {""}},
			"cert-reason-" + itoa(certVersion), "必填", "reason"},
		{"document retirement reason", "/appstore/documents/" + doc + "/retire", url.Values{"reason": {""}},
			"retire-reason-" + doc, "必填", "bl-reason"},
		{"blacklist lift reason", "/appstore/blacklist/" + lift[1] + "/lift", url.Values{"reason": {""}},
			"lift-reason-" + lift[1], "必填", "bl-reason"},
		{"malicious-app list kind", "/appstore/malware", url.Values{"kind": {"file"}, "value": {"x"}, "label": {"x"}, "source": {"x"}},
			"mal-kind", "须为", "doc-kind"},
		{"blacklist kind", "/appstore/blacklist", url.Values{"kind": {"file"}, "value": {"x"}, "reason": {"x"}},
			"bl-kind", "须为", "mal-kind"},
	} {
		res, body := c.Do("POST", f.path, f.form, nil)
		if res.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", f.name, res.StatusCode)
			continue
		}
		d := htmltest.Parse(t, body)
		if reason, ok := d.Refusal(f.control); !ok || !strings.Contains(reason, f.want) {
			t.Errorf("%s: %s refused=%v, reason %q, want one saying %q", f.name, f.control, ok, reason, f.want)
		}
		if f.unmarked != "" {
			if _, ok := d.Refusal(f.unmarked); ok {
				t.Errorf("%s: the other form's %s is marked too", f.name, f.unmarked)
			}
		}
	}
}
