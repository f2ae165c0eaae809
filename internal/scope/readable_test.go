package scope_test

import (
	"net/url"
	"strings"
	"testing"

	"ciiguard/internal/store"
)

// TestScopePagesReadable checks what issue 10 asks of numbers, sizes and names on the
// inventory's pages against figures written by hand, not produced by the code under test:
//   - the demo profile's 8,600,000 people whose personal information it holds and 120,000
//     with sensitive information read 860万 / 12万 in Chinese and 8,600,000 / 120,000 in
//     English (item 14: "numbers have separators (8,600,000 / 860万)");
//   - the import page states its 1 MiB limit in MiB, not as 1048576 bytes (item 14: "sizes
//     are shown in MiB");
//   - the dashboard card's line about a pending re-identification names the system with a
//     link to its page (item 8: "every place that names a system links to it").
func TestScopePagesReadable(t *testing.T) {
	e := start(t, store.SQLite)
	c := e.Login(t, "admin@op.test")
	cases := []struct {
		lang, path string
		want       []string
		not        []string
	}{
		{"zh-CN", "/scope/profile", []string{"<td>860万</td>", "<td>12万</td>"}, []string{"8600000", "120000"}},
		{"en", "/scope/profile", []string{"<td>8,600,000</td>", "<td>120,000</td>"}, []string{"8600000", "120000"}},
		{"zh-CN", "/scope/import", []string{"最大 1.0 MiB"}, []string{"1048576"}},
		{"en", "/scope/import", []string{"at most 1.0 MiB"}, []string{"1048576"}},
		{"zh-CN", "/", []string{`<a href="/scope/systems/3">变电站综合自动化监控系统</a>：重大变化后应于`}, nil},
		{"en", "/", []string{`<a href="/scope/systems/3">Substation monitoring system</a>: re-identification due by`}, nil},
	}
	for _, cs := range cases {
		c.Do("POST", "/lang", url.Values{"lang": {cs.lang}}, nil)
		res, body := c.Do("GET", cs.path, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s (%s): %d", cs.path, cs.lang, res.StatusCode)
		}
		for _, w := range cs.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s (%s) lacks %q", cs.path, cs.lang, w)
			}
		}
		for _, n := range cs.not {
			if strings.Contains(body, n) {
				t.Errorf("%s (%s) still shows %q", cs.path, cs.lang, n)
			}
		}
	}
}
