package auth

import (
	"net"
	"sync"
	"time"
)

// Sign-in throttling. Failures are counted per pair of account and remote address: after
// FreeFailures, each further attempt from that address for that account must wait a delay
// that doubles with every failure, from FirstDelay up to MaxDelay. Because the count is per
// pair, an attacker's failures from one address do not delay the account's owner at another
// address, nor other users behind the attacker's address (a NAT).
//
// Guessing spread over many addresses, or one address trying many accounts, is met with a
// slower path instead of a block: once an account (or an address) has SlowAfter failures
// within SlowWindow, attempts for it from addresses it has not signed in from before run
// one at a time, each waiting SlowDelay before its password is checked, so however many
// machines guess, that account gets at most one guess per SlowDelay. An address the
// account signed in from within KnownFor skips the slower path: the owner at a usual place
// is not slowed by someone else's guessing.
const (
	FreeFailures   = 5
	FirstDelay     = 30 * time.Second
	MaxDelay       = 15 * time.Minute
	ForgetAfter    = 24 * time.Hour // a pair's count is dropped after this long without a failure
	SlowAfter      = 20
	AddrSlowAfter  = 100 // one address, many accounts: higher, for the many users behind a NAT
	SlowWindow     = 15 * time.Minute
	SlowDelay      = 2 * time.Second
	KnownFor       = 30 * 24 * time.Hour // how long a successful sign-in makes its pair known
	maxLimiterKeys = 200_000             // beyond this, pairs not failing lately are dropped early
)

// Delay returns how long an address must wait after its failures-th failure for an
// account before it may try that account again.
func Delay(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	d := FirstDelay
	for i := FreeFailures; i < failures && d < MaxDelay; i++ {
		d *= 2
	}
	return min(d, MaxDelay)
}

// Limiter holds the sign-in counters. It is per process: several nodes each enforce it,
// which multiplies the allowance by the node count but still stops online guessing.
type Limiter struct {
	mu        sync.Mutex
	pairs     map[pairKey]*pairState
	accounts  map[string][]time.Time // recent failures per account, oldest first, at most SlowAfter
	addresses map[string][]time.Time // the same per address, at most AddrSlowAfter
	known     map[pairKey]time.Time  // the latest successful sign-in of each pair
	slowHeld  map[string]bool        // "a:"+account or "r:"+address with a slow-path check in flight
	lastSweep time.Time
	now       func() time.Time
}

type pairKey struct{ account, addr string }

type pairState struct {
	failures int       // counted failures
	inFlight int       // attempts reserved and not yet decided
	last     time.Time // the latest failure
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{pairs: map[pairKey]*pairState{}, accounts: map[string][]time.Time{}, addresses: map[string][]time.Time{},
		known: map[pairKey]time.Time{}, slowHeld: map[string]bool{}, now: time.Now}
}

// addrKey groups an IPv6 address by its /64, which one subscriber usually holds whole; an
// IPv4 address (or anything unparsable) counts on its own.
func addrKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// Attempt is a reserved sign-in attempt. Exactly one of Fail, Succeed or Cancel decides it;
// later calls do nothing.
type Attempt struct {
	l    *Limiter
	key  pairKey
	held []string // slow-path keys this attempt holds
	done bool
}

// ErrSlowPath is the reason given when an attempt on the slower path must wait for the
// one already running for its account or address.
const ErrSlowPath = "this account or address is on the slower path after many failed sign-ins; try again in a few seconds"

// Reserve reserves an attempt for account from addr before its password is checked, so
// that attempts running at the same time count against the allowance together. It returns
// the attempt and how long to hold it before checking (the slower path), or nil, how long
// the caller must wait before trying again, and whether that is the slower path's turn
// (another attempt on it is running) rather than the pair's own delay.
func (l *Limiter) Reserve(account, addr string) (a *Attempt, slow, retry time.Duration, slowTurn bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	k := pairKey{account, addrKey(addr)}
	p := l.pairs[k]
	if p == nil {
		p = &pairState{}
		l.pairs[k] = p
	}
	if p.failures+p.inFlight >= FreeFailures {
		// Past the free allowance one attempt at a time, and only once the delay earned by
		// the failures so far has passed.
		next := p.last.Add(Delay(p.failures))
		if p.inFlight > 0 {
			return nil, 0, Delay(p.failures + p.inFlight), false
		}
		if now.Before(next) {
			return nil, 0, next.Sub(now), false
		}
	}
	a = &Attempt{l: l, key: k}
	if at, ok := l.known[k]; !ok || now.Sub(at) > KnownFor {
		if len(recent(l.accounts[account], now)) >= SlowAfter {
			a.held = append(a.held, "a:"+account)
		}
		if len(recent(l.addresses[k.addr], now)) >= AddrSlowAfter {
			a.held = append(a.held, "r:"+k.addr)
		}
		for _, h := range a.held {
			if l.slowHeld[h] {
				return nil, 0, SlowDelay, true
			}
		}
		for _, h := range a.held {
			l.slowHeld[h] = true
		}
		if len(a.held) > 0 {
			slow = SlowDelay
		}
	}
	p.inFlight++
	return a, slow, 0, false
}

// recent returns the timestamps inside the slow window.
func recent(ts []time.Time, now time.Time) []time.Time {
	cut := now.Add(-SlowWindow)
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	return ts[i:]
}

// push appends t to a window kept at most max long.
func push(ts []time.Time, t time.Time, max int) []time.Time {
	ts = append(ts, t)
	if len(ts) > max {
		ts = append(ts[:0:0], ts[len(ts)-max:]...)
	}
	return ts
}

func (a *Attempt) finish(fn func(p *pairState, now time.Time)) {
	if a == nil || a.done {
		return
	}
	a.done = true
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pairs[a.key]
	if p == nil { // swept: cannot happen while in flight, but never panic
		p = &pairState{inFlight: 1}
		l.pairs[a.key] = p
	}
	p.inFlight--
	for _, h := range a.held {
		delete(l.slowHeld, h)
	}
	fn(p, l.now())
	if p.failures == 0 && p.inFlight == 0 {
		delete(l.pairs, a.key)
	}
}

// Fail counts the attempt as a failure.
func (a *Attempt) Fail() {
	a.finish(func(p *pairState, now time.Time) {
		p.failures++
		p.last = now
		a.l.accounts[a.key.account] = push(recent(a.l.accounts[a.key.account], now), now, SlowAfter)
		a.l.addresses[a.key.addr] = push(recent(a.l.addresses[a.key.addr], now), now, AddrSlowAfter)
	})
}

// Succeed clears the pair's failures and remembers the pair as known: the owner signed
// in from this address. Failures from other addresses stay counted against their own pairs.
func (a *Attempt) Succeed() {
	a.finish(func(p *pairState, now time.Time) {
		p.failures = 0
		a.l.known[a.key] = now
	})
}

// Cancel gives the reservation back without counting it, for an attempt whose password
// was never checked (the server was busy or the store failed).
func (a *Attempt) Cancel() {
	a.finish(func(*pairState, time.Time) {})
}

// sweep drops state nobody needs any more, at most once a minute, or at once when the
// maps have grown past maxLimiterKeys (an address spraying accounts).
func (l *Limiter) sweep(now time.Time) {
	big := len(l.pairs) > maxLimiterKeys || len(l.accounts) > maxLimiterKeys || len(l.addresses) > maxLimiterKeys || len(l.known) > maxLimiterKeys
	if !big && now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	forget := ForgetAfter
	if big {
		forget = MaxDelay // keep only pairs whose delay may still be running
	}
	for k, p := range l.pairs {
		if p.inFlight == 0 && now.Sub(p.last) > forget {
			delete(l.pairs, k)
		}
	}
	for k, at := range l.known {
		if now.Sub(at) > KnownFor || (big && len(l.known) > maxLimiterKeys && now.Sub(at) > time.Hour) {
			delete(l.known, k)
		}
	}
	for _, m := range []map[string][]time.Time{l.accounts, l.addresses} {
		for k, ts := range m {
			if len(recent(ts, now)) == 0 {
				delete(m, k)
			}
		}
	}
}
