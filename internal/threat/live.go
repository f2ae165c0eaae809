package threat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// The live sweep: the events each organisation's vault received since the last sweep are
// matched against its active indicators, so an indicator keeps watching after its
// retro-hunt. It follows the vault by sequence number through kernel.VaultEvents instead of
// hooking the ingest path, which it leaves as fast as it was; its cost is its own CPU time
// (docs/performance.md, "Live sweep").

// LiveEvery is how often a serving installation sweeps new events.
const LiveEvery = 5 * time.Second

// liveIndex is an organisation's active indicators, indexed, with what tells when it is
// stale: their number and highest id, and the earliest valid_until among them.
type liveIndex struct {
	count, maxID int64
	expires      time.Time // zero: none expires
	idx          *stix.Index
	inds         []Indicator
}

// liveCache keeps each organisation's index between sweeps.
type liveCache struct {
	mu    sync.Mutex
	byOrg map[int64]*liveIndex
}

// SweepLive matches the events every organisation's vault received since the last sweep
// against the organisation's active indicators and records what it finds as hits (hunt 0),
// adding to the count of a hit already held. An organisation's first sweep only takes its
// position: the events before it are the retro-hunts'. Serving installations call it every
// LiveEvery; tests call it directly.
func (s *Service) SweepLive(ctx context.Context) error {
	if s.vault == nil {
		return nil
	}
	now := s.now()
	var orgs []int64
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT DISTINCT org_id FROM threat_indicators WHERE valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1) ORDER BY org_id`, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			orgs = append(orgs, id)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("organisations with active indicators: %w", err)
	}
	var errs []error
	for _, org := range orgs {
		octx := store.WithOrg(audit.WithActor(ctx, audit.Actor{Label: "ciiguard live sweep"}), org)
		if err := s.sweepOrg(octx, now); err != nil {
			errs = append(errs, fmt.Errorf("organisation %d: %w", org, err))
		}
	}
	return errors.Join(errs...)
}

// sweepOrg sweeps the context organisation's new events.
func (s *Service) sweepOrg(ctx context.Context, now time.Time) error {
	org, err := orgOf(ctx)
	if err != nil {
		return err
	}
	li, err := s.liveIndexOf(ctx, org, now)
	if err != nil {
		return err
	}
	var swept int64
	known := true
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT swept FROM threat_live WHERE org_id = $1`).Scan(&swept)
	})
	if errors.Is(err, store.ErrNotFound) {
		known, err = false, nil
	}
	if err != nil {
		return fmt.Errorf("live sweep position: %w", err)
	}
	seen := map[int]*match{}
	var next int64
	if known {
		next, err = sweepSince(ctx, s.vault, swept, li.idx, seen)
	} else {
		next, err = vaultEnd(ctx, s.vault) // the first sweep only takes its position
	}
	if err != nil {
		return err
	}
	for k, m := range seen {
		if err := s.recordHit(ctx, 0, li.inds[k], m); err != nil {
			return err
		}
	}
	if known && next == swept {
		return nil
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		_, err := t.Exec(`INSERT INTO threat_live (org_id, swept, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (org_id) DO UPDATE SET swept = excluded.swept, updated_at = excluded.updated_at`, next, now)
		return err
	})
}

// sweepSince matches the events from sequence number swept on with idx into seen and
// returns the sequence number after the newest of them (swept when there were none).
// Sequence numbers are dense and the vault reads one snapshot of the log, so no event
// between swept and that number is passed over.
func sweepSince(ctx context.Context, ve kernel.VaultEvents, swept int64, idx *stix.Index, seen map[int]*match) (int64, error) {
	next := swept
	var o stix.Observed
	q := vault.Query{FromSeq: uint64(swept), Fields: vault.TextFields}
	err := ve.SweepEvents(ctx, q, func(evs []vault.Event, _ uint64) error {
		for i := range evs {
			observe(&evs[i], idx, seen, &o)
			next = max(next, int64(evs[i].Seq)+1)
		}
		return nil
	})
	if err != nil {
		return swept, err
	}
	return next, nil
}

// vaultEnd is the sequence number after the newest event of the context organisation's
// vault (0 when empty).
func vaultEnd(ctx context.Context, ve kernel.VaultEvents) (int64, error) {
	page, err := ve.ScanEvents(ctx, vault.Query{Limit: 1})
	if err != nil || len(page.Events) == 0 {
		return 0, err
	}
	return int64(page.Events[0].Seq) + 1, nil
}

// liveIndexOf returns org's index of active indicators, rebuilt when one was added or
// expired since the last sweep.
func (s *Service) liveIndexOf(ctx context.Context, org int64, now time.Time) (*liveIndex, error) {
	var count, maxID int64
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT COUNT(*), COALESCE(MAX(id), 0) FROM threat_indicators WHERE org_id = $1 AND valid_from <= $2 AND (valid_until IS NULL OR valid_until > $2)`, now).Scan(&count, &maxID)
	})
	if err != nil {
		return nil, fmt.Errorf("active indicators: %w", err)
	}
	s.live.mu.Lock()
	li := s.live.byOrg[org]
	s.live.mu.Unlock()
	if li != nil && li.count == count && li.maxID == maxID && (li.expires.IsZero() || now.Before(li.expires)) {
		return li, nil
	}
	li = &liveIndex{count: count, maxID: maxID, idx: stix.NewIndex()}
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+indicatorCols+` FROM threat_indicators WHERE org_id = $1 AND valid_from <= $2 AND (valid_until IS NULL OR valid_until > $2) ORDER BY id`, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			in, err := scanIndicator(rows, now)
			if err != nil {
				return err
			}
			li.inds = append(li.inds, in)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("active indicators: %w", err)
	}
	for _, in := range li.inds {
		p, err := stix.ParsePattern(in.Pattern)
		if err != nil {
			return nil, fmt.Errorf("indicator %d: %w", in.ID, err)
		}
		li.idx.Add(p)
		if in.ValidUntil != nil && (li.expires.IsZero() || in.ValidUntil.Before(li.expires)) {
			li.expires = *in.ValidUntil
		}
	}
	s.live.mu.Lock()
	if s.live.byOrg == nil {
		s.live.byOrg = map[int64]*liveIndex{}
	}
	s.live.byOrg[org] = li
	s.live.mu.Unlock()
	return li, nil
}

// liveLoop sweeps every LiveEvery until ctx ends.
func (s *Service) liveLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Once per interval across the installation's nodes.
			period := s.now().UTC().Truncate(every).Format(time.RFC3339)
			if _, err := kernel.RunOnce(ctx, s.jobs, "threat.live", period, s.SweepLive); err != nil && ctx.Err() == nil && s.log != nil {
				s.log.Error("threat: live sweep", "err", err)
			}
		}
	}
}
