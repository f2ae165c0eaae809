package people_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestImportAttendanceInChinese uploads attendance files on the people page in Chinese and
// through the API, on both engines. A file with three bad rows is refused whole: the page
// (400) names each line and column in Chinese (第 3 行，“学时”列：…) and nothing is written;
// the API names them as "line N: column". A good file with Chinese headers records the
// attendance, creates the missing course and adds the hours to the people's year; a role
// without people.hr cannot import (403).
func TestImportAttendanceInChinese(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		if res, _ := sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/people"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		upload := func(c *apptest.Client, file string) (int, string) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("_csrf", c.CSRF)
			fw, _ := mw.CreateFormFile("file", "培训签到.csv")
			_, _ = fw.Write([]byte(file))
			_ = mw.Close()
			res, body := c.Do("POST", "/people/import", nil, map[string]string{"Content-Type": mw.FormDataContentType()}, buf.String())
			return res.StatusCode, html.UnescapeString(body)
		}
		courses := func() int {
			_, body := sm.Do("GET", "/api/v1/people", nil, nil)
			var s struct{ Courses []json.RawMessage }
			if err := json.Unmarshal([]byte(body), &s); err != nil {
				t.Fatal(err)
			}
			return len(s.Courses)
		}
		n0 := courses()
		hours := func() map[string]float64 {
			_, body := sm.Do("GET", "/api/v1/people/persons", nil, nil)
			var s struct {
				Persons []struct {
					Name string  `json:"name"`
					This float64 `json:"training_hours_this_year"`
					Last float64 `json:"training_hours_last_year"`
				}
			}
			if err := json.Unmarshal([]byte(body), &s); err != nil {
				t.Fatal(err)
			}
			out := map[string]float64{}
			for _, p := range s.Persons {
				out[p.Name] = p.This + p.Last
			}
			return out
		}
		h0 := hours()

		bad := "工号,课程名称,培训日期,学时\nGD-0215,密码应用安全培训,2026-09-01,4\nGD-0216,密码应用安全培训,2026-09-01,4.25\nGD-9999,密码应用安全培训,2026-13-01,4\n"
		code, page := upload(sm, bad)
		if code != http.StatusBadRequest {
			t.Fatalf("a bad file: %d, want 400", code)
		}
		for _, want := range []string{"文件未导入", "第 3 行，“学时”列：须为学时数，最多一位小数，如 8 或 1.5，而不是 \"4.25\"", "第 4 行，“培训日期”列："} {
			if !strings.Contains(page, want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		if n := courses(); n != n0 {
			t.Errorf("a refused file wrote courses: %d, was %d", n, n0)
		}
		// The person check comes once the values are valid: an unknown number is named too.
		code, page = upload(sm, "工号,课程名称,培训日期,学时\nGD-9999,密码应用安全培训,2026-09-01,4\n")
		if code != http.StatusBadRequest || !strings.Contains(page, "第 2 行，“工号”列：与本单位已登记的人员均不匹配") {
			t.Errorf("an unknown employee number: %d", code)
		}

		res, body := sm.Do("POST", "/api/v1/people/attendance/import", nil, map[string]string{"X-CSRF-Token": sm.CSRF, "Content-Type": "text/csv"}, bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"line 3: hours"`) || !strings.Contains(body, `"line 4: held_on"`) {
			t.Errorf("the API's refusal: %d %s", res.StatusCode, body)
		}

		good := "\uFEFF工号,姓名,课程名称,培训日期,学时,培训机构\nGD-0215,赵晓东,密码应用安全培训,2026-09-01,4\n,钱雨婷,密码应用安全培训,2026-09-01,3.5\n"
		if code, _ := upload(sm, good); code != http.StatusSeeOther {
			t.Errorf("a good file: %d, want 303 back to the page", code)
		}
		if _, page := sm.Do("GET", "/people", nil, nil); !strings.Contains(page, "已导入 2 条参训记录，新建课程 1 个。") {
			t.Errorf("the page after the import does not say what was imported")
		}
		h1 := hours()
		if h1["赵晓东"]-h0["赵晓东"] != 4 || h1["钱雨婷"]-h0["钱雨婷"] != 3.5 || h1["孙志刚"] != h0["孙志刚"] {
			t.Errorf("hours before %v, after %v: want +4 for 赵晓东, +3.5 for 钱雨婷, nothing else", h0, h1)
		}
		if n := courses(); n != n0+1 {
			t.Errorf("courses after the import: %d, want %d", n, n0+1)
		}

		// A form with bad input: 400, the field and reason in Chinese, nothing written.
		res, body = sm.Do("POST", "/people/persons/"+"1/vettings", url.Values{"checked_on": {"2026-02-30"}, "result": {"passed"}}, nil)
		if body = html.UnescapeString(body); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "应为 YYYY-MM-DD 格式的日期，而不是 \"2026-02-30\"") {
			t.Errorf("a bad check date on the form: %d", res.StatusCode)
		}

		analyst := env.Login(t, "analyst@grid.demo")
		if code, _ := upload(analyst, good); code != http.StatusForbidden {
			t.Errorf("the analyst's import: %d, want 403", code)
		}
	})
}
