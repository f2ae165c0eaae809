package obligations_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/htmltest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

var countRe = regexp.MustCompile(`[0-9][0-9,]*`)

// listedIDs reads every page of a findings list (following its "next" links) and returns
// the duty id and status cell of each row, and the count the page states.
func listedIDs(t *testing.T, c *apptest.Client, path string) (ids, statuses []string, stated int) {
	t.Helper()
	for path != "" {
		res, body := c.Do("GET", path, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		doc := htmltest.Parse(t, body)
		n, _ := strconv.Atoi(strings.ReplaceAll(countRe.FindString(doc.ID("result-count").Text()), ",", ""))
		stated = n
		for _, tr := range doc.ID("findings").All("tr", nil) {
			tds := tr.All("td", nil)
			if len(tds) < 6 {
				continue
			}
			ids = append(ids, tds[1].All("div", nil)[0].Text())
			statuses = append(statuses, tds[0].Text())
		}
		path = ""
		for _, a := range doc.Root().All("a", func(n htmltest.Node) bool { v, _ := n.Attr("rel"); return v == "next" }) {
			path, _ = a.Attr("href")
		}
	}
	return ids, statuses, stated
}

// TestDashboardNumbersLinkToTheirList follows every number of the dashboard's posture and
// overdue card to the findings list, in Chinese, and counts the rows there: each list is
// as long as the number that links to it, over every page.
func TestDashboardNumbersLinkToTheirList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		zh(t, c)
		waitEvaluated(t, c)
		_, body := c.Do("GET", "/", nil, nil)
		doc := htmltest.Parse(t, body)
		var links []htmltest.Link
		links = append(links, doc.ID("posture-counts").Links()...)
		for _, h := range doc.ID("overdue").All("h2", nil) {
			links = append(links, h.Links()...)
		}
		for _, h := range doc.ID("overdue").All("h3", nil) {
			links = append(links, h.Links()...)
		}
		links = append(links, doc.ID("by-capability").Links()...)
		if len(links) < 6 {
			t.Fatalf("the dashboard has %d counted links: %v", len(links), links)
		}
		checked := 0
		for _, l := range links {
			if !strings.HasPrefix(l.Href, "/findings?") {
				continue
			}
			nums := countRe.FindAllString(l.Text, -1)
			if len(nums) == 0 {
				continue
			}
			m := nums[len(nums)-1] // the count follows the label ("30 天内到期 4")
			want, _ := strconv.Atoi(strings.ReplaceAll(m, ",", ""))
			// Pages of 50: the larger lists still span many pages (of 7 before, at
			// seven times the requests).
			ids, statuses, stated := listedIDs(t, c, l.Href+"&per_page=50")
			if len(ids) != want || stated != want {
				t.Errorf("%q links to %s: %d rows, the list says %d, the dashboard %d", l.Text, l.Href, len(ids), stated, want)
			}
			if strings.Contains(l.Href, "status=overdue") {
				for _, s := range statuses {
					if s != "已逾期" {
						t.Errorf("the overdue list shows %q", s)
					}
				}
			}
			checked++
		}
		if checked < 6 {
			t.Errorf("only %d dashboard numbers were links to the list", checked)
		}
		// The overdue card's heading is the full count and leads to all of them.
		if a := doc.ID("overdue").All("h2", nil)[0].Links(); len(a) != 1 || a[0].Href != "/findings?status=overdue" {
			t.Errorf("overdue heading links %v", a)
		}
	})
}

// TestFindingsFilters checks each filter of the list on a system whose findings are
// worked out by hand from the texts: graded at level 3 340 days ago and never filed, the
// filing (MLPS 2007 Art. 15: within 30 days) is overdue; the yearly level test (Art. 14)
// and the yearly self-inspection fall due in 25 days.
func TestFindingsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		zh(t, c)
		bj := time.FixedZone("CST", 8*3600)
		graded := time.Now().In(bj).AddDate(0, 0, -340)
		id := createSystem(t, c, fmt.Sprintf(`{"name":"筛选测试系统","owner":"信息部","responsible_person":"王五","sector":"energy","mlps_level":3,"graded_on":%q,"go_live":%q,"cii_status":"none"}`,
			graded.Format("2006-01-02"), graded.Format("2006-01-02")))
		waitEvaluated(t, c)
		sys := strconv.FormatInt(id, 10)
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"system=" + sys + "&status=overdue", []string{"MLPS07-FILING-30-DAYS"}},
			{"system=" + sys + "&due=30", []string{"MLPS07-SELF-INSPECTION", "MLPS07-TEST-LEVEL3-YEARLY"}},
			{"system=" + sys + "&due=90", []string{"MLPS07-SELF-INSPECTION", "MLPS07-TEST-LEVEL3-YEARLY"}},
			{"system=" + sys + "&due=30-90", nil},
			// The telecom filing duty has the same words in its id; it does not apply here.
			{"system=" + sys + "&status=all&q=filing-30", []string{"MLPS07-FILING-30-DAYS", "TELSEC10-FILING-30-DAYS"}},
			{"system=" + sys + "&status=not_applicable&q=filing-30", []string{"TELSEC10-FILING-30-DAYS"}},
			{"system=" + sys + "&q=" + url.QueryEscape("备案"), []string{"MLPS07-FILING-30-DAYS"}},
			{"system=" + sys + "&status=overdue&instrument=CSL", nil},
			{"system=" + sys + "&status=overdue&instrument=MLPS07", []string{"MLPS07-FILING-30-DAYS"}},
			{"system=" + sys + "&status=overdue&area=vault", nil},
		} {
			ids, _, stated := listedIDs(t, c, "/findings?"+tc.query)
			sort.Strings(ids)
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") || stated != len(tc.want) {
				t.Errorf("%s: %v (stated %d), want %v", tc.query, ids, stated, tc.want)
			}
		}
		// Sorted by due date: no date before an earlier one, findings without a date last.
		res, body := c.Do("GET", "/findings?status=all&sort=due&per_page=500", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("sorted list: %d", res.StatusCode)
		}
		var dates []string
		for _, row := range htmltest.Parse(t, body).ID("findings").Rows() {
			dates = append(dates, row[4])
		}
		for i := 1; i < len(dates); i++ {
			if dates[i] != "" && (dates[i-1] == "" || dates[i] < dates[i-1]) {
				t.Fatalf("by due date, %q comes after %q", dates[i], dates[i-1])
			}
		}
		// Pages: every finding once, none twice. Pages of 40 (of 9 before: the same
		// check at a quarter of the requests, half of this test's time) over at least
		// three pages.
		all, _, stated := listedIDs(t, c, "/findings?status=all&sort=duty&per_page=40")
		seen := map[string]int{}
		for _, x := range all {
			seen[x]++
		}
		if len(all) != stated || stated <= 80 {
			t.Errorf("paged through %d rows, the list says %d (want more than two pages of 40)", len(all), stated)
		}
		for x, n := range seen {
			if n > 1 && x != "" {
				// One duty has one row per subject, so a duty id repeats; a repeated
				// (duty, page position) would not: compare with the unpaged list instead.
				break
			}
		}
		one, _, _ := listedIDs(t, c, "/findings?status=all&sort=duty&per_page=500")
		if strings.Join(one, ",") != strings.Join(all, ",") {
			t.Error("the pages of 40 do not hold the same rows, in order, as one page of 500")
		}
		// Bad filters are refused by name, on the page and on the API.
		res, body = c.Do("GET", "/findings?status=bogus&due=7", nil, nil)
		doc := htmltest.Parse(t, body)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad filter page: %d", res.StatusCode)
		}
		for _, f := range []string{"status", "due"} {
			if v, _ := doc.ID(f).Attr("aria-invalid"); v != "true" {
				t.Errorf("the bad %s filter is not marked", f)
			}
		}
		res, body = c.Do("GET", "/api/v1/findings?due=7&sort=x", nil, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"due"`) || !strings.Contains(body, `"field":"sort"`) {
			t.Errorf("bad API filter: %d %s", res.StatusCode, body)
		}
		// The API: the same filter, paged.
		var page struct {
			Findings []struct {
				ObligationID string `json:"obligation_id"`
			} `json:"findings"`
			Total int    `json:"total"`
			Next  string `json:"next"`
		}
		_, body = c.Do("GET", "/api/v1/findings?system="+sys+"&due=30&limit=1", nil, nil)
		if err := json.Unmarshal([]byte(body), &page); err != nil || page.Total != 2 || len(page.Findings) != 1 || page.Next == "" {
			t.Fatalf("API page 1: %v %s", err, body)
		}
		first := page.Findings[0].ObligationID
		next := page.Next
		page.Next, page.Findings = "", nil
		_, body = c.Do("GET", "/api/v1/findings?system="+sys+"&due=30&limit=1&cursor="+next, nil, nil)
		if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Findings) != 1 || page.Next != "" {
			t.Fatalf("API page 2: %v %s", err, body)
		}
		if got := []string{first, page.Findings[0].ObligationID}; strings.Join(got, ",") != "MLPS07-SELF-INSPECTION,MLPS07-TEST-LEVEL3-YEARLY" && strings.Join(got, ",") != "MLPS07-TEST-LEVEL3-YEARLY,MLPS07-SELF-INSPECTION" {
			t.Errorf("API pages hold %v", got)
		}
	})
}

// TestFindingsExports reads the CSV (encoding/csv) and the XLSX (excelize) exports of a
// filtered list back and compares them with the rows written out by hand, in Chinese;
// the print view lists the same rows; another organisation exports only its own.
func TestFindingsExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, "security@grid.demo")
		zh(t, c)
		bj := time.FixedZone("CST", 8*3600)
		graded := time.Now().In(bj).AddDate(0, 0, -60)
		id := createSystem(t, c, fmt.Sprintf(`{"name":"导出测试系统","owner":"信息部","responsible_person":"王五","sector":"energy","mlps_level":2,"graded_on":%q,"go_live":%q,"cii_status":"none"}`,
			graded.Format("2006-01-02"), graded.Format("2006-01-02")))
		waitEvaluated(t, c)
		q := fmt.Sprintf("system=%d&status=overdue", id)
		// MLPS 2007 Art. 15: filed within 30 days of grading; the fine is the 2025 CSL's
		// Art. 61(1) for an operator not fulfilling the MLPS duty, 10,000 to 50,000 yuan.
		want := [][]string{
			{"状态", "义务编号", "义务", "对象", "原因", "到期日", "罚则条款", "罚款下限（元）", "罚款上限（元）"},
			{"已逾期", "MLPS07-FILING-30-DAYS", "二级以上系统在定级或投入运行后30日内备案", "导出测试系统", "*备案*", graded.AddDate(0, 0, 30).Format("2006-01-02"), "*第六十一条*", "10000", "50000"},
		}
		match := func(kind string, got [][]string) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %d rows, want %d: %q", kind, len(got), len(want), got)
			}
			for i := range want {
				if len(got[i]) != len(want[i]) {
					t.Fatalf("%s row %d: %q", kind, i, got[i])
				}
				for j, w := range want[i] {
					ok := got[i][j] == w
					if strings.HasPrefix(w, "*") {
						ok = strings.Contains(got[i][j], strings.Trim(w, "*"))
					}
					if !ok {
						t.Errorf("%s row %d column %q: %q, want %q", kind, i, want[0][j], got[i][j], w)
					}
				}
			}
		}
		res, body := c.Do("GET", "/findings.csv?"+q, nil, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatalf("read csv: %v", err)
		}
		match("csv", recs)

		res, body = c.Do("GET", "/findings.xlsx?"+q, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("xlsx: %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("open xlsx: %v", err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "核查结果" {
			t.Errorf("sheets %q", sheets)
		}
		rows, err := f.GetRows("核查结果")
		if err != nil {
			t.Fatalf("read xlsx: %v", err)
		}
		match("xlsx", rows)
		if typ, err := f.GetCellType("核查结果", "I2"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("the fine is not a number in the sheet: %v %v", typ, err)
		}

		res, body = c.Do("GET", "/findings/print?"+q, nil, nil)
		doc := htmltest.Parse(t, body)
		if res.StatusCode != 200 || doc.ID("findings").Rows() == nil || len(doc.ID("findings").Rows()) != 1 || doc.Title() != "核查结果 · ciiguard" {
			t.Errorf("print view: %d %q %q", res.StatusCode, doc.Title(), doc.ID("findings").Rows())
		}
		if len(doc.Root().All("nav", nil)) != 0 {
			t.Error("the print view has the navigation")
		}

		// Another organisation's user who may read findings exports none of these.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		_, body = other.Do("GET", "/findings.csv?status=all", nil, nil)
		if strings.Contains(body, "导出测试系统") {
			t.Error("another organisation's export holds this organisation's system")
		}
		if res, _ := other.Do("GET", "/findings.csv?"+q, nil, nil); res.StatusCode != 200 {
			t.Errorf("another organisation filtering by this system: %d", res.StatusCode)
		}
	})
}
