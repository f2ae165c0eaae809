package cluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// VaultFrames keeps the log vault's write-ahead frames in the records store
// (vault_frames), under a writer lease per organisation (vault:org:ID), so
// that when the writing node dies another takes the lease over once it runs
// out and recovers every acknowledged event from the frames. Every append
// and drop runs the lease's fencing check in its own transaction: a writer
// that lost its lease (paused past it, or cut off) can no longer write.
type VaultFrames struct {
	leases *Leases
	ttl    time.Duration
	log    *slog.Logger

	mu   sync.Mutex
	held map[int64]*heldLease
}

// heldLease is a writer lease this node holds and renews.
type heldLease struct {
	mu   sync.Mutex
	le   Lease
	lost bool // a renewal was refused: another node may hold it now
	stop chan struct{}
	done chan struct{}
}

func (h *heldLease) lease() Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.le
}

var _ vault.FrameStore = (*VaultFrames)(nil)

// DefaultVaultLease is how long a writer lease runs without renewal: the
// longest a dead writer's organisations go without a writer.
const DefaultVaultLease = 10 * time.Second

// NewVaultFrames returns the frame store of the node that holds leases, with
// writer leases of ttl (renewed every third of it).
func NewVaultFrames(leases *Leases, ttl time.Duration, log *slog.Logger) *VaultFrames {
	if log == nil {
		log = slog.Default()
	}
	return &VaultFrames{leases: leases, ttl: ttl, log: log, held: map[int64]*heldLease{}}
}

// VaultLeaseName is the lease of an organisation's log writer.
func VaultLeaseName(org int64) string { return "vault:org:" + strconv.FormatInt(org, 10) }

// Acquire implements vault.FrameStore: it takes org's writer lease (a
// *HeldError while another node holds it) and renews it until Release.
func (f *VaultFrames) Acquire(ctx context.Context, org int64) error {
	le, err := f.leases.Acquire(ctx, VaultLeaseName(org), f.ttl)
	if err != nil {
		return err
	}
	h := &heldLease{le: le, stop: make(chan struct{}), done: make(chan struct{})}
	f.mu.Lock()
	old := f.held[org]
	f.held[org] = h
	f.mu.Unlock()
	if old != nil {
		old.halt()
	}
	go f.renew(org, h)
	return nil
}

// renew keeps a lease running; once a renewal is refused (the lease ran out
// or was taken over) it stops, and the fenced writes fail from then on.
func (f *VaultFrames) renew(org int64, h *heldLease) {
	defer close(h.done)
	t := time.NewTicker(f.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), f.ttl)
		le, err := f.leases.Renew(ctx, h.lease(), f.ttl)
		cancel()
		if errors.Is(err, ErrFenced) {
			f.log.Error("vault: lost the writer lease of an organisation's log; the log is reopened at its next request", "org", org, "err", err)
			h.mu.Lock()
			h.lost = true
			h.mu.Unlock()
			return
		}
		if err != nil {
			// A failed round trip: the next tick tries again while the lease runs.
			f.log.Warn("vault: renewing the writer lease failed", "org", org, "err", err)
			continue
		}
		h.mu.Lock()
		h.le = le
		h.mu.Unlock()
	}
}

// halt stops renewing without releasing, as a frozen or killed process
// would (Release and tests).
func (h *heldLease) halt() {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.done
}

func (f *VaultFrames) heldLease(org int64) (Lease, error) {
	f.mu.Lock()
	h := f.held[org]
	f.mu.Unlock()
	if h == nil {
		return Lease{}, fmt.Errorf("vault writer of organisation %d: this node never acquired it: %w", org, ErrFenced)
	}
	return h.lease(), nil
}

// Lost tells the vault that this node's writer lease of org was refused a
// renewal, so it reopens the log (taking the lease again if it is free)
// instead of serving what may no longer be the whole log.
func (f *VaultFrames) Lost(org int64) bool {
	f.mu.Lock()
	h := f.held[org]
	f.mu.Unlock()
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lost
}

// fenced marks a refused fencing check as vault.ErrWriterLost, which makes
// the vault reopen the log; other errors are returned as they are.
func fenced(err error) error {
	if errors.Is(err, ErrFenced) {
		return fmt.Errorf("%w: %w", vault.ErrWriterLost, err)
	}
	return err
}

// Append implements vault.FrameStore: the fencing check and the row in one
// transaction.
func (f *VaultFrames) Append(ctx context.Context, org int64, first, count uint64, frames []byte) error {
	le, err := f.heldLease(org)
	if err != nil {
		return fenced(err)
	}
	return fenced(f.leases.db.Write(ctx, func(tx *store.Tx) error {
		if err := f.leases.Check(tx, le); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO vault_frames (org_id, first_seq, n, token, frames) VALUES ($1, $2, $3, $4, $5)`,
			org, int64(first), int64(count), le.Token, frames); err != nil {
			return fmt.Errorf("store vault frames %d+%d of organisation %d: %w", first, count, org, err)
		}
		return nil
	}))
}

// Frames implements vault.FrameStore: the keys kept by the last Drop
// first, then the frames.
func (f *VaultFrames) Frames(ctx context.Context, org int64, from uint64) ([][]byte, error) {
	var out [][]byte
	err := f.leases.db.Read(ctx, func(tx *store.Tx) error {
		var keys []byte
		err := tx.QueryRow(`SELECT frames FROM vault_batch_keys WHERE org_id = $1`, org).Scan(&keys)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read vault batch keys of organisation %d: %w", org, err)
		}
		if len(keys) > 0 {
			out = append(out, keys)
		}
		rows, err := tx.Query(`SELECT frames FROM vault_frames WHERE org_id = $1 AND first_seq + n > $2 ORDER BY first_seq`, org, int64(from))
		if err != nil {
			return fmt.Errorf("read vault frames of organisation %d: %w", org, err)
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return fmt.Errorf("read vault frames of organisation %d: %w", org, err)
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, err
}

// Drop implements vault.FrameStore, fenced like Append: a writer that lost
// its lease must not delete frames (or replace keys) its successor may
// still need.
func (f *VaultFrames) Drop(ctx context.Context, org int64, before uint64, keys []byte) error {
	le, err := f.heldLease(org)
	if err != nil {
		return fenced(err)
	}
	return fenced(f.leases.db.Write(ctx, func(tx *store.Tx) error {
		if err := f.leases.Check(tx, le); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM vault_frames WHERE org_id = $1 AND first_seq + n <= $2`, org, int64(before)); err != nil {
			return fmt.Errorf("drop vault frames of organisation %d: %w", org, err)
		}
		if _, err := tx.Exec(`DELETE FROM vault_batch_keys WHERE org_id = $1`, org); err != nil {
			return fmt.Errorf("replace vault batch keys of organisation %d: %w", org, err)
		}
		if len(keys) > 0 {
			if _, err := tx.Exec(`INSERT INTO vault_batch_keys (org_id, at_seq, token, frames) VALUES ($1, $2, $3, $4)`, org, int64(before), le.Token, keys); err != nil {
				return fmt.Errorf("keep vault batch keys of organisation %d: %w", org, err)
			}
		}
		return nil
	}))
}

// Release implements vault.FrameStore: renewals stop and the lease is given
// up, so another node need not wait for it to run out.
func (f *VaultFrames) Release(ctx context.Context, org int64) error {
	f.mu.Lock()
	h := f.held[org]
	delete(f.held, org)
	f.mu.Unlock()
	if h == nil {
		return nil
	}
	h.halt()
	return f.leases.Release(ctx, h.lease())
}
