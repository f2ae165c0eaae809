package threat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// HuntWindow is how far back a retro-hunt searches: the six months the Cybersecurity Law
// has logs kept (2016 Art. 21(3); 2025 Art. 23(3)), which is what the vault holds at least.
const HuntWindow = 183 * 24 * time.Hour

// queueHunt records a retro-hunt of org's vault for the indicators ids, run by the hunter
// once tx has committed.
func queueHunt(tx *store.Tx, org int64, cause string, ids []int64, now time.Time) error {
	b, _ := json.Marshal(ids)
	if _, err := tx.Exec(`INSERT INTO threat_hunts (org_id, cause, indicators, range_from, range_to, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		org, cause, string(b), now.Add(-HuntWindow), now.Add(time.Minute), HuntQueued, now); err != nil {
		return fmt.Errorf("queue the retro-hunt: %w", err)
	}
	return nil
}

// hunter runs queued retro-hunts one after another in one goroutine the module owns: kick
// starts it when idle, stop cancels the running hunt (it is queued again) and waits.
type hunter struct {
	s   *Service
	log *slog.Logger

	mu      sync.Mutex
	running bool
	again   bool // kicked while running: look for queued hunts once more before stopping
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func (h *hunter) kick() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if h.running {
		h.again = true
		return
	}
	if h.ctx == nil {
		h.ctx, h.cancel = context.WithCancel(context.Background())
	}
	h.running = true
	h.wg.Add(1)
	go h.loop()
}

func (h *hunter) loop() {
	defer h.wg.Done()
	for {
		// One node of the installation at a time runs the queue, under a lease: a hunt
		// marked running while a node holds it is that node's, so whoever takes the lease
		// finds hunts still marked running left by a node that stopped, and queues them.
		var ran bool
		_, err := kernel.RunOnce(h.ctx, h.s.jobs, "threat.hunts", "", func(ctx context.Context) error {
			if err := h.s.requeueRunning(ctx); err != nil {
				return err
			}
			var err error
			for {
				var one bool
				one, err = h.s.runNext(ctx)
				ran = ran || one
				if !one || err != nil || ctx.Err() != nil {
					return err
				}
			}
		})
		if err != nil && h.ctx.Err() == nil && h.log != nil {
			h.log.Error("threat: retro-hunt", "err", err)
		}
		if ran && err == nil && h.ctx.Err() == nil {
			continue
		}
		h.mu.Lock()
		if h.again && h.ctx.Err() == nil {
			h.again = false
			h.mu.Unlock()
			continue
		}
		h.running = false
		h.mu.Unlock()
		return
	}
}

func (h *hunter) stop() {
	h.mu.Lock()
	h.closed = true
	cancel := h.cancel
	h.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	h.wg.Wait()
}

// requeueRunning puts hunts a stopped process left running back in the queue.
func (s *Service) requeueRunning(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE threat_hunts SET state = $1 WHERE state = $2`, HuntQueued, HuntRunning)
		return err
	})
}

// runNext claims the oldest queued hunt of any organisation and runs it; ran is false when
// none was queued.
func (s *Service) runNext(ctx context.Context) (ran bool, err error) {
	var id, org int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT id, org_id FROM threat_hunts WHERE state = $1 ORDER BY id LIMIT 1`, HuntQueued).Scan(&id, &org); err != nil {
			return store.Found(err)
		}
		res, err := tx.Exec(`UPDATE threat_hunts SET state = $1, started_at = $2 WHERE id = $3 AND state = $4`, HuntRunning, s.now(), id, HuntQueued)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errClaimed
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if errors.Is(err, errClaimed) {
		return true, nil // another runner took it first: look again
	}
	if err != nil {
		return false, fmt.Errorf("claim a retro-hunt: %w", err)
	}
	octx := store.WithOrg(audit.WithActor(ctx, audit.Actor{Label: "ciiguard retro-hunt"}), org)
	herr := s.runHunt(octx, id)
	// Record the outcome even when ctx was cancelled: a stopped hunt goes back to the queue.
	bctx := store.WithOrg(context.WithoutCancel(octx), org)
	state, msg := HuntDone, ""
	switch {
	case ctx.Err() != nil:
		state = HuntQueued
	case herr != nil:
		state, msg = HuntFailed, herr.Error()
	}
	uerr := s.db.WriteTenant(bctx, func(t *store.Tenant) error {
		var fin any
		if state != HuntQueued {
			fin = s.now()
		}
		if _, err := t.Exec(`UPDATE threat_hunts SET state = $2, error = $3, finished_at = $4 WHERE org_id = $1 AND id = $5`, state, msg, fin, id); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return true, errors.Join(herr, uerr)
}

// errClaimed: another runner claimed the hunt between the read and the update.
var errClaimed = errors.New("retro-hunt claimed by another runner")

// match is what a hunt saw of one indicator.
type match struct {
	first, last time.Time
	firstSeq    uint64
	count       int
}

// progressEvery is how often a sweep reports its progress (a write to the database).
const progressEvery = 500 * time.Millisecond

// sweep reads q's events from the vault and matches each with idx, calling progress with
// the events covered so far (read, or ruled out by the vault's index through q.Hints)
// every progressEvery and at the end.
func sweep(ctx context.Context, ve kernel.VaultEvents, q vault.Query, idx *stix.Index, progress func(scanned int64) error) (map[int]*match, error) {
	seen := map[int]*match{}
	var (
		o        stix.Observed
		covered  uint64
		reported = time.Now()
	)
	q.Fields = vault.TextFields
	err := ve.SweepEvents(ctx, q, func(evs []vault.Event, c uint64) error {
		for i := range evs {
			observe(&evs[i], idx, seen, &o)
		}
		covered = c
		if time.Since(reported) < progressEvery {
			return nil
		}
		reported = time.Now()
		return progress(int64(covered))
	})
	if err != nil {
		return nil, err
	}
	if err := progress(int64(covered)); err != nil {
		return nil, err
	}
	return seen, nil
}

// observe matches one event with idx and adds it to what seen holds of each indicator it
// shows; o is the sweep's scratch observation, reused for every event.
func observe(ev *vault.Event, idx *stix.Index, seen map[int]*match, o *stix.Observed) {
	text := ev.Message
	if text == "" {
		text = string(ev.Raw)
	}
	if !idx.MayMatchText(text) {
		return // most events: nothing in the text is any indicator's
	}
	stix.ObserveTextInto(o, text, ev.Time)
	idx.Match(o, func(k int) {
		m := seen[k]
		if m == nil {
			m = &match{first: ev.Time, last: ev.Time, firstSeq: ev.Seq}
			seen[k] = m
		}
		m.count++
		if ev.Time.Before(m.first) || (ev.Time.Equal(m.first) && ev.Seq < m.firstSeq) {
			m.first, m.firstSeq = ev.Time, ev.Seq
		}
		if ev.Time.After(m.last) {
			m.last = ev.Time
		}
	})
}

// maxHints is the most indicators a hunt looks up in the vault's Bloom filters: each
// value is a false positive in about 0.3% of the parts without it, so past a few dozen
// nearly every part is read anyway and the probes are wasted.
const maxHints = 32

// huntHints gives the values the vault's index may skip parts by (vault.Query.Hints),
// or nil when the hunt must read every event: some pattern has an observation without a
// constant (a CIDR block, LIKE, !=), a constant other than an IPv4 address or an ASCII
// domain name, or there are more than maxHints values. Only those two kinds are hinted:
// ObserveText takes them from a run of letters, digits, '.' and '-', which the vault
// cuts into the same whole tokens, whereas a hash may be glued to a file extension
// ("….exe" is one token to the vault) and an IPv6 address may be written in many ways.
// The one case lost: a value glued by '_' to a word ("x_198.51.100.23"), which the vault
// keeps as one token.
func huntHints(ps []*stix.Pattern) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		terms, ok := p.Terms()
		if !ok {
			return nil
		}
		for _, t := range terms {
			if !hintable(t) {
				return nil
			}
			t = strings.ToLower(t)
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	if len(out) > maxHints {
		return nil
	}
	return out
}

// hintable: an IPv4 address in its one written form, or an ASCII domain name (labels
// of letters, digits and inner hyphens).
func hintable(t string) bool {
	if a, err := netip.ParseAddr(t); err == nil {
		return a.Is4() && a.String() == t
	}
	labels := strings.Split(t, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i] | 0x20
			if !(c >= 'a' && c <= 'z' || l[i] >= '0' && l[i] <= '9' || l[i] == '-') {
				return false
			}
		}
	}
	return true
}

// runHunt searches the context organisation's vault over the hunt's range for its
// indicators, updating the progress as it goes (sweep), and records a hit for each indicator
// seen.
func (s *Service) runHunt(ctx context.Context, id int64) error {
	if s.vault == nil {
		return errNoVault
	}
	var ids []int64
	var from, to time.Time
	var inds []Indicator
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var raw string
		if err := t.QueryRow(`SELECT indicators, range_from, range_to FROM threat_hunts WHERE org_id = $1 AND id = $2`, id).Scan(&raw, &from, &to); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return fmt.Errorf("hunt %d indicators: %w", id, err)
		}
		for _, iid := range ids {
			in, err := indicator(t, iid, now)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			inds = append(inds, in)
		}
		return nil
	})
	if err != nil {
		return err
	}
	idx := stix.NewIndex()
	pats := make([]*stix.Pattern, 0, len(inds))
	for _, in := range inds {
		p, err := stix.ParsePattern(in.Pattern)
		if err != nil {
			return fmt.Errorf("indicator %d: %w", in.ID, err)
		}
		idx.Add(p)
		pats = append(pats, p)
	}
	total, err := s.vault.CountEvents(ctx, from, to)
	if err != nil {
		return err
	}
	if err := s.progress(ctx, id, 0, int64(total)); err != nil {
		return err
	}
	q := vault.Query{From: from, To: to, Hints: huntHints(pats)}
	seen, err := sweep(ctx, s.vault, q, idx, func(scanned int64) error {
		return s.progress(ctx, id, scanned, max(int64(total), scanned))
	})
	if err != nil {
		return err
	}
	hits := 0
	for k, m := range seen {
		if err := s.recordHit(ctx, id, inds[k], m); err != nil {
			return err
		}
		hits++
	}
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		_, err := t.Exec(`UPDATE threat_hunts SET hits = $2 WHERE org_id = $1 AND id = $3`, hits, id)
		return err
	})
}

func (s *Service) progress(ctx context.Context, id, scanned, total int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		_, err := t.Exec(`UPDATE threat_hunts SET scanned = $2, total = $3 WHERE org_id = $1 AND id = $4`, scanned, total, id)
		return err
	})
}

const huntCols = `id, cause, indicators, range_from, range_to, state, scanned, total, hits, error, created_at, started_at, finished_at`

func scanHunt(sc interface{ Scan(...any) error }, now time.Time) (Hunt, error) {
	var h Hunt
	var raw string
	var started, finished sql.NullTime
	if err := sc.Scan(&h.ID, &h.Cause, &raw, &h.From, &h.To, &h.State, &h.Scanned, &h.Total, &h.Hits, &h.Error, &h.CreatedAt, &started, &finished); err != nil {
		return h, err
	}
	var ids []int64
	_ = json.Unmarshal([]byte(raw), &ids)
	h.Indicators = len(ids)
	h.From, h.To, h.CreatedAt = h.From.UTC(), h.To.UTC(), h.CreatedAt.UTC()
	h.StartedAt, h.FinishedAt = nullTime(started), nullTime(finished)
	if h.State == HuntRunning && h.StartedAt != nil && h.Scanned > 0 && h.Total > h.Scanned {
		el := now.Sub(*h.StartedAt).Seconds()
		eta := int64(el / float64(h.Scanned) * float64(h.Total-h.Scanned))
		h.ETASeconds = &eta
	}
	return h, nil
}

// Hunts lists the context organisation's retro-hunts, newest first, at most limit.
func (s *Service) Hunts(ctx context.Context, limit int) ([]Hunt, error) {
	out := []Hunt{}
	now := s.Now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+huntCols+` FROM threat_hunts WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, limit)
		if err != nil {
			return fmt.Errorf("list retro-hunts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHunt(rows, now)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// RunQueued runs the queued retro-hunts now, in the caller's goroutine (the demo seeds its
// hits this way, before anything serves).
func (s *Service) RunQueued(ctx context.Context) error {
	for {
		ran, err := s.runNext(ctx)
		if err != nil || !ran {
			return err
		}
	}
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
