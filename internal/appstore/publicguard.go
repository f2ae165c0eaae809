package appstore

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/problem"
)

// The public complaint form is open to anyone, so it is guarded without a CAPTCHA:
//
//   - a proof of work: the form carries a challenge the server signed (the organisation,
//     the time it was issued, a random nonce); the browser searches for a counter whose
//     SHA-256 over challenge and counter starts with powBits zero bits (about 65,000
//     hashes, well under a second in a browser, 65,000 times the cost of checking), and
//     each challenge is accepted once, within challengeTTL;
//   - per-address limits: perIPPerHour complaints from one remote address, and
//     perOrgPerHour to one organisation from everyone, so that many addresses together
//     cannot bury a platform's complaint desk either.
//
// Everything is in memory: a restart forgets the counts and invalidates open forms, which
// errs on the side of the user.
const (
	powBits       = 16
	challengeTTL  = 30 * time.Minute
	perIPPerHour  = 5
	perOrgPerHour = 200
	// publicMaxBody bounds the public form's request.
	publicMaxBody = 32 << 10
)

// publicGuard keeps the signing key, the challenges used and the recent submissions.
type publicGuard struct {
	key []byte
	now func() time.Time

	mu    sync.Mutex
	used  map[string]time.Time   // challenge → when it expires
	byIP  map[string][]time.Time // remote address → accepted submissions in the last hour
	byOrg map[int64][]time.Time
}

func newPublicGuard(key []byte, now func() time.Time) *publicGuard {
	if now == nil {
		now = time.Now
	}
	return &publicGuard{key: key, now: now, used: map[string]time.Time{}, byIP: map[string][]time.Time{}, byOrg: map[int64][]time.Time{}}
}

// challenge issues a signed challenge for org: "org.unix.nonce.mac".
func (g *publicGuard) challenge(org int64) (string, error) {
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("challenge nonce: %w", err)
	}
	body := fmt.Sprintf("%d.%d.%s", org, g.now().Unix(), hex.EncodeToString(nonce))
	return body + "." + g.mac(body), nil
}

func (g *publicGuard) mac(body string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// leadingZeroBits counts the zero bits at the start of h.
func leadingZeroBits(h [32]byte) int {
	n := 0
	for i := 0; i < len(h); i += 8 {
		z := bits.LeadingZeros64(binary.BigEndian.Uint64(h[i:]))
		n += z
		if z < 64 {
			break
		}
	}
	return n
}

// solves reports whether counter is a proof of work for challenge.
func solves(challenge, counter string) bool {
	return leadingZeroBits(sha256.Sum256([]byte(challenge+":"+counter))) >= powBits
}

// solve finds a counter for challenge (tests and scripts that post the form).
func solve(challenge string) string {
	for i := 0; ; i++ {
		c := strconv.Itoa(i)
		if solves(challenge, c) {
			return c
		}
	}
}

// admit checks a submission to org from ip and, when it passes, spends its challenge and
// counts it. A refused one costs nothing, so a user whose form expired can try again.
// A refusal is a problem naming the field "challenge" (400, the form is shown again) or a
// problem.TooMany (429 with Retry-After).
func (g *publicGuard) admit(org int64, ip, challenge, counter string) error {
	now := g.now()
	parts := strings.Split(challenge, ".")
	if len(challenge) > 200 || len(parts) != 4 || !hmac.Equal([]byte(g.mac(strings.Join(parts[:3], "."))), []byte(parts[3])) || parts[0] != strconv.FormatInt(org, 10) {
		return problem.Field("challenge", "is not a check this form issued: reload the form")
	}
	issued, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Sub(time.Unix(issued, 0)) > challengeTTL || time.Unix(issued, 0).After(now.Add(time.Minute)) {
		return problem.Field("challenge", "has expired: reload the form")
	}
	if len(counter) > 20 || !solves(challenge, counter) {
		return problem.Field("challenge", "was not solved: the form needs JavaScript to compute its anti-abuse check")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	if _, spent := g.used[challenge]; spent {
		return problem.Field("challenge", "was used already: reload the form")
	}
	if len(g.byIP[ip]) >= perIPPerHour {
		return &problem.TooMany{Reason: "too many complaints from this address: try again in an hour", RetryAfter: retryAfter(g.byIP[ip], now)}
	}
	if len(g.byOrg[org]) >= perOrgPerHour {
		return &problem.TooMany{Reason: "too many complaints to this app store just now: try again later", RetryAfter: retryAfter(g.byOrg[org], now)}
	}
	g.used[challenge] = time.Unix(issued, 0).Add(challengeTTL)
	g.byIP[ip] = append(g.byIP[ip], now)
	g.byOrg[org] = append(g.byOrg[org], now)
	return nil
}

// release gives a counted submission back when it was not recorded after all (the
// complaint itself was invalid), so a typo does not use up the sender's hour.
func (g *publicGuard) release(org int64, ip, challenge string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.used, challenge)
	if l := g.byIP[ip]; len(l) > 0 {
		g.byIP[ip] = l[:len(l)-1]
	}
	if l := g.byOrg[org]; len(l) > 0 {
		g.byOrg[org] = l[:len(l)-1]
	}
}

// retryAfter is the seconds until the oldest of times leaves the hour.
func retryAfter(times []time.Time, now time.Time) int {
	if len(times) == 0 {
		return 60
	}
	return max(1, int(times[0].Add(time.Hour).Sub(now).Seconds())+1)
}

// sweep forgets what is older than the windows; called with mu held.
func (g *publicGuard) sweep(now time.Time) {
	for c, exp := range g.used {
		if now.After(exp) {
			delete(g.used, c)
		}
	}
	for ip, l := range g.byIP {
		if l = recent(l, now); len(l) == 0 {
			delete(g.byIP, ip)
		} else {
			g.byIP[ip] = l
		}
	}
	for org, l := range g.byOrg {
		if l = recent(l, now); len(l) == 0 {
			delete(g.byOrg, org)
		} else {
			g.byOrg[org] = l
		}
	}
}

func recent(l []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(l) && now.Sub(l[i]) >= time.Hour {
		i++
	}
	return l[i:]
}
