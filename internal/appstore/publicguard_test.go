package appstore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// FuzzAdmit feeds the public form's challenge and counter fields, which come from anyone:
// the guard never panics, and admits only a challenge for this organisation that carries
// a MAC under its key (recomputed here with crypto/hmac) and whose counter is a proof of
// work. Each fuzzing process makes its own challenges, so the oracle is the MAC, not one
// challenge's text.
func FuzzAdmit(f *testing.F) {
	key := []byte("k")
	g := newPublicGuard(key, func() time.Time { return time.Unix(1_800_000_000, 0) })
	ch, err := g.challenge(7)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ch, solve(ch))
	f.Add("7.1800000000.00.00", "0")
	f.Add("", "")
	f.Add(strings.Repeat(".", 300), "99999999999999999999")
	f.Fuzz(func(t *testing.T, challenge, counter string) {
		if err := g.admit(7, "192.0.2.1", challenge, counter); err != nil {
			return
		}
		g.release(7, "192.0.2.1", challenge)
		i := strings.LastIndex(challenge, ".")
		m := hmac.New(sha256.New, key)
		m.Write([]byte(challenge[:max(i, 0)]))
		if i < 0 || !strings.HasPrefix(challenge, "7.") || challenge[i+1:] != hex.EncodeToString(m.Sum(nil)[:16]) || !solves(challenge, counter) {
			t.Fatalf("admitted %q with counter %q", challenge, counter)
		}
	})
}
