package vulns_test

import (
	"testing"

	"ciiguard/internal/kernel"
	"ciiguard/internal/vulns"
)

// TestVersionRanges holds the range matching to a hand-written table: which product
// versions each advisory's range names, worked by reading the range, not by running the code.
func TestVersionRanges(t *testing.T) {
	cases := []struct {
		rng string
		in  []string
		out []string
	}{
		{"< 7.2.3", []string{"7.2.2", "7.2", "7", "6.9.9", "7.2.3-rc1"}, []string{"7.2.3", "7.2.10", "7.10", "8.0", "NE8000-X8"}},
		{"<=7.2.3", []string{"7.2.3", "7.2.3.0", "v7.2.1"}, []string{"7.2.4", "7.2.3.1"}},
		{">= 1.0, < 2.0", []string{"1.0", "1.0.0", "1.9.99", "1.10"}, []string{"0.9", "2.0", "2.0.0", "1.0-beta"}},
		{">=1.0 <2.0", []string{"1.5"}, []string{"2.1"}},
		{"> 3.6", []string{"3.6.1", "3.7", "10.0"}, []string{"3.6", "3.6.0", "3.5.9"}},
		{"vers:generic/>=2.0|<2.4.1", []string{"2.0", "2.4.0", "2.4"}, []string{"1.9", "2.4.1", "2.5"}},
		{"vers:generic/<1.0|>=2.0|<3.0", []string{"0.9", "2.0", "2.9.9"}, []string{"1.0", "1.5", "3.0"}},
		{"vers:generic/>=5.0", []string{"5.0", "12.1"}, []string{"4.9.9"}},
		{"vers:generic/=3.6|=4.0", []string{"3.6", "4.0.0"}, []string{"3.7", "4.1"}},
		{"4.1 及以下版本", []string{"4.1", "4.0.5", "3.0"}, []string{"4.1.1", "4.2"}},
		{"3.0以下", []string{"2.9"}, []string{"3.0", "3.0.0"}},
		{"2.0 及以上", []string{"2.0", "2.1"}, []string{"1.9"}},
	}
	for _, c := range cases {
		r, ok := vulns.ParseVersionRange(c.rng)
		if !ok {
			t.Errorf("%q is not read as a range", c.rng)
			continue
		}
		for _, v := range c.in {
			if !r.Contains(v) {
				t.Errorf("%q should contain %q", c.rng, v)
			}
		}
		for _, v := range c.out {
			if r.Contains(v) {
				t.Errorf("%q should not contain %q", c.rng, v)
			}
		}
	}
	for _, s := range []string{"", "7.2.3", "S7-1500", "<", ">= ", "< abc", "vers:generic", "vers:generic/<2.0|<3.0", "vers:generic/>=1.0|>=2.0", "!= 1.0", "及以下", "最新版以下"} {
		if _, ok := vulns.ParseVersionRange(s); ok {
			t.Errorf("%q is read as a range", s)
		}
	}
	// Through Matches: a record of the product inside the range matches, one outside or of
	// another product does not, and a plain version is still compared as written.
	fw := kernel.ProductRef{Name: "下一代防火墙", Version: "6.4"}
	for _, c := range []struct {
		name, version string
		want          bool
	}{
		{"下一代 防火墙", "< 6.5", true}, {"下一代防火墙", "<6.4", false}, {"下一代防火墙", "6.4 及以下版本", true},
		{"下一代防火墙", "6.4", true}, {"下一代防火墙", "6.40", false}, {"入侵检测系统", "< 10", false}, {"下一代防火墙", "", true},
	} {
		if got := vulns.Matches(fw, c.name, c.version); got != c.want {
			t.Errorf("Matches(6.4, %q, %q) = %v, want %v", c.name, c.version, got, c.want)
		}
	}
}

// FuzzVersionRange: any text is read without a panic, and a range read is asked about any
// version without one.
func FuzzVersionRange(f *testing.F) {
	for _, s := range []string{"< 7.2.3", ">=1.0, <2.0", "vers:generic/>=2.0|<2.4.1", "4.1 及以下版本", "1.0-rc1", "99999999999999999999999"} {
		f.Add(s, "7.2.2")
	}
	f.Fuzz(func(t *testing.T, rng, v string) {
		if r, ok := vulns.ParseVersionRange(rng); ok {
			r.Contains(v)
		}
	})
}
