package cluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/store"
)

// Lease is one node's right, until Expires, to do what the lease names. Token is the
// lease's fencing token: it grows by one at every acquisition, by whichever node.
type Lease struct {
	Name    string
	Holder  string
	Token   int64
	Expires time.Time
}

// HeldError is Acquire's answer when another node holds the lease and it has not run out.
type HeldError struct {
	Name   string
	Holder string
	// URL is the holder's advertised base URL (its --node-url), empty when it gave none
	// or is not known (another node won a race for a new lease).
	URL   string
	Until time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("lease %s is held by node %s until %s", e.Name, e.Holder, e.Until.UTC().Format(time.RFC3339Nano))
}

// HolderName is the node holding the lease (vault.NotWriterError reads it).
func (e *HeldError) HolderName() string { return e.Holder }

// HolderURL is where the holder answers requests, or "" (vault.NotWriterError reads it).
func (e *HeldError) HolderURL() string { return e.URL }

// ErrFenced is the answer to a writer whose lease has run out or been taken over: it must
// stop writing, since another node may already be the holder.
var ErrFenced = errors.New("lease lost: another node may hold it now; the write was refused")

// Leases acquires, renews, releases and checks leases in the records store for one node.
type Leases struct {
	db   *store.DB
	node string
	url  string // advertised in the leases this node holds (SetURL)
	// now, when set (tests), is the clock; otherwise PostgreSQL's clock_timestamp(), so
	// that every node measures expiry on the same clock, or the process clock on SQLite.
	now func() time.Time
}

// NewLeases returns the leases of node (a name unique to the running process) in db.
func NewLeases(db *store.DB, node string) *Leases {
	return &Leases{db: db, node: node}
}

// SetURL sets the base URL this node advertises in the leases it acquires from now on
// (serve --node-url): other nodes forward the work of a lease to its holder there. Call
// it before the node acquires anything.
func (l *Leases) SetURL(url string) { l.url = url }

// URL is the base URL this node advertises, or "".
func (l *Leases) URL() string { return l.url }

// Node is the name this node holds leases under.
func (l *Leases) Node() string { return l.node }

// nowMs is the current time in milliseconds on the lease clock.
func (l *Leases) nowMs(tx *store.Tx) (int64, error) {
	if l.now != nil {
		return l.now().UnixMilli(), nil
	}
	if tx.Dialect() != store.Postgres {
		return time.Now().UnixMilli(), nil
	}
	var ms int64
	if err := tx.QueryRow(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint`).Scan(&ms); err != nil {
		return 0, fmt.Errorf("read the store's clock: %w", err)
	}
	return ms, nil
}

// lockSuffix is the row lock a lease read takes on PostgreSQL: an acquisition locks the row
// for update, a fencing check for share, so a takeover waits for a writer's transaction
// that checked the old token to end, and the writer's check waits for a takeover in
// progress. SQLite has one writer at a time already.
func lockSuffix(tx *store.Tx, mode string) string {
	if tx.Dialect() == store.Postgres {
		return " FOR " + mode
	}
	return ""
}

// Acquire takes the lease name for ttl when it is free or has run out, with a fencing
// token one above the last one given; when this node holds it already it is renewed with
// the same token. When another node holds it, the answer is a *HeldError.
func (l *Leases) Acquire(ctx context.Context, name string, ttl time.Duration) (Lease, error) {
	var out Lease
	err := l.db.Write(ctx, func(tx *store.Tx) error {
		now, err := l.nowMs(tx)
		if err != nil {
			return err
		}
		exp := now + ttl.Milliseconds()
		var holder, holderURL string
		var token, until int64
		err = tx.QueryRow(`SELECT holder, holder_url, token, expires_ms FROM cluster_leases WHERE name = $1`+lockSuffix(tx, "UPDATE"), name).Scan(&holder, &holderURL, &token, &until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.Exec(`INSERT INTO cluster_leases (name, holder, holder_url, token, expires_ms) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (name) DO NOTHING`, name, l.node, l.url, exp)
			if err != nil {
				return fmt.Errorf("acquire lease %s: %w", name, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				// Another node inserted it first, between our read and our insert.
				return &HeldError{Name: name, Holder: "another node", Until: time.UnixMilli(exp)}
			}
			token = 1
		case err != nil:
			return fmt.Errorf("acquire lease %s: %w", name, err)
		case until > now && holder != l.node:
			return &HeldError{Name: name, Holder: holder, URL: holderURL, Until: time.UnixMilli(until)}
		default:
			next := token + 1
			if until > now { // ours and still running: a renewal, same token
				next = token
			}
			// The token in the WHERE clause makes a concurrent takeover lose even where
			// the row lock above is not taken.
			res, err := tx.Exec(`UPDATE cluster_leases SET holder = $2, holder_url = $6, token = $3, expires_ms = $4 WHERE name = $1 AND token = $5`, name, l.node, next, exp, token, l.url)
			if err != nil {
				return fmt.Errorf("acquire lease %s: %w", name, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return &HeldError{Name: name, Holder: "another node", Until: time.UnixMilli(exp)}
			}
			token = next
		}
		out = Lease{Name: name, Holder: l.node, Token: token, Expires: time.UnixMilli(exp)}
		return nil
	})
	return out, err
}

// Renew extends a lease this node holds by ttl from now. It fails with ErrFenced when the
// lease ran out or another node took it over: the holder must then stop.
func (l *Leases) Renew(ctx context.Context, le Lease, ttl time.Duration) (Lease, error) {
	err := l.db.Write(ctx, func(tx *store.Tx) error {
		now, err := l.nowMs(tx)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE cluster_leases SET expires_ms = $4 WHERE name = $1 AND holder = $2 AND token = $3 AND expires_ms > $5`,
			le.Name, le.Holder, le.Token, now+ttl.Milliseconds(), now)
		if err != nil {
			return fmt.Errorf("renew lease %s: %w", le.Name, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("renew lease %s (token %d): %w", le.Name, le.Token, ErrFenced)
		}
		le.Expires = time.UnixMilli(now + ttl.Milliseconds())
		return nil
	})
	return le, err
}

// Release gives a lease up at once, so another node need not wait for it to run out. The
// row stays, keeping its token. Releasing a lease already lost does nothing.
func (l *Leases) Release(ctx context.Context, le Lease) error {
	return l.db.Write(ctx, func(tx *store.Tx) error {
		now, err := l.nowMs(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE cluster_leases SET expires_ms = $4 WHERE name = $1 AND holder = $2 AND token = $3 AND expires_ms > $4`,
			le.Name, le.Holder, le.Token, now); err != nil {
			return fmt.Errorf("release lease %s: %w", le.Name, err)
		}
		return nil
	})
}

// Check is the fencing check a writer runs inside the transaction of each durable write:
// it fails with ErrFenced unless le is still the lease's current holder and token and has
// not run out. On PostgreSQL it holds a share lock on the lease until the transaction
// ends, so a takeover cannot slip in between the check and the commit.
func (l *Leases) Check(tx *store.Tx, le Lease) error {
	var holder string
	var token, until int64
	err := tx.QueryRow(`SELECT holder, token, expires_ms FROM cluster_leases WHERE name = $1`+lockSuffix(tx, "SHARE"), le.Name).Scan(&holder, &token, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("lease %s does not exist: %w", le.Name, ErrFenced)
	}
	if err != nil {
		return fmt.Errorf("check lease %s: %w", le.Name, err)
	}
	now, err := l.nowMs(tx)
	if err != nil {
		return err
	}
	if holder != le.Holder || token != le.Token {
		return fmt.Errorf("lease %s token %d, now %d held by %s: %w", le.Name, le.Token, token, holder, ErrFenced)
	}
	if until <= now {
		return fmt.Errorf("lease %s token %d ran out %d ms ago: %w", le.Name, le.Token, now-until, ErrFenced)
	}
	return nil
}
