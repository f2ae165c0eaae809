package logs

import (
	"context"
	"fmt"
	"slices"
	"time"

	"ciiguard/internal/store"
)

// take hands over what was refused since the last call, for the flush to store.
func (u *unknownSenders) take() []UnknownSender {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]UnknownSender, 0, len(u.pending))
	for _, p := range u.pending {
		out = append(out, *p)
	}
	clear(u.pending)
	return out
}

// giveBack returns refusals a flush could not store, to be stored by the next one.
func (u *unknownSenders) giveBack(ps []UnknownSender) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range ps {
		key := [2]string{p.Address, p.Transport}
		q := u.pending[key]
		if q == nil {
			if len(u.pending) >= unknownMax {
				continue // newer refusals came meanwhile and fill the bound
			}
			c := p
			u.pending[key] = &c
			continue
		}
		q.Count += p.Count
		q.FirstSeen = p.FirstSeen // the returned ones are older than any noted since
		if q.Sample == "" {
			q.Sample = p.Sample
		}
	}
}

// overlay adds to the list the nodes share (stored) what this node refused since its last
// flush, and returns the senders of the last unknownKeep that resolve to no source.
func (u *unknownSenders) overlay(stored []UnknownSender, now time.Time, known func(addr string) bool) []UnknownSender {
	at := make(map[[2]string]int, len(stored))
	for i, s := range stored {
		at[[2]string{s.Address, s.Transport}] = i
	}
	u.mu.Lock()
	for key, p := range u.pending {
		i, ok := at[key]
		if !ok {
			stored = append(stored, *p)
			continue
		}
		s := &stored[i]
		s.Count += p.Count
		if p.FirstSeen.Before(s.FirstSeen) {
			s.FirstSeen = p.FirstSeen
		}
		if p.LastSeen.After(s.LastSeen) {
			s.LastSeen = p.LastSeen
			if p.Sample != "" {
				s.Sample = p.Sample
			}
		}
	}
	u.mu.Unlock()
	stored = slices.DeleteFunc(stored, func(s UnknownSender) bool { return now.Sub(s.LastSeen) > unknownKeep })
	return newestUnknown(stored, known)
}

// flushUnknown adds what this node refused since its last flush to the list every node
// shares, and keeps that list to the same bounds as a node's memory: senders heard from
// within unknownKeep, the unknownMax most recent. Refusals it could not store are kept for
// the next flush.
func (m *Module) flushUnknown(ctx context.Context) error {
	if m.unknown == nil {
		return nil
	}
	ps := m.unknown.take()
	if len(ps) == 0 {
		return nil
	}
	now := m.now().UTC().Truncate(time.Microsecond)
	err := m.d.DB.Write(ctx, func(tx *store.Tx) error {
		for _, p := range ps {
			// A sample replaces the stored one only when it is newer and not empty (a
			// connection that sent nothing in time has none).
			if _, err := tx.Exec(`INSERT INTO log_unknown_senders (address, transport, refused, first_seen, last_seen, sample)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (address, transport) DO UPDATE SET
					refused = log_unknown_senders.refused + excluded.refused,
					first_seen = CASE WHEN excluded.first_seen < log_unknown_senders.first_seen THEN excluded.first_seen ELSE log_unknown_senders.first_seen END,
					sample = CASE WHEN excluded.last_seen >= log_unknown_senders.last_seen AND excluded.sample <> '' THEN excluded.sample ELSE log_unknown_senders.sample END,
					last_seen = CASE WHEN excluded.last_seen > log_unknown_senders.last_seen THEN excluded.last_seen ELSE log_unknown_senders.last_seen END`,
				p.Address, p.Transport, int64(p.Count), p.FirstSeen.UTC().Truncate(time.Microsecond), p.LastSeen.UTC().Truncate(time.Microsecond), p.Sample); err != nil {
				return fmt.Errorf("store unknown syslog sender %s (%s): %w", p.Address, p.Transport, err)
			}
		}
		if _, err := tx.Exec(`DELETE FROM log_unknown_senders WHERE last_seen < $1`, now.Add(-unknownKeep)); err != nil {
			return fmt.Errorf("forget unknown syslog senders silent for %v: %w", unknownKeep, err)
		}
		if _, err := tx.Exec(`DELETE FROM log_unknown_senders WHERE last_seen < (
				SELECT last_seen FROM log_unknown_senders ORDER BY last_seen DESC LIMIT 1 OFFSET $1)`, unknownMax-1); err != nil {
			return fmt.Errorf("keep the %d most recent unknown syslog senders: %w", unknownMax, err)
		}
		return nil
	})
	if err != nil {
		m.unknown.giveBack(ps)
	}
	return err
}

// storedUnknown reads the list the nodes share: the senders heard from within
// unknownKeep, the most recent first.
func (m *Module) storedUnknown(ctx context.Context, now time.Time) ([]UnknownSender, error) {
	var out []UnknownSender
	err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT address, transport, refused, first_seen, last_seen, sample FROM log_unknown_senders
			WHERE last_seen >= $1 ORDER BY last_seen DESC LIMIT $2`, now.UTC().Add(-unknownKeep), unknownMax)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s UnknownSender
			var n int64
			if err := rows.Scan(&s.Address, &s.Transport, &n, &s.FirstSeen, &s.LastSeen, &s.Sample); err != nil {
				return err
			}
			s.Count = uint64(n)
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read unknown syslog senders: %w", err)
	}
	return out, nil
}
