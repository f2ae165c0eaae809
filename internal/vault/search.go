package vault

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Query selects events for Search, Histogram and ExportBundle.
type Query struct {
	// Expr is in the query language of ParseQuery; empty matches all.
	Expr string
	// From and To bound the event time: From <= Time < To. Zero means open.
	From, To time.Time
	// Sources, when not empty, restricts to these source ids (the caller
	// may use it to limit a user to sources they may see).
	Sources []int64
	// Limit is the page size for Search (default 100, at most 10000).
	Limit int
	// Cursor continues a previous Search (Page.Next).
	Cursor string
	// Hints let a sweep that judges every event itself (the threat capability's
	// retro-hunt) skip what cannot concern it: a part is read only when its Bloom
	// filter may hold every token (as the query language splits them) of at least one
	// hint. Unlike Expr, Hints filter no event: Search returns every event in the
	// window of the parts it reads. Each hint costs a few probes of every part's filter
	// and a part is read on any false positive (about 0.3% a hint), so a few dozen hints
	// at most are worth giving. Histogram ignores them.
	Hints []string
	// Fields chooses the fields of the events returned (Histogram ignores it).
	Fields Fields
	// FromSeq, when not zero, leaves out the events before this sequence number: a
	// follower that read the log up to FromSeq reads only what came after.
	FromSeq uint64
}

// Page is one page of search results, newest (highest sequence) first.
type Page struct {
	Events []Event
	// Next is the cursor for the following page; empty at the end.
	Next string
	// BlocksRead and BlocksSkipped show how much the index saved: blocks
	// of which at least one part was read, and blocks of which none was.
	// PartsRead counts the parts read (a block has up to eight).
	BlocksRead, BlocksSkipped, PartsRead int
	// HintSkipped counts the events of the parts in the time window that the Hints
	// ruled out, in the blocks this page passed entirely (a block where the page stops
	// is counted by the page that passes it), so that a sweep's events read plus its
	// events skipped add up to the window's events.
	HintSkipped uint64
}

// Bucket is one histogram bar: events with Start <= Time < Start+bucket.
type Bucket struct {
	Start time.Time `json:"start"`
	Count uint64    `json:"count"`
}

type compiledQuery struct {
	expr     *Expr
	from, to int64
	sources  map[int64]bool
	hints    []*Expr // Query.Hints; nil when none
	fromSeq  uint64
	needle   string // see needleOf
}

func compileQuery(q Query) (*compiledQuery, error) {
	e, err := ParseQuery(q.Expr)
	if err != nil {
		return nil, err
	}
	c := &compiledQuery{expr: e, from: math.MinInt64, to: math.MaxInt64, fromSeq: q.FromSeq, needle: needleOf(e)}
	// No event is stored outside [minTime, maxTime), so a bound beyond it is the same
	// search; clamping keeps UnixNano inside int64 (a year such as 1600 or 9999 would
	// overflow it and turn the range, or a histogram's bucket count, negative).
	if !q.From.IsZero() {
		c.from = boundTime(q.From).UnixNano()
	}
	if !q.To.IsZero() {
		c.to = boundTime(q.To).UnixNano()
	}
	if len(q.Sources) > 0 {
		c.sources = map[int64]bool{}
		for _, s := range q.Sources {
			c.sources[s] = true
		}
	}
	for i, h := range q.Hints {
		he, err := textExpr(h, 0)
		if err != nil {
			return nil, fmt.Errorf("vault: hint %d: %w", i, err)
		}
		c.hints = append(c.hints, he)
	}
	return c, nil
}

// boundTime moves t into [minTime, maxTime].
func boundTime(t time.Time) time.Time {
	switch {
	case t.Before(minTime):
		return minTime
	case t.After(maxTime):
		return maxTime
	}
	return t
}

func (c *compiledQuery) match(ev *Event) bool {
	if ev.Seq < c.fromSeq {
		return false
	}
	t := ev.Time.UnixNano()
	if t < c.from || t >= c.to {
		return false
	}
	if c.sources != nil && !c.sources[ev.SourceID] {
		return false
	}
	return c.expr == nil || c.expr.match(ev)
}

// partMayMatch reports whether part i of a block may hold a match, by its
// time range, the block's sources and the part's filter.
func (c *compiledQuery) partMayMatch(m *blockMeta, i int) bool {
	p := &m.parts[i]
	if p.maxTime < c.from || p.minTime >= c.to {
		return false
	}
	v := partView{m, p}
	if c.sources != nil {
		any := false
		for s := range c.sources {
			if v.hasSource(s) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return c.expr == nil || c.expr.mayMatch(v)
}

// hinted reports whether some hint may be in the part (true without hints).
func (c *compiledQuery) hinted(m *blockMeta, i int) bool {
	if c.hints == nil {
		return true
	}
	v := partView{m, &m.parts[i]}
	for _, h := range c.hints {
		if h.mayMatch(v) {
			return true
		}
	}
	return false
}

// onlyTime reports whether the query needs nothing but event times.
func (c *compiledQuery) onlyTime() bool {
	return c.expr == nil && c.sources == nil && c.hints == nil && c.fromSeq == 0
}

// blockMayMatch reports whether a block holds events of the query's time and sequence range.
// bits is the log's log2 of events per block.
func (c *compiledQuery) blockMayMatch(m *blockMeta, bits uint) bool {
	return m.maxTime >= c.from && m.minTime < c.to && m.no<<bits+m.count > c.fromSeq
}

// snapshot is a consistent view of a log for reading without holding its
// lock: the tail slice and block entries are never modified in place.
type snapshot struct {
	tail   []Event
	recent []Event // Log.recent: the last sealed block's events
	blocks []blockRef
}

type blockRef struct {
	seg *segment
	m   *blockMeta
}

// partRef is one part of a block.
type partRef struct {
	blockRef
	part int
}

func (l *Log) snapshot() snapshot {
	l.mu.RLock()
	defer l.mu.RUnlock()
	s := snapshot{tail: l.tail, recent: l.recent}
	for _, seg := range l.segs {
		for _, m := range seg.blocks {
			s.blocks = append(s.blocks, blockRef{seg, m})
		}
	}
	return s
}

// readRef reads a block through a snapshot reference (no lock needed: the
// file handle stays valid even if retention removes the file meanwhile).
func (l *Log) readRef(r blockRef, mask colMask) ([]Event, error) {
	m := r.m
	buf := make([]byte, m.flen)
	if _, err := r.seg.dat.ReadAt(buf, m.off); err != nil {
		return nil, fmt.Errorf("read block %d of %s: %w", m.no, segName(r.seg.first), err)
	}
	p, _, err := readFrame(buf, magicBlock)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", m.no, segName(r.seg.first), err)
	}
	if crc32.Checksum(p, castagnoli) != m.crc {
		return nil, fmt.Errorf("block %d of %s: checksum differs from index", m.no, segName(r.seg.first))
	}
	evs, err := decodeBlock(p, l.org, mask, 1<<l.bits)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", m.no, segName(r.seg.first), err)
	}
	l.v.stats.blocksRead.Add(1)
	return evs, nil
}

// Search returns matching events newest first, one page at a time.
func (v *Vault) Search(ctx context.Context, orgID int64, q Query) (Page, error) {
	var page Page
	cq, err := compileQuery(q)
	if err != nil {
		return page, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 10000 {
		return page, fmt.Errorf("vault: search limit %d: at most 10000", limit)
	}
	before := uint64(math.MaxUint64)
	if q.Cursor != "" {
		if before, err = strconv.ParseUint(q.Cursor, 10, 64); err != nil {
			return page, fmt.Errorf("vault: search cursor %q is not one this vault issued", q.Cursor)
		}
	}
	if err := ctx.Err(); err != nil {
		return page, fmt.Errorf("vault: search: %w", err)
	}
	v.stats.searches.Add(1)
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return page, err
	}
	snap := l.snapshot()
	mask := cq.mask(q.Fields)
	add := func(ev *Event) bool {
		if ev.Seq >= before || !cq.match(ev) {
			return false
		}
		page.Events = append(page.Events, *ev)
		mask.project(&page.Events[len(page.Events)-1])
		if len(page.Events) == limit {
			page.Next = strconv.FormatUint(ev.Seq, 10)
			return true
		}
		return false
	}
	for i := len(snap.tail) - 1; i >= 0; i-- {
		if add(&snap.tail[i]) {
			return page, nil
		}
	}
	var cands []partRef // grouped by block, newest block first
	// hintSkipped[i] is what the hints ruled out of snap.blocks[i]; passed adds it up
	// for the blocks newer than the one a page stops in.
	var hintSkipped []uint64
	if cq.hints != nil {
		hintSkipped = make([]uint64, len(snap.blocks))
	}
	passed := func(stop *blockMeta) uint64 {
		var n uint64
		for i := len(snap.blocks) - 1; i >= 0 && snap.blocks[i].m != stop; i-- {
			n += hintSkipped[i]
		}
		return n
	}
	for i := len(snap.blocks) - 1; i >= 0; i-- {
		r := snap.blocks[i]
		any := false
		if r.m.no<<l.bits < before && cq.blockMayMatch(r.m, l.bits) {
			for j := range r.m.parts {
				if !cq.partMayMatch(r.m, j) {
					continue
				}
				if !cq.hinted(r.m, j) {
					hintSkipped[i] += r.m.parts[j].count
					continue
				}
				cands = append(cands, partRef{r, j})
				any = true
			}
		}
		if !any {
			page.BlocksSkipped++
			v.stats.blocksSkipped.Add(1)
		}
	}
	// Decode candidate parts in windows on all cores, then scan each
	// window newest first. A window holds whole blocks: parts are cut in
	// host order, so a block's events are in sequence order only once its
	// parts are merged. The first window is one block so a common term
	// costs one block's parts; later windows grow to keep every core busy
	// when matches are sparse.
	w := 1
	for len(cands) > 0 {
		if err := ctx.Err(); err != nil {
			return page, fmt.Errorf("vault: search: %w", err)
		}
		n := min(w, len(cands))
		for n < len(cands) && cands[n].m == cands[n-1].m {
			n++
		}
		win := cands[:n]
		cands = cands[n:]
		decoded := make([][]Event, len(win))
		errs := make([]error, len(win))
		var wg sync.WaitGroup
		for k := range win {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Keep only the matches, here on every core: a block's
				// parts are then merged and sorted cheaply.
				decoded[k], errs[k] = l.searchPart(win[k], cq, before, mask)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return page, fmt.Errorf("vault: search: %w", err)
		}
		for k := 0; k < len(win); {
			e := k + 1
			for e < len(win) && win[e].m == win[k].m {
				e++
			}
			parts := decoded[k:e]
			order := seqOrder(parts)
			page.BlocksRead++
			page.PartsRead += e - k
			for j := len(order) - 1; j >= 0; j-- {
				if add(&parts[order[j].part][order[j].i]) {
					if hintSkipped != nil {
						page.HintSkipped = passed(win[k].m)
					}
					return page, nil
				}
			}
			k = e
		}
		w = min(2*w, 2*runtime.GOMAXPROCS(0))
	}
	if hintSkipped != nil {
		page.HintSkipped = passed(nil)
	}
	return page, nil
}

// searchScratch keeps Search's decoding buffers between parts.
var searchScratch = sync.Pool{New: func() any { return new(decodeScratch) }}

// searchPart returns the events of part r before sequence number before that cq matches,
// with the columns of mask. It decodes the columns cq matches on first and the others
// only when something matched: most parts a rare term's filters let through hold no
// match (a false positive, or the term inside another token), and a part with matches
// costs its first columns twice.
func (l *Log) searchPart(r partRef, cq *compiledQuery, before uint64, mask colMask) ([]Event, error) {
	sc := searchScratch.Get().(*decodeScratch)
	defer searchScratch.Put(sc)
	evs, err := l.readPart(r, cq.matchCols(), sc)
	if err != nil {
		return nil, err
	}
	var at []int
	cq.matchEach(evs, sc, func(j int) {
		if evs[j].Seq < before {
			at = append(at, j)
		}
	})
	if len(at) == 0 {
		return nil, nil
	}
	if sc.src == nil {
		// A block of the first version, read whole: no part to go back to, and its
		// events' order may depend on the columns read. Read it again with them all.
		all, err := l.readPart(r, mask, nil)
		kept := all[:0]
		cq.matchEach(all, nil, func(j int) {
			if all[j].Seq < before {
				kept = append(kept, all[j])
			}
		})
		return kept, err
	}
	if err := sc.decodeMore(sc.src, mask); err != nil {
		return nil, fmt.Errorf("block %d of %s, part %d: %w", r.m.no, segName(r.seg.first), r.part, err)
	}
	kept := make([]Event, len(at))
	for i, j := range at {
		kept[i] = evs[j]
		kept[i].Raw = bytes.Clone(kept[i].Raw) // it points into the buffers, which are reused
	}
	return kept, nil
}

// eventRef is an event of one of a block's parts, by its sequence number.
type eventRef struct {
	seq     uint64
	part, i int32
}

// seqOrder puts the events of a block's parts in sequence order (a part is cut in host
// order, so not even one part is in sequence order). It sorts these small references rather than the events: an Event is about 200
// bytes with pointers, and moving thousands of them in a sort (with the collector's write
// barriers) cost a retro-hunt a third of its time.
func seqOrder(parts [][]Event) []eventRef {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]eventRef, 0, n)
	for pi, p := range parts {
		for i := range p {
			out = append(out, eventRef{seq: p[i].Seq, part: int32(pi), i: int32(i)})
		}
	}
	slices.SortFunc(out, func(a, b eventRef) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// maxBuckets bounds histogram output.
const maxBuckets = 10000

// Histogram counts matching events per time bucket (aligned to the Unix
// epoch) over [q.From, q.To). Both bounds are required. Limit and Cursor
// are ignored.
func (v *Vault) Histogram(ctx context.Context, orgID int64, q Query, bucket time.Duration) ([]Bucket, error) {
	if bucket <= 0 {
		return nil, errors.New("vault: histogram bucket must be positive")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return nil, errors.New("vault: histogram needs From before To")
	}
	q.Hints = nil // they would leave events uncounted
	cq, err := compileQuery(q)
	if err != nil {
		return nil, err
	}
	bn := int64(bucket)
	start := floorDiv(cq.from, bn) * bn
	// Offsets from start are taken as uint64: the range may span more than an int64 of
	// nanoseconds (1900 to 2200 does), never more than a uint64.
	ubn := uint64(bn)
	n := (uint64(cq.to)-uint64(start))/ubn + 1
	if (uint64(cq.to)-uint64(start))%ubn == 0 {
		n--
	}
	if n > maxBuckets {
		return nil, fmt.Errorf("vault: histogram of %d buckets: at most %d; use a wider bucket", n, maxBuckets)
	}
	// slot is the bucket of a time t >= start.
	slot := func(t int64) uint64 { return (uint64(t) - uint64(start)) / ubn }
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vault: histogram: %w", err)
	}
	counts := make([]uint64, n)
	count := func(ev *Event) {
		if cq.match(ev) {
			counts[slot(ev.Time.UnixNano())]++
		}
	}
	v.stats.searches.Add(1)
	l, err := v.log(orgID, false)
	if err != nil {
		return nil, err
	}
	if l != nil {
		snap := l.snapshot()
		for i := range snap.tail {
			count(&snap.tail[i])
		}
		mask := cq.matchCols()
		// Blocks are independent: decode them on all cores, each worker
		// with its own counts, and add up.
		var todo []partRef
		for _, r := range snap.blocks {
			m := r.m
			if !cq.blockMayMatch(m, l.bits) {
				v.stats.blocksSkipped.Add(1)
				continue
			}
			for j := range m.parts {
				p := &m.parts[j]
				if !cq.partMayMatch(m, j) {
					continue
				}
				// Whole part inside the range and inside one bucket:
				// count from the index alone.
				if cq.onlyTime() && p.minTime >= cq.from && p.maxTime < cq.to &&
					slot(p.minTime) == slot(p.maxTime) {
					counts[slot(p.minTime)] += p.count
					continue
				}
				todo = append(todo, partRef{r, j})
			}
		}
		workers := min(runtime.GOMAXPROCS(0), len(todo))
		partial := make([][]uint64, workers)
		errs := make([]error, workers)
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			partial[w] = make([]uint64, n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var sc decodeScratch // nothing decoded is kept past its part
				for {
					i := int(next.Add(1)) - 1
					if i >= len(todo) {
						return
					}
					if err := ctx.Err(); err != nil {
						errs[w] = fmt.Errorf("vault: histogram: %w", err)
						return
					}
					evs, err := l.readPart(todo[i], mask, &sc)
					if err != nil {
						errs[w] = fmt.Errorf("vault: histogram: %w", err)
						return
					}
					cq.matchEach(evs, &sc, func(j int) { partial[w][slot(evs[j].Time.UnixNano())]++ })
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		for _, p := range partial {
			for i, c := range p {
				counts[i] += c
			}
		}
	}
	out := make([]Bucket, n)
	for i := range out {
		out[i] = Bucket{Start: time.Unix(0, start+int64(i)*bn).UTC(), Count: counts[i]}
	}
	return out, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
