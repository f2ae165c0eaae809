package stix

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzHasHexRun: the skipping search agrees with a regular expression on every text.
func FuzzHasHexRun(f *testing.F) {
	for _, s := range []string{"", "d41d8cd98f00b204e9800998ecf8427e", "x d41d8cd98f00b204e9800998ecf8427 y", "g" + strings.Repeat("a", 31) + "-" + strings.Repeat("b", 33)} {
		f.Add(s)
	}
	re := regexp.MustCompile(`[0-9a-fA-F]{32}`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasHexRun(s, 32), re.MatchString(s); got != want {
			t.Fatalf("hasHexRun(%q) = %v, want %v", s, got, want)
		}
	})
}
