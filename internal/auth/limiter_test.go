package auth

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestDelaySchedule checks the wait after each failure against the schedule written out by
// hand: five free, then 30 s doubling to a 15-minute ceiling.
func TestDelaySchedule(t *testing.T) {
	for failures, want := range map[int]time.Duration{
		0: 0, 1: 0, 4: 0, 5: 30 * time.Second, 6: time.Minute, 7: 2 * time.Minute, 8: 4 * time.Minute,
		9: 8 * time.Minute, 10: 15 * time.Minute, 11: 15 * time.Minute, 1000: 15 * time.Minute,
	} {
		if got := Delay(failures); got != want {
			t.Errorf("Delay(%d) = %v, want %v", failures, got, want)
		}
	}
}

func fakeLimiter() (*Limiter, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter()
	l.now = func() time.Time { return now }
	return l, &now
}

// TestLimiterReservesParallelAttempts: sixteen attempts at once for one account from one
// address get five reservations; the rest are refused before any password is checked.
func TestLimiterReservesParallelAttempts(t *testing.T) {
	l, now := fakeLimiter()
	var mu sync.Mutex
	var got []*Attempt
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, _, _, _ := l.Reserve("a@x", "10.0.0.1"); a != nil {
				mu.Lock()
				got = append(got, a)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != 5 {
		t.Fatalf("%d of 16 simultaneous attempts reserved, want 5", len(got))
	}
	for _, a := range got {
		a.Fail()
	}
	if a, _, retry, _ := l.Reserve("a@x", "10.0.0.1"); a != nil || retry != 30*time.Second {
		t.Fatalf("after 5 failures: attempt %v, retry %v; want refused for 30s", a != nil, retry)
	}
	// The owner at another address, and another account behind the same address, are not
	// affected.
	for _, c := range [][2]string{{"a@x", "10.0.0.2"}, {"b@x", "10.0.0.1"}} {
		a, slow, _, _ := l.Reserve(c[0], c[1])
		if a == nil || slow != 0 {
			t.Fatalf("%s from %s during the attack: reserved %v, slow %v; want a normal attempt", c[0], c[1], a != nil, slow)
		}
		a.Succeed()
	}
	*now = now.Add(30 * time.Second)
	first, _, _, _ := l.Reserve("a@x", "10.0.0.1")
	if first == nil {
		t.Fatal("after the 30 s delay: still refused")
	}
	if a, _, _, _ := l.Reserve("a@x", "10.0.0.1"); a != nil {
		t.Fatal("past the allowance a second attempt ran alongside the first")
	}
	first.Fail()
	if _, _, retry, _ := l.Reserve("a@x", "10.0.0.1"); retry != time.Minute {
		t.Fatalf("after the 6th failure: retry %v, want 1m", retry)
	}
	*now = now.Add(time.Minute)
	a, _, _, _ := l.Reserve("a@x", "10.0.0.1")
	a.Succeed()
	for i := 0; i < 5; i++ {
		a, _, _, _ := l.Reserve("a@x", "10.0.0.1")
		if a == nil {
			t.Fatalf("after a success, attempt %d refused: the success did not clear the pair", i+1)
		}
		a.Cancel()
	}
}

// TestLimiterCancelDoesNotCount: a reservation given back (the server was busy) neither
// counts as a failure nor holds its place.
func TestLimiterCancelDoesNotCount(t *testing.T) {
	l, _ := fakeLimiter()
	for i := 0; i < 20; i++ {
		a, _, _, _ := l.Reserve("a@x", "10.0.0.1")
		if a == nil {
			t.Fatalf("attempt %d refused after only cancelled ones", i+1)
		}
		a.Cancel()
		a.Fail() // decided already: must do nothing
	}
}

// TestLimiterSlowPath: guessing one account from many addresses, or many accounts from one
// address, puts attempts from new places on the slower path (delayed, one at a time) but
// never refuses them for long, and the owner's usual address is not slowed at all.
func TestLimiterSlowPath(t *testing.T) {
	l, now := fakeLimiter()
	owner, _, _, _ := l.Reserve("a@x", "192.0.2.1")
	owner.Succeed() // the owner's usual address, before the attack
	for i := 0; i < SlowAfter; i++ {
		a, slow, _, _ := l.Reserve("a@x", "10.1.0."+itoa(i))
		if a == nil || slow != 0 {
			t.Fatalf("distributed failure %d: reserved %v slow %v", i+1, a != nil, slow)
		}
		a.Fail()
	}
	first, slow, _, _ := l.Reserve("a@x", "10.9.9.9")
	if first == nil || slow != SlowDelay {
		t.Fatalf("after %d failures from many addresses: reserved %v slow %v, want the slower path", SlowAfter, first != nil, slow)
	}
	if a, _, retry, turn := l.Reserve("a@x", "10.9.9.10"); a != nil || !turn || retry != SlowDelay {
		t.Fatalf("a second new address while one slow check runs: reserved %v, slow turn %v, retry %v; want a wait of %v", a != nil, turn, retry, SlowDelay)
	}
	if a, slow, _, _ := l.Reserve("a@x", "192.0.2.1"); a == nil || slow != 0 {
		t.Fatalf("the owner's known address during the attack: reserved %v slow %v, want a normal attempt", a != nil, slow)
	} else {
		a.Cancel()
	}
	if a, slow, _, _ := l.Reserve("b@x", "10.9.9.10"); a == nil || slow != 0 {
		t.Fatalf("another account is slowed by the attack on a@x: reserved %v slow %v", a != nil, slow)
	} else {
		a.Cancel()
	}
	first.Fail()
	if a, slow, _, _ := l.Reserve("a@x", "10.9.9.10"); a == nil || slow != SlowDelay {
		t.Fatalf("after the running slow check ended: reserved %v slow %v, want the next one", a != nil, slow)
	} else {
		a.Cancel()
	}
	for i := 0; i < AddrSlowAfter; i++ {
		a, _, _, _ := l.Reserve("user"+itoa(i)+"@x", "10.2.0.1")
		a.Fail()
	}
	if a, slow, _, _ := l.Reserve("fresh@x", "10.2.0.1"); a == nil || slow != SlowDelay {
		t.Fatalf("after %d failures from one address: reserved %v slow %v, want the slower path", AddrSlowAfter, a != nil, slow)
	} else {
		a.Cancel()
	}
	*now = now.Add(SlowWindow + time.Second)
	if a, slow, _, _ := l.Reserve("a@x", "10.9.9.8"); a == nil || slow != 0 {
		t.Fatalf("after the window: reserved %v slow %v", a != nil, slow)
	}
}

// TestLimiterIPv6Prefix: addresses of one /64 count as one address.
func TestLimiterIPv6Prefix(t *testing.T) {
	l, _ := fakeLimiter()
	for i := 0; i < FreeFailures; i++ {
		a, _, _, _ := l.Reserve("a@x", "2001:db8::"+itoa(i+1))
		a.Fail()
	}
	if a, _, _, _ := l.Reserve("a@x", "2001:db8::ffff"); a != nil {
		t.Fatal("another address of the same /64 is not delayed")
	}
	if a, _, _, _ := l.Reserve("a@x", "2001:db8:0:1::1"); a == nil {
		t.Fatal("an address of another /64 is delayed")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestHashGate: with one slot and a queue of two, a third waiter is turned away at once,
// the queued ones run as slots free up, and administrators' hashes are never turned away.
func TestHashGate(t *testing.T) {
	g := newHashGate(1, 2)
	ctx := context.Background()
	hold, err := g.acquire(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 3)
	for i := 0; i < 2; i++ {
		go func() {
			rel, err := g.acquire(ctx, true)
			if err == nil {
				rel()
			}
			ran <- err
		}()
	}
	for g.waiting.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	if _, err := g.acquire(ctx, true); !errors.Is(err, ErrBusy) {
		t.Fatalf("third waiter behind a full queue: %v, want ErrBusy", err)
	}
	go func() {
		rel, err := g.acquire(ctx, false)
		if err == nil {
			rel()
		}
		ran <- err
	}()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.acquire(cctx, false); err == nil || errors.Is(err, ErrBusy) {
		t.Fatalf("cancelled wait: %v, want the context's error", err)
	}
	hold()
	for i := 0; i < 3; i++ {
		if err := <-ran; err != nil {
			t.Fatalf("queued check: %v", err)
		}
	}
}
