package cluster

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"ciiguard/internal/store"
)

// JobTTL is how long a singleton job's lease lasts between renewals: a node that dies in
// the middle of a job leaves it to another node after at most this long.
const JobTTL = 30 * time.Second

// Jobs runs background jobs that must run once across the installation's nodes (the daily
// purge and re-evaluation, reminders, clock checks, retro-hunts) under leases. It
// implements kernel.Jobs.
type Jobs struct {
	leases *Leases
	log    *slog.Logger
	ttl    time.Duration
}

// NewJobs returns the job runner of leases' node.
func NewJobs(leases *Leases, log *slog.Logger) *Jobs {
	return &Jobs{leases: leases, log: log, ttl: JobTTL}
}

// Once runs fn unless another node is running the job name now, or some node already
// finished period of it (period "" means every call is its own period: fn runs whenever
// no other node runs it at the same moment). It reports whether fn ran. While fn runs the
// lease is renewed; if it is lost (this node was paused past it) fn's context is
// cancelled, and the period is recorded only under the lease's fencing check, so it is
// recorded once. A job may still run twice in a period if a node loses its lease midway:
// every job is written to be repeatable.
func (j *Jobs) Once(ctx context.Context, name, period string, fn func(context.Context) error) (bool, error) {
	var le Lease
	var err error
	// A busy store (SQLite's writer taken for longer than its wait) is tried again: a
	// daily job skipped for it would wait a day.
	for try := 0; try < 3; try++ {
		if le, err = j.leases.Acquire(ctx, "job:"+name, j.ttl); !errors.Is(err, store.ErrBusy) {
			break
		}
	}
	var held *HeldError
	if errors.As(err, &held) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	defer func() {
		if err := j.leases.Release(context.WithoutCancel(ctx), le); err != nil && j.log != nil {
			j.log.Warn("release a job's lease", "job", name, "err", err)
		}
	}()
	if period != "" {
		done, err := j.lastPeriod(ctx, name)
		if err != nil {
			return false, err
		}
		if done == period {
			return false, nil
		}
	}
	jctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { // renew until fn returns; a lost lease stops fn
		defer close(stopped)
		t := time.NewTicker(j.ttl / 3)
		defer t.Stop()
		cur := le
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
				next, err := j.leases.Renew(jctx, cur, j.ttl)
				if errors.Is(err, ErrFenced) {
					if j.log != nil {
						j.log.Warn("a singleton job lost its lease and stops", "job", name, "err", err)
					}
					cancel()
					return
				}
				if err == nil {
					cur = next
				}
			}
		}
	}()
	err = fn(jctx)
	cancel()
	<-stopped
	if err != nil {
		return true, err
	}
	if period == "" {
		return true, nil
	}
	return true, j.leases.db.Write(ctx, func(tx *store.Tx) error {
		if err := j.leases.Check(tx, le); err != nil {
			return err
		}
		now, err := j.leases.nowMs(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO cluster_jobs (name, period, node, done_ms) VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO UPDATE SET period = excluded.period, node = excluded.node, done_ms = excluded.done_ms`, name, period, j.leases.node, now); err != nil {
			return fmt.Errorf("record job %s period %s: %w", name, period, err)
		}
		return nil
	})
}

// lastPeriod is the last period of job name any node finished ("" for none).
func (j *Jobs) lastPeriod(ctx context.Context, name string) (string, error) {
	var p string
	err := j.leases.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT period FROM cluster_jobs WHERE name = $1`, name).Scan(&p)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read job %s's last period: %w", name, err)
	}
	return p, nil
}

// NodeName returns a name for this process that no other node has: the host name, the
// process id and a random part (a restarted process is a new node).
func NodeName() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "node"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
