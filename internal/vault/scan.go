package vault

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// Scan calls fn with every event q matches: the events paging through Search with q would
// return (Expr, From, To, Sources, Hints and Fields as there; Limit and Cursor ignored),
// but a part at a time as the parts are decoded, in no particular order, and without
// copying them into pages. It is for a sweep that reads the whole of a range and judges
// every event itself (the threat capability's retro-hunt), where Search's merge of each
// block into sequence order and its pages cost more than the decoding.
//
// fn is called from one goroutine at a time, and evs is valid only until it returns (the
// buffers are reused for the next part). covered is the number of events passed to fn or
// ruled out by q.Hints so far, for a progress line. An error from fn or ctx stops the scan
// and is returned.
func (v *Vault) Scan(ctx context.Context, orgID int64, q Query, fn func(evs []Event, covered uint64) error) error {
	cq, err := compileQuery(q)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("vault: scan: %w", err)
	}
	v.stats.searches.Add(1)
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return err
	}
	snap := l.snapshot()
	var covered uint64
	mask := cq.mask(q.Fields)
	// Events held in memory, in sequence order: the tail, and for a follower (which has
	// no hints to skip parts by) the last sealed block's, so that keeping up with the
	// head decompresses nothing. FromSeq passes over most of them.
	inMemory := func(evs []Event) error {
		newer := evs[sort.Search(len(evs), func(i int) bool { return evs[i].Seq >= cq.fromSeq }):]
		out := make([]Event, 0, len(newer))
		for i := range newer {
			if cq.match(&newer[i]) {
				out = append(out, newer[i])
				mask.project(&out[len(out)-1])
			}
		}
		if len(out) == 0 {
			return nil
		}
		covered += uint64(len(out))
		return fn(out, covered)
	}
	if err := inMemory(snap.tail); err != nil {
		return err
	}
	var recentNo uint64 = math.MaxUint64 // the block snap.recent holds
	if cq.fromSeq > 0 && cq.hints == nil && len(snap.recent) > 0 {
		recentNo = snap.recent[0].Seq >> l.bits
	}
	// todo is every part to read, newest first; skipped[i] the events the hints ruled
	// out since the part before it, counted as covered when todo[i] is.
	var todo []partRef
	var skipped []uint64
	var ruledOut uint64
	for i := len(snap.blocks) - 1; i >= 0; i-- {
		r := snap.blocks[i]
		if !cq.blockMayMatch(r.m, l.bits) {
			v.stats.blocksSkipped.Add(1)
			continue
		}
		if r.m.no == recentNo {
			if err := inMemory(snap.recent); err != nil {
				return err
			}
			continue
		}
		for j := range r.m.parts {
			if !cq.partMayMatch(r.m, j) {
				continue
			}
			if !cq.hinted(r.m, j) {
				ruledOut += r.m.parts[j].count
				continue
			}
			todo = append(todo, partRef{r, j})
			skipped = append(skipped, ruledOut)
			ruledOut = 0
		}
	}
	if err := l.scanParts(ctx, cq, mask, todo, func(i int, evs []Event) error {
		covered += uint64(len(evs)) + skipped[i]
		return fn(evs, covered)
	}); err != nil {
		return err
	}
	if ruledOut > 0 {
		covered += ruledOut
		return fn(nil, covered)
	}
	return nil
}

// scanParts decodes todo on all cores, each goroutine into buffers of its own, and calls
// fn (from this goroutine) with each part's matching events as it is ready: i is the
// part's place in todo.
func (l *Log) scanParts(ctx context.Context, cq *compiledQuery, mask colMask, todo []partRef, fn func(i int, evs []Event) error) error {
	if len(todo) == 0 {
		return nil
	}
	type result struct {
		i   int
		evs []Event
		sc  *decodeScratch
		err error
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	// One set of buffers more than workers: a goroutine decodes the next part while fn
	// reads the last one.
	free := make(chan *decodeScratch, workers+1)
	for range workers + 1 {
		free <- new(decodeScratch)
	}
	out := make(chan result, workers)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var sc *decodeScratch
				select {
				case sc = <-free:
				case <-sctx.Done():
					return
				}
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				evs, err := l.readPart(todo[i], mask, sc)
				kept := evs[:0]
				cq.matchEach(evs, sc, func(j int) { kept = append(kept, evs[j]) })
				select {
				case out <- result{i, kept, sc, err}:
				case <-sctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	var ferr error
	for r := range out {
		if ferr != nil {
			continue // draining: the goroutines stop at their next step
		}
		switch {
		case r.err != nil:
			ferr = fmt.Errorf("vault: scan: %w", r.err)
		case ctx.Err() != nil:
			ferr = fmt.Errorf("vault: scan: %w", ctx.Err())
		default:
			ferr = fn(r.i, r.evs)
		}
		if ferr != nil {
			cancel()
			continue
		}
		free <- r.sc
	}
	if ferr == nil && ctx.Err() != nil {
		// The goroutines saw the end first and stopped before every part was passed.
		ferr = fmt.Errorf("vault: scan: %w", ctx.Err())
	}
	return ferr
}
