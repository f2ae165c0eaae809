package appstore

import (
	"context"
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
	"ciiguard/internal/store"
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
// The key, the spent challenges and the admitted submissions are kept in the records
// store (migration 5), so a restart forgets nothing and every process behind a balancer
// signs, spends and counts alike. The key is made once per installation, on first use.
const (
	powBits       = 16
	challengeTTL  = 30 * time.Minute
	perIPPerHour  = 5
	perOrgPerHour = 200
	// publicMaxBody bounds the public form's request.
	publicMaxBody = 32 << 10
)

// publicGuard signs challenges and admits submissions against the records store.
type publicGuard struct {
	db  *store.DB
	now func() time.Time

	mu  sync.Mutex
	key []byte // loaded from the store on first use
}

func newPublicGuard(db *store.DB, now func() time.Time) *publicGuard {
	if now == nil {
		now = time.Now
	}
	return &publicGuard{db: db, now: now}
}

// signingKey returns the installation's key, making it the first time any process asks.
func (g *publicGuard) signingKey(ctx context.Context) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.key != nil {
		return g.key, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("public form key: %w", err)
	}
	var stored string
	err := g.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO appstore_public_key (id, key_hex) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, hex.EncodeToString(fresh)); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT key_hex FROM appstore_public_key WHERE id = 1`).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("public form key: %w", err)
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("public form key: the stored key is not usable")
	}
	g.key = key
	return key, nil
}

// challenge issues a signed challenge for org: "org.unix.nonce.mac".
func (g *publicGuard) challenge(ctx context.Context, org int64) (string, error) {
	key, err := g.signingKey(ctx)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("challenge nonce: %w", err)
	}
	body := fmt.Sprintf("%d.%d.%s", org, g.now().Unix(), hex.EncodeToString(nonce))
	return body + "." + macOf(key, body), nil
}

func macOf(key []byte, body string) string {
	m := hmac.New(sha256.New, key)
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

// verify checks a challenge and counter from the form for org under key at now: the
// organisation's, signed with key, not expired, solved. It reads only its arguments (the
// fuzz test's subject) and returns when the challenge stops being accepted.
func verify(key []byte, now time.Time, org int64, challenge, counter string) (time.Time, error) {
	parts := strings.Split(challenge, ".")
	if len(challenge) > 200 || len(parts) != 4 || !hmac.Equal([]byte(macOf(key, strings.Join(parts[:3], "."))), []byte(parts[3])) || parts[0] != strconv.FormatInt(org, 10) {
		return time.Time{}, problem.Field("challenge", "is not a check this form issued: reload the form")
	}
	issued, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Sub(time.Unix(issued, 0)) > challengeTTL || time.Unix(issued, 0).After(now.Add(time.Minute)) {
		return time.Time{}, problem.Field("challenge", "has expired: reload the form")
	}
	if len(counter) > 20 || !solves(challenge, counter) {
		return time.Time{}, problem.Field("challenge", "was not solved: the form needs JavaScript to compute its anti-abuse check")
	}
	return time.Unix(issued, 0).Add(challengeTTL).UTC(), nil
}

// admit checks a submission to org from ip and, when it passes, spends its challenge and
// counts it, in one transaction of the records store; it returns the count's id for
// release. A refused one costs nothing, so a user whose form expired can try again. A
// refusal is a problem naming the field "challenge" (400, the form is shown again) or a
// problem.TooMany (429 with Retry-After).
func (g *publicGuard) admit(ctx context.Context, org int64, ip, challenge, counter string) (int64, error) {
	key, err := g.signingKey(ctx)
	if err != nil {
		return 0, err
	}
	now := g.now().UTC().Truncate(time.Microsecond)
	expires, err := verify(key, now, org, challenge, counter)
	if err != nil {
		return 0, err
	}
	var hit int64
	err = g.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`DELETE FROM appstore_public_spent WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("forget spent challenges: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM appstore_public_hits WHERE at <= $1`, now.Add(-time.Hour)); err != nil {
			return fmt.Errorf("forget old submissions: %w", err)
		}
		res, err := tx.Exec(`INSERT INTO appstore_public_spent (challenge, expires_at) VALUES ($1, $2) ON CONFLICT (challenge) DO NOTHING`, challenge, expires)
		if err != nil {
			return fmt.Errorf("spend the challenge: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.Field("challenge", "was used already: reload the form")
		}
		if err := sweepGates(tx, now.Add(-time.Hour)); err != nil {
			return err
		}
		for _, lim := range []struct {
			col     string
			val     any
			limit   int
			refusal *problem.TooMany
		}{
			{"ip", ip, perIPPerHour, &problem.TooMany{Reason: "too many complaints from this address: try again in an hour"}},
			{"org_id", org, perOrgPerHour, &problem.TooMany{Reason: "too many complaints to this app store just now: try again later"}},
		} {
			// The count is only as good as its lock: under PostgreSQL's READ COMMITTED, two
			// submissions counting at once both saw the hour before either committed. Each
			// first takes the row lock of its address (then of its organisation, always in
			// that order, so two submissions cannot wait on each other), held until commit;
			// the count that follows is a new statement and sees every submission admitted
			// before the lock was granted. SQLite has one writer at a time anyway.
			if err := holdCount(tx, fmt.Sprintf("%s:%v", lim.col, lim.val), now); err != nil {
				return err
			}
			times, err := recentHits(tx, "appstore_public_hits", lim.col, lim.val, lim.limit)
			if err != nil {
				return err
			}
			if len(times) >= lim.limit {
				lim.refusal.RetryAfter = retryAfter(times, now)
				return lim.refusal
			}
		}
		return tx.QueryRow(`INSERT INTO appstore_public_hits (org_id, ip, at) VALUES ($1, $2, $3) RETURNING id`, org, ip, now).Scan(&hit)
	})
	return hit, err
}

// sweepGates forgets the count rows nobody touched since before: on PostgreSQL it passes
// over rows another submission holds (SKIP LOCKED), so that two sweeps never wait on each
// other or on a submission.
func sweepGates(tx *store.Tx, before time.Time) error {
	q := `DELETE FROM appstore_public_gate WHERE touched_at <= $1`
	if tx.Dialect() == store.Postgres {
		q = `DELETE FROM appstore_public_gate WHERE scope IN (SELECT scope FROM appstore_public_gate WHERE touched_at <= $1 FOR UPDATE SKIP LOCKED)`
	}
	if _, err := tx.Exec(q, before); err != nil {
		return fmt.Errorf("forget old count rows: %w", err)
	}
	return nil
}

// holdCount takes the row lock of scope's count until the transaction ends.
func holdCount(tx *store.Tx, scope string, now time.Time) error {
	if _, err := tx.Exec(`INSERT INTO appstore_public_gate (scope, touched_at) VALUES ($1, $2)
ON CONFLICT (scope) DO UPDATE SET touched_at = excluded.touched_at`, scope, now); err != nil {
		return fmt.Errorf("hold the count of %s: %w", scope, err)
	}
	return nil
}

// recentHits lists, oldest first, up to limit rows of table (the admitted submissions or
// the receipt look-ups, swept to the last hour) whose col is val.
func recentHits(tx *store.Tx, table, col string, val any, limit int) ([]time.Time, error) {
	rows, err := tx.Query(`SELECT at FROM `+table+` WHERE `+col+` = $1 ORDER BY at LIMIT `+strconv.Itoa(limit), val)
	if err != nil {
		return nil, fmt.Errorf("count recent submissions: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, at.UTC())
	}
	return out, rows.Err()
}

// release gives a counted submission back when it was not recorded after all (the
// complaint itself was invalid), so a typo does not use up the sender's hour.
func (g *publicGuard) release(ctx context.Context, challenge string, hit int64) error {
	return g.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`DELETE FROM appstore_public_spent WHERE challenge = $1`, challenge); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM appstore_public_hits WHERE id = $1`, hit)
		return err
	})
}

// retryAfter is the seconds until the oldest of times leaves the hour.
func retryAfter(times []time.Time, now time.Time) int {
	if len(times) == 0 {
		return 60
	}
	return max(1, int(times[0].Add(time.Hour).Sub(now).Seconds())+1)
}
