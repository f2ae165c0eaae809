package appstore

import (
	"strings"
	"testing"
	"time"
)

// FuzzAdmit feeds the public form's challenge and counter fields, which come from anyone:
// the guard never panics, and admits nothing it did not sign for this organisation.
func FuzzAdmit(f *testing.F) {
	g := newPublicGuard([]byte("k"), func() time.Time { return time.Unix(1_800_000_000, 0) })
	ch, err := g.challenge(7)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ch, solve(ch))
	f.Add("7.1800000000.00.00", "0")
	f.Add("", "")
	f.Add(strings.Repeat(".", 300), "99999999999999999999")
	f.Fuzz(func(t *testing.T, challenge, counter string) {
		if err := g.admit(7, "192.0.2.1", challenge, counter); err == nil {
			if challenge != ch {
				t.Fatalf("admitted a challenge it did not issue: %q", challenge)
			}
			g.release(7, "192.0.2.1", challenge)
		}
	})
}
