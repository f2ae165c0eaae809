package data

import (
	"strings"
	"testing"

	"ciiguard/internal/problem"
)

// FuzzParseRuleset: any bytes given as routing rules are refused or give versions with an
// effective date, positive thresholds and a window the router knows — never a panic.
func FuzzParseRuleset(f *testing.F) {
	f.Add(routingYAML)
	f.Add([]byte("versions: [{id: x, in_force: 2024-01-01}]"))
	f.Add([]byte("versions: {"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRuleset(b)
		if err != nil {
			return
		}
		for _, v := range rs.Versions {
			if v.from.IsZero() || v.Assessment.NonSensitive <= 0 || v.Contract.Sensitive <= 0 || (v.Window != "calendar_year" && v.Window != "since_previous_year") {
				t.Fatalf("accepted a version the router cannot use: %+v", v)
			}
		}
	})
}

// FuzzLines: the storage-location fields split into trimmed, non-empty places.
func FuzzLines(f *testing.F) {
	f.Add("北京市，上海市、 新加坡\n,")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range lines(s) {
			if l == "" || l != strings.TrimSpace(l) || strings.ContainsAny(l, "\n,、，") {
				t.Fatalf("lines(%q) gave %q", s, l)
			}
		}
	})
}

// FuzzValidSHA256: a typed-in proof hash is accepted only as 64 lower-case hexadecimal
// digits after normalising, and every such string is accepted — never a panic.
func FuzzValidSHA256(f *testing.F) {
	f.Add(" SHA256:" + strings.Repeat("AB", 32))
	f.Add(strings.Repeat("0", 63) + "g")
	f.Fuzz(func(t *testing.T, s string) {
		sum, ok := validSHA256(s)
		hex := len(sum) == 64 && strings.Trim(sum, "0123456789abcdef") == ""
		if ok != hex {
			t.Fatalf("validSHA256(%q) = %q, %v", s, sum, ok)
		}
	})
}

// FuzzValidPeriod: a review's year is accepted only as four digits from 2000 to 2100, and
// refused with a reason on "period" otherwise — never a panic.
func FuzzValidPeriod(f *testing.F) {
	f.Add("2026")
	f.Add(" 1999")
	f.Add("+202")
	f.Fuzz(func(t *testing.T, s string) {
		v := &problem.Invalid{}
		p := validPeriod(v, s)
		ok := len(p) == 4 && p >= "2000" && p <= "2100" && strings.Trim(p, "0123456789") == ""
		if (v.Err() == nil) != ok || (v.Err() != nil && v.Fields[0].Field != "period") {
			t.Fatalf("validPeriod(%q) = %q, %v", s, p, v.Err())
		}
	})
}
