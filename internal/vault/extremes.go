package vault

import (
	"context"
	"fmt"
	"math"
)

// Extremes returns the newest and the oldest event (by arrival, that is by
// sequence number) that match q's expression and sources at any time: q's
// time range, limit and cursor are ignored. It tells a user whose search
// of a time range found nothing where the query's events are — typically a
// device whose clock is wrong, so its events fall outside the window. Both
// are nil when no event matches.
func (v *Vault) Extremes(ctx context.Context, orgID int64, q Query) (newest, oldest *Event, err error) {
	all := Query{Expr: q.Expr, Sources: q.Sources, Limit: 1}
	p, err := v.Search(ctx, orgID, all)
	if err != nil || len(p.Events) == 0 {
		return nil, nil, err
	}
	newest = &p.Events[0]
	cq, err := compileQuery(all)
	if err != nil {
		return nil, nil, err
	}
	cq.from, cq.to = math.MinInt64, math.MaxInt64
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return newest, nil, err
	}
	snap := l.snapshot()
	// Oldest first: the first block with a match holds the oldest one.
	for _, r := range snap.blocks {
		var best *Event
		for j := range r.m.parts {
			if !cq.partMayMatch(r.m, j) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return newest, nil, fmt.Errorf("vault: extremes: %w", err)
			}
			evs, err := l.readPart(partRef{r, j}, allCols, nil)
			if err != nil {
				return newest, nil, fmt.Errorf("vault: extremes: %w", err)
			}
			for k := range evs {
				if cq.match(&evs[k]) && (best == nil || evs[k].Seq < best.Seq) {
					ev := evs[k]
					best = &ev
				}
			}
		}
		if best != nil {
			return newest, best, nil
		}
	}
	for i := range snap.tail {
		if cq.match(&snap.tail[i]) {
			ev := snap.tail[i]
			return newest, &ev, nil
		}
	}
	return newest, newest, nil
}
