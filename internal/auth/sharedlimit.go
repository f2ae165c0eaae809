package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/store"
)

// The per-pair sign-in limit (FreeFailures, then a doubling Delay) is also kept in the
// records store, so that several nodes on one store enforce it together: five failures
// spread over three nodes are five failures, not five per node. The in-process Limiter
// stays in front of it (it is cheaper and keeps the slower path, whose one-at-a-time turn
// is per node); this is the count every node agrees on. Each change is a compare-and-swap
// on the pair's row, atomic on PostgreSQL and SQLite alike.

// orphanAfter is how long an attempt reserved and never decided keeps counting: a node
// that stopped between reserving and deciding must not block the pair for ever.
const orphanAfter = time.Minute

// sharedPairs is the store's side of the per-pair limit.
type sharedPairs struct {
	db  *store.DB
	now func() time.Time
}

// sharedAttempt is one reservation in the store; decide it exactly once.
type sharedAttempt struct {
	p             *sharedPairs
	account, addr string
}

// reserve counts an attempt for the pair before its password is checked, or refuses it
// with how long to wait.
func (p *sharedPairs) reserve(ctx context.Context, account, addr string) (*sharedAttempt, time.Duration, error) {
	for try := 0; try < 8; try++ {
		now := p.now().UnixMilli()
		var attempts, failures int
		var last, reserved int64
		err := p.db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT attempts, failures, last_ms, reserved_ms FROM signin_pairs WHERE account = $1 AND addr = $2`, account, addr).
				Scan(&attempts, &failures, &last, &reserved)
		})
		if errors.Is(err, sql.ErrNoRows) {
			err = p.db.Write(ctx, func(tx *store.Tx) error {
				res, err := tx.Exec(`INSERT INTO signin_pairs (account, addr, attempts, failures, last_ms, reserved_ms) VALUES ($1, $2, 1, 0, 0, $3) ON CONFLICT (account, addr) DO NOTHING`, account, addr, now)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return errRaced
				}
				return nil
			})
		} else if err == nil {
			inFlight := attempts - failures
			if inFlight > 0 && now-reserved > orphanAfter.Milliseconds() {
				inFlight = 0 // left by a node that stopped
			}
			if failures+inFlight >= FreeFailures {
				if inFlight > 0 {
					return nil, Delay(failures + inFlight), nil
				}
				if next := last + Delay(failures).Milliseconds(); now < next {
					return nil, time.Duration(next-now) * time.Millisecond, nil
				}
			}
			err = p.db.Write(ctx, func(tx *store.Tx) error {
				res, err := tx.Exec(`UPDATE signin_pairs SET attempts = $3, reserved_ms = $4 WHERE account = $1 AND addr = $2 AND attempts = $5 AND failures = $6 AND reserved_ms = $7`,
					account, addr, failures+inFlight+1, now, attempts, failures, reserved)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return errRaced
				}
				return nil
			})
		}
		switch {
		case err == nil:
			return &sharedAttempt{p: p, account: account, addr: addr}, 0, nil
		case errors.Is(err, errRaced):
			continue // another node changed the pair between our read and write: read again
		default:
			return nil, 0, fmt.Errorf("sign-in limit: %w", err)
		}
	}
	return nil, 0, fmt.Errorf("sign-in limit: %w", store.ErrBusy)
}

var errRaced = errors.New("the pair changed under us")

// decide applies the attempt's outcome to the pair's row in one statement.
func (a *sharedAttempt) decide(ctx context.Context, set string, args ...any) error {
	if a == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx) // a sign-in that was answered is counted even if the client left
	return a.p.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`UPDATE signin_pairs SET `+set+` WHERE account = $1 AND addr = $2`, append([]any{a.account, a.addr}, args...)...); err != nil {
			return fmt.Errorf("sign-in limit: %w", err)
		}
		_, err := tx.Exec(`DELETE FROM signin_pairs WHERE (attempts <= 0 AND failures <= 0) OR (last_ms < $1 AND attempts <= failures AND failures > 0)`, a.p.now().Add(-ForgetAfter).UnixMilli())
		return err
	})
}

// fail counts the reserved attempt as a failure.
func (a *sharedAttempt) fail(ctx context.Context) error {
	return a.decide(ctx, `failures = failures + 1, attempts = CASE WHEN attempts > failures THEN attempts ELSE failures + 1 END, last_ms = $3`, a.p.now().UnixMilli())
}

// succeed clears the pair's failures, keeping other attempts still in flight.
func (a *sharedAttempt) succeed(ctx context.Context) error {
	return a.decide(ctx, `attempts = CASE WHEN attempts - failures - 1 > 0 THEN attempts - failures - 1 ELSE 0 END, failures = 0`)
}

// cancel gives the reservation back uncounted.
func (a *sharedAttempt) cancel(ctx context.Context) error {
	return a.decide(ctx, `attempts = CASE WHEN attempts > failures THEN attempts - 1 ELSE attempts END`)
}
