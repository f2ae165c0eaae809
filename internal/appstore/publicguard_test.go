package appstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// FuzzAdmit feeds the public form's challenge and counter fields, which come from anyone,
// to the guard's check: it never panics, and accepts only a challenge for this
// organisation that carries a MAC under its key (recomputed here with crypto/hmac) and
// whose counter is a proof of work. The oracle is the MAC, not one challenge's text.
func FuzzAdmit(f *testing.F) {
	key := []byte("k")
	now := time.Unix(1_800_000_000, 0)
	body := "7.1800000000.000102030405060708090a0b"
	ch := body + "." + macOf(key, body)
	f.Add(ch, solve(ch))
	f.Add("7.1800000000.00.00", "0")
	f.Add("", "")
	f.Add(strings.Repeat(".", 300), "99999999999999999999")
	f.Fuzz(func(t *testing.T, challenge, counter string) {
		if _, err := verify(key, now, 7, challenge, counter); err != nil {
			return
		}
		i := strings.LastIndex(challenge, ".")
		m := hmac.New(sha256.New, key)
		m.Write([]byte(challenge[:max(i, 0)]))
		if i < 0 || !strings.HasPrefix(challenge, "7.") || challenge[i+1:] != hex.EncodeToString(m.Sum(nil)[:16]) || !solves(challenge, counter) {
			t.Fatalf("admitted %q with counter %q", challenge, counter)
		}
	})
}

// TestPublicGuardSharedAcrossProcesses stands two guards on one records store, as two
// processes behind a balancer or one process before and after a restart: a challenge the
// first signed is admitted by the second (the key is the installation's), a challenge the
// second spent is refused by the first, and the hour's five complaints from one address
// are counted across both — the sixth, wherever it lands, is 429 with Retry-After; a
// released submission is given back. On both engines. Shown failing with the key per
// process, as it was before the store kept it: "second process: challenge of the first:
// … is not a check this form issued".
func TestPublicGuardSharedAcrossProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		migs := append(append([]store.Migration{}, auth.Migrations...), Migrations...)
		db := storetest.Open(t, d, migs)
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		a, b := newPublicGuard(db, now), newPublicGuard(db, now)
		const org, ip = 7, "192.0.2.10"
		issue := func(g *publicGuard) string {
			t.Helper()
			ch, err := g.challenge(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			return ch
		}
		ch := issue(a)
		if _, err := b.admit(ctx, org, ip, ch, solve(ch)); err != nil {
			t.Fatalf("second process: challenge of the first: %v", err)
		}
		if _, err := a.admit(ctx, org, ip, ch, solve(ch)); !refusedOn(err, "challenge") {
			t.Fatalf("first process: a challenge the second spent: %v, want refused on challenge", err)
		}
		// A released submission gives its challenge and its count back.
		ch = issue(b)
		hit, err := a.admit(ctx, org, ip, ch, solve(ch))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.release(ctx, ch, hit); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < perIPPerHour-1; i++ { // four more: five in the hour with the first
			g := []*publicGuard{a, b}[i%2]
			ch := issue(g)
			clock = clock.Add(time.Minute)
			if _, err := []*publicGuard{b, a}[i%2].admit(ctx, org, ip, ch, solve(ch)); err != nil {
				t.Fatalf("complaint %d: %v", i+2, err)
			}
		}
		ch = issue(a)
		_, err = b.admit(ctx, org, ip, ch, solve(ch))
		var tm *problem.TooMany
		if !errors.As(err, &tm) || tm.RetryAfter < 1 || tm.RetryAfter > 3600 {
			t.Fatalf("sixth complaint in the hour across both processes: %v, want 429 with Retry-After", err)
		}
		// Another address is not held back, and an hour after the first the address may send again.
		if _, err := a.admit(ctx, org, "192.0.2.11", ch, solve(ch)); err != nil {
			t.Fatalf("another address: %v", err)
		}
		clock = clock.Add(time.Hour)
		ch = issue(b)
		if _, err := a.admit(ctx, org, ip, ch, solve(ch)); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
}

// refusedOn reports whether err is a validation problem naming field.
func refusedOn(err error, field string) bool {
	iv, ok := problem.As[*problem.Invalid](err)
	if !ok {
		return false
	}
	for _, f := range iv.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestPublicGuardConcurrentFromOneAddress sends twelve complaints from one address at the
// same instant, each with its own solved challenge: exactly perIPPerHour (5) are admitted
// and the other seven are 429, on both engines. On PostgreSQL's READ COMMITTED each
// transaction counted the hour's submissions before any other had committed, so all of
// them saw fewer than five — the test failed there before the guard locked the address's
// row first: "12 concurrent submissions from one address: 12 admitted, want 5".
func TestPublicGuardConcurrentFromOneAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		migs := append(append([]store.Migration{}, auth.Migrations...), Migrations...)
		db := storetest.Open(t, d, migs)
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		g := newPublicGuard(db, func() time.Time { return clock })
		const org, ip, n = 7, "198.51.100.7", 12
		type form struct{ ch, counter string }
		forms := make([]form, n)
		for i := range forms {
			ch, err := g.challenge(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			forms[i] = form{ch, solve(ch)}
		}
		var (
			wg             sync.WaitGroup
			start          = make(chan struct{})
			mu             sync.Mutex
			admitted, busy int
			others         []error
		)
		for _, f := range forms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := g.admit(ctx, org, ip, f.ch, f.counter)
				mu.Lock()
				defer mu.Unlock()
				var tm *problem.TooMany
				switch {
				case err == nil:
					admitted++
				case errors.As(err, &tm):
					busy++
				default:
					others = append(others, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(others) > 0 {
			t.Fatalf("unexpected refusals: %v", others)
		}
		if admitted != perIPPerHour || busy != n-perIPPerHour {
			t.Fatalf("%d concurrent submissions from one address: %d admitted, %d refused with 429, want %d and %d", n, admitted, busy, perIPPerHour, n-perIPPerHour)
		}
	})
}
