package auth

import (
	"sync"
	"time"
)

// Sign-in limits: after this many failures within the window, further attempts for the
// account (or from the address) are refused until the window has passed.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	FailureWindow         = 15 * time.Minute
)

// Limiter counts failed sign-ins per account and per remote address. It is per process:
// several nodes each enforce it, which multiplies the allowance by the node count but
// still stops online guessing.
type Limiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
	now   func() time.Time
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{fails: map[string][]time.Time{}, now: time.Now}
}

func (l *Limiter) recent(key string) []time.Time {
	cut := l.now().Add(-FailureWindow)
	ts := l.fails[key]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = ts
	}
	return ts
}

// Check returns how long to wait before another attempt, or 0 when one is allowed.
func (l *Limiter) Check(account, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range []struct {
		key string
		max int
	}{{"a:" + account, MaxFailuresPerAccount}, {"r:" + addr, MaxFailuresPerAddress}} {
		ts := l.recent(k.key)
		if len(ts) >= k.max {
			if w := ts[len(ts)-k.max].Add(FailureWindow).Sub(l.now()); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// Fail records a failed attempt.
func (l *Limiter) Fail(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails["a:"+account] = append(l.recent("a:"+account), now)
	l.fails["r:"+addr] = append(l.recent("r:"+addr), now)
}

// Succeed clears an account's failures after a correct password.
func (l *Limiter) Succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
}
