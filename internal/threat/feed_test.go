package threat

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/stix"
)

var feedNow = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

// TestParseFeed: each feed's items and refused lines, against a table written by hand (the
// line numbers counted in the literals, the patterns written from STIX 2.1 §9).
func TestParseFeed(t *testing.T) {
	cases := []struct {
		name, format, feed string
		items              []string // "line kind pattern"
		bad                []int    // lines refused
	}{
		{"list", FormatList, "# C2 list\n198.51.100.23\n\n203.0.113.0/24\nEvil.Example.\n" + strings.Repeat("a", 64) + "\nhttp://x.example/gate.php\nnot an indicator\n198.51.100.23\nboss@phish.example\n2001:db8::1\n",
			[]string{
				"2 ipv4-addr [ipv4-addr:value = '198.51.100.23']",
				"4 ipv4-addr [ipv4-addr:value ISSUBSET '203.0.113.0/24']",
				"5 domain-name [domain-name:value = 'evil.example']",
				"6 sha256 [file:hashes.'SHA-256' = '" + strings.Repeat("a", 64) + "']",
				"7 url [url:value = 'http://x.example/gate.php']",
				"10 email-addr [email-addr:value = 'boss@phish.example']",
				"11 ipv6-addr [ipv6-addr:value = '2001:db8::1']",
			}, []int{8, 9}},
		{"csv", FormatCSV, "value,type,confidence,valid_until\n198.51.100.7,ipv4-addr,80,2027-01-31\nevil.example,,,\n10.0.0.1,domain-name,,\n192.0.2.1,ipv4,101,\n192.0.2.2,ipv4,,2026-01-01\n192.0.2.3,ipv4,,tomorrow\nd41d8cd98f00b204e9800998ecf8427e,md5\n\"a,b\",url,,\n1,2,3,4,5\n",
			[]string{
				"2 ipv4-addr [ipv4-addr:value = '198.51.100.7']",
				"3 domain-name [domain-name:value = 'evil.example']",
				"8 md5 [file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
			}, []int{4, 5, 6, 7, 9, 10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseFeed(tc.format, strings.NewReader(tc.feed), feedNow)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.Items {
				got = append(got, strings.Join([]string{itoa(it.Line), it.Kind, it.Pattern}, " "))
				if _, err := stix.ParsePattern(it.Pattern); err != nil {
					t.Errorf("line %d: pattern %q does not parse: %v", it.Line, it.Pattern, err)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.items, "\n") {
				t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.items, "\n"))
			}
			var bad []int
			for _, pr := range p.Problems {
				bad = append(bad, pr.Line)
				if pr.Reason == "" {
					t.Errorf("line %d refused without a reason", pr.Line)
				}
			}
			if itoas(bad) != itoas(tc.bad) {
				t.Errorf("bad lines %v (%v), want %v", bad, p.Problems, tc.bad)
			}
		})
	}
	// valid_until of the CSV's line 2 is the end of 31 January 2027 in China.
	p, _ := ParseFeed(FormatCSV, strings.NewReader("198.51.100.7,ipv4-addr,80,2027-01-31\n"), feedNow)
	if u := p.Items[0].ValidUntil; u == nil || !u.Equal(time.Date(2027, 1, 31, 16, 0, 0, 0, time.UTC)) || *p.Items[0].Confidence != 80 {
		t.Errorf("valid_until %v confidence %v; want 2027-01-31T16:00Z and 80", u, p.Items[0].Confidence)
	}
}

// TestParseBundle: a bundle's indicators are kept as they came; an expired one, a pattern
// the engine cannot match and a non-STIX pattern are refused by object number.
func TestParseBundle(t *testing.T) {
	ind := func(id, pattern, ptype, until string) string {
		s := `{"type":"indicator","spec_version":"2.1","id":"indicator--` + id + `","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","pattern":` +
			strconv.Quote(pattern) + `,"pattern_type":"` + ptype + `","valid_from":"2026-11-01T00:00:00Z"`
		if until != "" {
			s += `,"valid_until":"` + until + `"`
		}
		return s + `}`
	}
	b := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` +
		`{"type":"identity","spec_version":"2.1","id":"identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"CNCERT"},` +
		ind("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd30", "[ipv4-addr:value = '198.51.100.23']", "stix", "") + "," +
		ind("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd31", "[ipv4-addr:value = '198.51.100.24']", "stix", "2026-11-30T00:00:00Z") + "," +
		ind("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd32", "[process:name = 'x']", "stix", "") + "," +
		ind("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd33", "alert tcp any any", "snort", "") + `]}`
	p, err := ParseFeed(FormatSTIX, strings.NewReader(b), feedNow)
	if err != nil {
		t.Fatal(err)
	}
	if p.Lines != 5 || len(p.Items) != 1 || p.Items[0].Line != 2 || !strings.Contains(p.Items[0].STIX, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd30") {
		t.Fatalf("items %+v of %d objects; want object 2 only", p.Items, p.Lines)
	}
	if got := itoas(linesOf(p.Problems)); got != itoas([]int{3, 4, 5}) {
		t.Fatalf("refused %v, want objects 3, 4, 5", p.Problems)
	}
}

func linesOf(ps []Problem) []int {
	var out []int
	for _, p := range ps {
		out = append(out, p.Line)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func itoas(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, itoa(n))
	}
	return strings.Join(parts, ",")
}

// FuzzParseCSV: any bytes read as a CSV feed give items whose patterns parse and refusals
// that name a line, or an error; never a panic.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"value,type,confidence,valid_until\n198.51.100.7,ipv4-addr,80,2027-01-31\n", "\"a\nb\",url\n", "x,,,,,\n", "1.2.3.4/33,cidr\n", "a@b.c,email,-1,\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFeed(t, FormatCSV, s) })
}

// FuzzParseList: the same for plain lists.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{"198.51.100.23\nevil.example\n", "# c\n\n::ffff:1.2.3.4\n", "http://\n", strings.Repeat("f", 64) + "\n", "xn--fiqs8s.example\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFeed(t, FormatList, s) })
}

func checkFeed(t *testing.T, format, s string) {
	p, err := ParseFeed(format, strings.NewReader(s), feedNow)
	if err != nil {
		return
	}
	for _, it := range p.Items {
		if _, err := stix.ParsePattern(it.Pattern); err != nil {
			t.Fatalf("line %d value %q: pattern %q does not parse: %v", it.Line, it.Value, it.Pattern, err)
		}
		if it.Line < 1 || it.Line > p.Lines {
			t.Fatalf("item line %d of %d", it.Line, p.Lines)
		}
	}
	for _, pr := range p.Problems {
		if pr.Line < 1 || pr.Reason == "" {
			t.Fatalf("refusal %+v names no line or reason", pr)
		}
	}
}

// BenchmarkParseCSV100k reads a CSV feed of 100,000 indicators (the most one import takes):
// 60% IPv4 addresses, 30% domains, 10% SHA-256 hashes, each with a confidence and a
// valid_until.
func BenchmarkParseCSV100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("value,type,confidence,valid_until\n")
	for i := range MaxFeedItems {
		switch {
		case i%10 < 6:
			sb.WriteString("10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255) + ",ipv4-addr,80,2027-06-30\n")
		case i%10 < 9:
			sb.WriteString("host" + strconv.Itoa(i) + ".bad.example,domain-name,60,2027-06-30\n")
		default:
			sb.WriteString(strings.Repeat("0", 56) + strconv.FormatInt(int64(0x10000000+i), 16) + ",sha256,90,\n")
		}
	}
	feed := sb.String()
	b.SetBytes(int64(len(feed)))
	b.ResetTimer()
	for range b.N {
		p, err := ParseFeed(FormatCSV, strings.NewReader(feed), feedNow)
		if err != nil || len(p.Items) != MaxFeedItems {
			b.Fatalf("%v: %d items, %d problems", err, len(p.Items), len(p.Problems))
		}
	}
}
