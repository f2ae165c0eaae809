package oversight_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDeidentificationNotice, on both engines: re-identification (CIIR 2021 Art. 11) may
// conclude that a system is no longer CII, and the department says so by a notice of its
// own. The analyst identifies two of the water company's systems, then de-identifies them
// one at a time; the registry entry keeps the systems the department's notices leave
// identified (a hand-kept list), is no longer identified after the second, and is
// identified again — from the new notice's date — by a later identification. The operator
// reads each copy with its kind and finds its systems de-identified in its own inventory
// (scope's API) with the notice's date and number. Refused, each a 400 naming its field:
// an unknown kind, a de-identification of a system the department never identified, or
// dated before the notice that identified it, or with no system left identified.
func TestDeidentificationNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		water := env.Login(t, "security@water.demo")
		ids := map[string]int64{}
		for _, name := range []string{"供水调度系统", "水质监测系统"} {
			var sys struct{ ID int64 }
			code, body := call(t, water, "POST", "/api/v1/scope/systems", map[string]any{"name": name, "sector": "water", "mlps_level": 3, "graded_on": "2025-01-02"}, &sys)
			mustStatus(t, "create "+name, code, http.StatusCreated, body)
			ids[name] = sys.ID
		}
		reg := env.Login(t, "analyst@regulator.demo")
		entryID := strconv.FormatInt(entryNamed(t, reg, "示例水务有限公司"), 10)
		bj := time.Now().In(calendar.Shanghai)
		twoMonths, oneMonth, today := bj.AddDate(0, -2, 0).Format(time.DateOnly), bj.AddDate(0, -1, 0).Format(time.DateOnly), bj.Format(time.DateOnly)
		send := func(kind, ref, on string, systems ...string) (int, string) {
			t.Helper()
			return call(t, reg, "POST", "/api/v1/oversight/registry/"+entryID+"/notices", map[string]any{"kind": kind, "ref": ref, "issued_on": on,
				"basis": "《关键信息基础设施安全保护条例》第十一条", "systems": systems}, nil)
		}
		type regEntry struct {
			Identified        bool     `json:"identified"`
			IdentifiedOn      string   `json:"identified_on"`
			IdentifiedSystems []string `json:"identified_systems"`
			Annual            string   `json:"annual"`
		}
		check := func(what string, identified bool, on string, systems ...string) {
			t.Helper()
			var e regEntry
			code, body := call(t, reg, "GET", "/api/v1/oversight/registry/"+entryID, nil, &e)
			mustStatus(t, what, code, http.StatusOK, body)
			if e.Identified != identified || e.IdentifiedOn != on || !slices.Equal(e.IdentifiedSystems, systems) {
				t.Errorf("%s: the entry is identified %v on %q with %v; want %v on %q with %v", what, e.Identified, e.IdentifiedOn, e.IdentifiedSystems, identified, on, systems)
			}
			if !identified && e.Annual != "" {
				t.Errorf("%s: the annual report clock %q runs for an entry no longer identified", what, e.Annual)
			}
		}
		system := func(name string) (status, on, doc string) {
			t.Helper()
			var s struct {
				CIIStatus           string `json:"cii_status"`
				DeidentifiedOn      string `json:"deidentified_on"`
				DeidentificationDoc string `json:"deidentification_doc"`
			}
			code, body := call(t, water, "GET", "/api/v1/scope/systems/"+strconv.FormatInt(ids[name], 10), nil, &s)
			mustStatus(t, "the operator's system", code, http.StatusOK, body)
			return s.CIIStatus, s.DeidentifiedOn, s.DeidentificationDoc
		}
		type copyOf struct {
			Kind    string `json:"kind"`
			Ref     string `json:"ref"`
			Applied []struct {
				Name   string `json:"name"`
				Result string `json:"result"`
			} `json:"applied"`
		}
		latestCopy := func() copyOf {
			t.Helper()
			var got struct {
				Notices []copyOf `json:"notices"`
			}
			code, body := call(t, water, "GET", "/api/v1/filings/notices", nil, &got)
			mustStatus(t, "the operator's notices", code, http.StatusOK, body)
			if len(got.Notices) == 0 {
				t.Fatal("the operator has no notice")
			}
			return got.Notices[0]
		}

		code, body := send("", "示水认〔2026〕1号", twoMonths, "供水调度系统", "水质监测系统")
		mustStatus(t, "identify (no kind given)", code, http.StatusCreated, body)
		check("after the identification", true, twoMonths, "供水调度系统", "水质监测系统")
		if c := latestCopy(); c.Kind != "identification" {
			t.Errorf("the operator's copy of the identification: kind %q", c.Kind)
		}

		for _, c := range []struct {
			what, kind, on, field string
			systems               []string
		}{
			{"an unknown kind", "revocation", oneMonth, "kind", []string{"水质监测系统"}},
			{"a system the department never identified", "deidentification", oneMonth, "systems", []string{"水质监测系统", "不存在的系统"}},
			{"dated before the identification", "deidentification", bj.AddDate(0, -3, 0).Format(time.DateOnly), "issued_on", []string{"水质监测系统"}},
		} {
			code, body := send(c.kind, "示水撤〔2026〕9号", c.on, c.systems...)
			if code != http.StatusBadRequest || !strings.Contains(body, `"`+c.field+`"`) {
				t.Errorf("%s: %d %s; want 400 on %s", c.what, code, body, c.field)
			}
		}

		code, body = send("deidentification", "示水撤〔2026〕1号", oneMonth, "水质监测系统")
		mustStatus(t, "de-identify one system", code, http.StatusCreated, body)
		check("after the first de-identification", true, twoMonths, "供水调度系统")
		if c := latestCopy(); c.Kind != "deidentification" || c.Ref != "示水撤〔2026〕1号" || len(c.Applied) != 1 || c.Applied[0].Result != "de_identified" {
			t.Errorf("the operator's copy of the de-identification: %+v; want de_identified", c)
		}
		if st, on, doc := system("水质监测系统"); st != "deidentified" || on != oneMonth || doc != "示水撤〔2026〕1号" {
			t.Errorf("the operator's system after the de-identification: %s on %s by %s", st, on, doc)
		}
		if st, _, _ := system("供水调度系统"); st != "identified" {
			t.Errorf("the other system: %s; want still identified", st)
		}
		if _, page := reg.Do("GET", "/oversight/registry/"+entryID, nil, map[string]string{"Accept-Language": "zh-CN"}); !strings.Contains(page, `<td id="entry-identified-systems">供水调度系统</td>`) ||
			!strings.Contains(page, "撤销认定通知") {
			t.Errorf("the entry's page does not show the one system left identified and the de-identification notice")
		}
		_, page := water.Do("GET", "/filings", nil, map[string]string{"Accept-Language": "zh-CN"})
		if !strings.Contains(page, "撤销认定通知") || !strings.Contains(page, "示水撤〔2026〕1号") {
			t.Errorf("the operator's filings page does not show the de-identification notice")
		}

		code, body = send("deidentification", "示水撤〔2026〕2号", today, "供水调度系统")
		mustStatus(t, "de-identify the last system", code, http.StatusCreated, body)
		check("after the second de-identification", false, "")
		if code, body := send("deidentification", "示水撤〔2026〕3号", today, "供水调度系统"); code != http.StatusBadRequest || !strings.Contains(body, "nothing to de-identify") {
			t.Errorf("a de-identification with nothing identified: %d %s; want 400 on systems", code, body)
		}
		var notIdentified registry
		call(t, reg, "GET", "/api/v1/oversight/registry?identified=no&q=%E6%B0%B4%E5%8A%A1", nil, &notIdentified)
		if len(notIdentified.Entries) != 1 {
			t.Errorf("the registry filtered to entries not identified lists %d water companies; want 1", len(notIdentified.Entries))
		}

		code, body = send("identification", "示水认〔2026〕2号", today, "供水调度系统")
		mustStatus(t, "identify again", code, http.StatusCreated, body)
		check("identified again", true, today, "供水调度系统")
		if c := latestCopy(); len(c.Applied) != 1 || c.Applied[0].Result != "re_identified" {
			t.Errorf("the operator's copy of the new identification: %+v; want re_identified", c)
		}
	})
}
