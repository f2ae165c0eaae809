package stix

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shape writes a parsed pattern back in a fully parenthesised form, so that the tests can
// state by hand how each pattern must be read (precedence, qualifiers).
func shape(x ObsExpr) string {
	switch v := x.(type) {
	case *Observation:
		return "[" + cmpShape(v.Cmp) + "]"
	case *ObsOp:
		return "(" + shape(v.L) + " " + v.Op + " " + shape(v.R) + ")"
	case *Qualified:
		switch {
		case v.Within > 0:
			return shape(v.X) + " WITHIN " + v.Within.String()
		case v.Repeats > 0:
			return shape(v.X) + " REPEATS " + strconv.Itoa(v.Repeats)
		default:
			return shape(v.X) + " START " + v.Start.Format(time.RFC3339) + " STOP " + v.Stop.Format(time.RFC3339)
		}
	}
	return "?"
}

func cmpShape(c CmpExpr) string {
	switch v := c.(type) {
	case *CmpOp:
		return "(" + cmpShape(v.L) + " " + v.Op + " " + cmpShape(v.R) + ")"
	case *Comparison:
		not := ""
		if v.Not {
			not = "NOT "
		}
		if v.Op == "EXISTS" {
			return "EXISTS " + v.Path.String()
		}
		if v.Op == "IN" {
			var s []string
			for _, l := range v.Set {
				s = append(s, l.S)
			}
			return v.Path.String() + " " + not + "IN (" + strings.Join(s, ",") + ")"
		}
		return v.Path.String() + " " + not + v.Op + " " + v.Value.S
	}
	return "?"
}

// TestParsePattern: each pattern (the first ones are the specification's examples of
// section 9.9, adapted to the object types we evaluate) with its reading written by hand.
func TestParsePattern(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[ipv4-addr:value = '198.51.100.1/32']`, `[ipv4-addr:value = 198.51.100.1/32]`},
		{`[ipv4-addr:value == '203.0.113.1' OR ipv4-addr:value = '203.0.113.2']`, `[(ipv4-addr:value = 203.0.113.1 OR ipv4-addr:value = 203.0.113.2)]`},
		{`[domain-name:value = 'example.com'] AND [url:value LIKE 'http://%/x']`, `([domain-name:value = example.com] AND [url:value LIKE http://%/x])`},
		{`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`, `[file:hashes.SHA-256 = aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f]`},
		{`[file:hashes.MD5 = 'a' AND file:name = 'x.exe' OR file:size > 10]`, `[((file:hashes.MD5 = a AND file:name = x.exe) OR file:size > 10)]`},
		// Observation operators: AND binds tighter than OR, OR tighter than FOLLOWEDBY.
		{`[url:value = 'a'] FOLLOWEDBY [url:value = 'b'] OR [url:value = 'c'] AND [url:value = 'd']`, `([url:value = a] FOLLOWEDBY ([url:value = b] OR ([url:value = c] AND [url:value = d])))`},
		{`([url:value = 'a'] FOLLOWEDBY [url:value = 'b']) WITHIN 300 SECONDS`, `([url:value = a] FOLLOWEDBY [url:value = b]) WITHIN 5m0s`},
		{`[ipv4-addr:value ISSUBSET '198.51.100.0/24'] REPEATS 5 TIMES WITHIN 1800 SECONDS`, `[ipv4-addr:value ISSUBSET 198.51.100.0/24] REPEATS 5 WITHIN 30m0s`},
		{`[domain-name:value MATCHES '^evil\\.'] START t'2026-01-01T00:00:00Z' STOP t'2026-07-01T00:00:00Z'`, `[domain-name:value MATCHES ^evil\.] START 2026-01-01T00:00:00Z STOP 2026-07-01T00:00:00Z`},
		{`[email-addr:value NOT IN ('a@b.cn', 'c@d.cn')]`, `[email-addr:value NOT IN (a@b.cn,c@d.cn)]`},
		{`[url:value = 'it\'s']`, `[url:value = it's]`},
		{`[EXISTS file:hashes.'SHA-1']`, `[EXISTS file:hashes.SHA-1]`},
		{`[ipv6-addr:value ISSUPERSET '2001:db8::1'] `, `[ipv6-addr:value ISSUPERSET 2001:db8::1]`},
	} {
		p, err := ParsePattern(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := shape(p.Root); got != c.want {
			t.Errorf("%s\n read as %s\n    want %s", c.in, got, c.want)
		}
	}
}

// TestParsePatternErrors: each refusal names the 1-based character position, counted by
// hand under the pattern.
func TestParsePatternErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		pos  int
		says string
	}{
		{`[ipv4-addr:value = '1.2.3.4'`, 29, `expected "]"`},
		{`[process:name = 'x']`, 2, `object type "process" is not supported`},
		{`[ipv4-addr:resolves_to_refs[*] = 'x']`, 12, `property ipv4-addr:resolves_to_refs is not supported`},
		{`[file:hashes = 'x']`, 7, `needs an algorithm`},
		{`[url:value ~ 'x']`, 12, `unexpected character`},
		{`[url:value = 'x'] WITHIN -5 SECONDS`, 26, `WITHIN needs a positive number`},
		//123456789012345678901234567
		{`[url:value = 'x'] REPEATS 2`, 28, `expected TIMES`},
		{`[url:value = 'x'] START t'2026-02-01T00:00:00Z' STOP t'2026-01-01T00:00:00Z'`, 49, `STOP must be later`},
		{`[url:value MATCHES '(?<=a)b']`, 20, `regular expression not supported`},
		{`[url:value ISSUBSET '10.0.0.0/8']`, 2, `applies to ipv4-addr and ipv6-addr`},
		{`[ipv4-addr:value ISSUBSET 'ten']`, 27, `not an address or CIDR`},
		{`[ipv4-addr:value = '1' AND url:value = 'x']`, 1, `must be about one object type`},
		{`[url:value = 'x'] XOR [url:value = 'y']`, 19, `unexpected "XOR"`},
		{`[url:value = 'x`, 14, `unterminated string`},
		{`[url:value = 'a\b']`, 16, `backslash`},
		{`[域名:value = 'x']`, 2, `unexpected character`},
		{`[url:value = 'x'] AND`, 22, `expected an observation`},
		{``, 1, `expected an observation`},
		{strings.Repeat("(", 100) + `[url:value = 'x']` + strings.Repeat(")", 100), 66, `nested deeper`},
	} {
		_, err := ParsePattern(c.in)
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a PatternError", c.in, err)
			continue
		}
		if pe.Pos != c.pos || !strings.Contains(pe.Msg, c.says) {
			t.Errorf("%q: %v, want position %d saying %q", c.in, err, c.pos, c.says)
		}
	}
}

func obs(at string, kv ...string) Observed {
	ts, _ := time.Parse(time.RFC3339, at)
	o := Observed{Time: ts}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Add(kv[i], kv[i+1])
	}
	return o
}

// TestMatchOne: each comparison operator against one event's observables.
func TestMatchOne(t *testing.T) {
	ev := obs("2026-03-01T00:00:00Z",
		"ipv4-addr:value", "198.51.100.7", "ipv6-addr:value", "2001:db8::1",
		"domain-name:value", "c2.evil.example", "url:value", "http://c2.evil.example/gate.php?id=7",
		"email-addr:value", "boss@phish.example", "file:hashes.SHA-256", "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f")
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{`[ipv4-addr:value = '198.51.100.7']`, true},
		{`[ipv4-addr:value = '198.51.100.8']`, false},
		{`[ipv4-addr:value = '198.51.100.7/32']`, true},
		{`[ipv4-addr:value != '198.51.100.7']`, false},
		{`[ipv4-addr:value NOT = '198.51.100.8']`, true},
		{`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, true},
		{`[ipv4-addr:value ISSUBSET '198.51.101.0/24']`, false},
		{`[ipv6-addr:value = '2001:0db8:0000::0001']`, true},
		{`[ipv6-addr:value ISSUBSET '2001:db8::/32']`, true},
		{`[domain-name:value = 'C2.EVIL.example']`, true},
		{`[domain-name:value IN ('a.example', 'c2.evil.example')]`, true},
		{`[domain-name:value LIKE '%.evil.example']`, true},
		{`[domain-name:value LIKE 'evil.example']`, false},
		{`[url:value MATCHES 'gate\\.php']`, true},
		{`[url:value LIKE 'http://c2.evil.example/gate.php?id=_']`, true},
		{`[email-addr:value = 'boss@phish.example']`, true},
		{`[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']`, true},
		{`[file:hashes.MD5 = 'aec070645fe53ee3b3763059376134f0']`, false},
		{`[EXISTS file:hashes.'SHA-256']`, true},
		{`[ipv4-addr:value = '198.51.100.7' AND ipv4-addr:value ISSUBSET '10.0.0.0/8']`, false},
		{`[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value ISSUBSET '198.51.0.0/16']`, true},
		{`[url:value = 'x'] OR [ipv4-addr:value = '198.51.100.7']`, true},
	} {
		p, err := ParsePattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := p.MatchOne(&ev); got != c.want {
			t.Errorf("%s: matched %v, want %v", c.pattern, got, c.want)
		}
	}
}

// TestMatchQualifiers: the whole pattern over a sequence of events.
func TestMatchQualifiers(t *testing.T) {
	evs := []Observed{
		obs("2026-03-01T10:00:00Z", "url:value", "a"),
		obs("2026-03-01T10:04:00Z", "url:value", "b"),
		obs("2026-03-01T10:20:00Z", "url:value", "a"),
		obs("2026-03-01T10:30:00Z", "url:value", "a"),
	}
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{`[url:value = 'a'] FOLLOWEDBY [url:value = 'b']`, true},
		{`[url:value = 'b'] FOLLOWEDBY [url:value = 'a']`, true},
		{`([url:value = 'a'] FOLLOWEDBY [url:value = 'b']) WITHIN 300 SECONDS`, true},
		{`([url:value = 'a'] FOLLOWEDBY [url:value = 'b']) WITHIN 200 SECONDS`, false},
		{`([url:value = 'b'] FOLLOWEDBY [url:value = 'a']) WITHIN 600 SECONDS`, false},
		{`[url:value = 'a'] AND [url:value = 'c']`, false},
		{`[url:value = 'a'] REPEATS 3 TIMES`, true},
		{`[url:value = 'a'] REPEATS 4 TIMES`, false},
		{`[url:value = 'a'] REPEATS 2 TIMES WITHIN 600 SECONDS`, true},
		{`[url:value = 'a'] REPEATS 3 TIMES WITHIN 600 SECONDS`, false},
		{`[url:value = 'b'] START t'2026-03-01T10:00:00Z' STOP t'2026-03-01T10:04:00Z'`, false},
		{`[url:value = 'b'] START t'2026-03-01T10:04:00Z' STOP t'2026-03-01T10:05:00Z'`, true},
	} {
		p, err := ParsePattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := p.Match(evs); got != c.want {
			t.Errorf("%s: matched %v, want %v", c.pattern, got, c.want)
		}
	}
}

// TestObserveText: the observables found in real-looking log lines.
func TestObserveText(t *testing.T) {
	for _, c := range []struct {
		line string
		want map[string]string // path → one value that must be found
		not  map[string]string // path → a value that must not be
	}{
		{`<164>Mar  1 10:00:00 fw1 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4431 dst inside:10.20.0.5/443`,
			map[string]string{"ipv4-addr:value": "198.51.100.7"}, map[string]string{"ipv4-addr:value": "999.1.1.1", "ipv6-addr:value": "10:00:00"}},
		{`proxy GET http://C2.Evil.example:8080/gate.php?id=7 from 10.1.1.1`,
			map[string]string{"url:value": "http://C2.Evil.example:8080/gate.php?id=7", "domain-name:value": "c2.evil.example"}, nil},
		{`mail from boss@phish.example rejected`, map[string]string{"email-addr:value": "boss@phish.example", "domain-name:value": "phish.example"}, nil},
		{`av: quarantined sha256=AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F`,
			map[string]string{"file:hashes.SHA-256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}, nil},
		{`ids alert 2001:db8::1 -> fe80::1`, map[string]string{"ipv6-addr:value": "2001:db8::1"}, nil},
		{`version 1.2.3.4.5 build`, nil, map[string]string{"domain-name:value": "1.2.3.4.5"}},
	} {
		o := ObserveText(c.line, time.Time{})
		for k, v := range c.want {
			if !contains(o.Values[k], v) {
				t.Errorf("%q: %s has %v, want %s", c.line, k, o.Values[k], v)
			}
		}
		for k, v := range c.not {
			if contains(o.Values[k], v) {
				t.Errorf("%q: %s wrongly found %s", c.line, k, v)
			}
		}
	}
}

// FuzzParsePattern: no input makes the parser panic or loop, and every refusal is a
// PatternError inside the input.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		`[ipv4-addr:value = '198.51.100.1/32']`,
		`[file:hashes.'SHA-256' = 'aa' AND file:size > 10] FOLLOWEDBY [url:value LIKE 'x%'] WITHIN 5 SECONDS`,
		`([domain-name:value MATCHES '^a'] OR [email-addr:value IN ('a', 'b')]) REPEATS 2 TIMES START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'`,
		`[ipv6-addr:value NOT ISSUBSET '2001:db8::/32']`, `[url:value = 'it\'s']`, `[`, `'`, `t'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || pe.Pos < 1 || pe.Pos > len([]rune(s))+1 {
				t.Fatalf("%q: error %v is not a PatternError inside the input", s, err)
			}
			return
		}
		ev := ObserveText(s, time.Time{})
		p.MatchOne(&ev)
		p.Match([]Observed{ev, ev})
		p.Terms()
	})
}
