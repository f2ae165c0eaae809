package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

type appendReq struct {
	evs    []Event
	leaves [][32]byte
	data   [][]byte
	key    *BatchKey // nil: the sender gave none
	first  uint64
	// replayed says the key's batch was stored before: nothing was
	// appended and first is that batch's.
	replayed bool
	err      error
	done     chan struct{}
}

// loadWAL reads the unsealed tail from the WAL without rewriting it. An
// incomplete final frame (the file ends before its header says the frame
// does: a write that crashed before its fsync, so never acknowledged) is
// cut off and the cut logged with its range. Any complete frame that fails
// its checksum, and any event no frame holds, is a *WALDamageError: the
// log stays stopped rather than lose acknowledged events in silence.
func (l *Log) loadWAL() error {
	path := filepath.Join(l.dir, "wal")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read wal: %w", err)
	}
	sealedNext := l.sealed << l.bits
	s := scanWAL(b, sealedNext)
	for _, bad := range s.bad {
		if bad.known && bad.first+bad.n <= sealedNext {
			// Every event it held is already in a block: nothing is lost,
			// and the next seal rewrites the WAL without these bytes.
			l.damage(Problem{Block: -1, Seq: -1, What: fmt.Sprintf("wal bytes %d..%d are damaged (%s); their events are sealed in blocks", bad.off, bad.end, bad.reason)})
			continue
		}
		if l.v.readOnly {
			// Read what is intact before the damage; Verify reports it.
			de := l.walDamage(path, bad).(*WALDamageError)
			l.damage(Problem{Block: -1, Seq: int64(de.FirstSeq), LastSeq: walLastSeq(de), What: de.Error()})
			s.frames = framesBefore(s.frames, bad.off)
			break
		}
		return l.walDamage(path, bad)
	}
	if err := l.loadFrames(path, s.frames, sealedNext); err != nil {
		var de *WALDamageError
		if !l.v.readOnly || !errors.As(err, &de) {
			return err
		}
		l.damage(Problem{Block: -1, Seq: int64(de.FirstSeq), LastSeq: walLastSeq(de), What: de.Error()})
	}
	if s.torn >= 0 && l.v.readOnly {
		l.cuts = append(l.cuts, fmt.Sprintf("wal offset %d: an incomplete last frame of %d bytes (not read; a writing open cuts it)", s.torn, len(b)-s.torn))
	} else if s.torn >= 0 {
		what := "an unknown number of events"
		if s.tornCount > 0 {
			what = lostRange(s.tornFirst, s.tornCount, true)
		}
		if next := l.sizeLocked(); s.tornCount > 0 && s.tornFirst+s.tornCount <= next {
			what += ", already sealed"
		}
		l.v.opts.Logger.Warn("vault: cut an incomplete last WAL frame (a write that never completed, so never acknowledged)",
			"org", l.org, "file", path, "offset", s.torn, "bytes", len(b)-s.torn, "held", what)
		l.cuts = append(l.cuts, fmt.Sprintf("wal offset %d: cut %d bytes of an incomplete last frame (%s)", s.torn, len(b)-s.torn, what))
		if err := truncatePath(path, int64(s.torn)); err != nil {
			return err
		}
	}
	return nil
}

// loadFrames appends the events of intact frames past the sealed blocks
// to the tail, in order.
func (l *Log) loadFrames(path string, frames []walFrame, sealedNext uint64) error {
	next := sealedNext
	for _, f := range frames {
		if f.keys {
			bs, err := parseKeysFrame(f.payload)
			if err != nil {
				return l.walDamage(path, walBad{off: f.off, end: f.end, first: f.first, known: true, reason: "intact keys frame does not decode: " + err.Error()})
			}
			l.keys.add(l.v.now(), bs...)
			continue
		}
		d := decoder{b: f.payload}
		for i := uint64(0); i < f.count; i++ {
			data := d.bytes()
			seq := f.first + i
			bad := func(reason string) error {
				return l.walDamage(path, walBad{off: f.off, end: f.end, first: seq, n: f.first + f.count - seq, known: true, reason: reason})
			}
			if d.err != nil {
				return bad("intact frame does not decode: " + d.err.Error())
			}
			if seq < next {
				continue // already sealed into a block
			}
			if seq > next {
				return l.walDamage(path, walBad{off: f.off, end: f.off, first: next, n: seq - next, known: true,
					reason: fmt.Sprintf("no frame holds events %d–%d", next, seq-1)})
			}
			ev, err := ParseLeafData(data)
			if err != nil {
				return bad(fmt.Sprintf("event %d: %v", seq, err))
			}
			if ev.OrgID != l.org {
				return bad(fmt.Sprintf("event %d belongs to organisation %d", seq, ev.OrgID))
			}
			ev.Seq = seq
			l.tail = append(l.tail, ev)
			l.tailLeaves = append(l.tailLeaves, LeafHash(data))
			next++
		}
		if len(d.b) != 0 {
			return l.walDamage(path, walBad{off: f.off, end: f.end, first: f.first, n: f.count, known: true, reason: "intact frame has bytes after its events"})
		}
	}
	return nil
}

func framesBefore(fs []walFrame, off int) []walFrame {
	for i, f := range fs {
		if f.off >= off {
			return fs[:i]
		}
	}
	return fs
}

// walLastSeq is the last sequence number a damage holds (-1: unknown).
func walLastSeq(e *WALDamageError) int64 {
	if !e.Known || e.Count == 0 {
		return -1
	}
	return int64(e.FirstSeq + e.Count - 1)
}

func (l *Log) walDamage(path string, bad walBad) error {
	return &WALDamageError{Org: l.org, File: path, Offset: int64(bad.off), Length: int64(bad.end - bad.off),
		FirstSeq: bad.first, Count: bad.n, Known: bad.known, Reason: bad.reason}
}

// maxKeptWALBuf bounds the commit buffer a log keeps between commits.
const maxKeptWALBuf = 16 << 20

// writer is the log's single writing goroutine: it gathers every queued
// Append into one WAL write and one fsync (group commit), then publishes
// the events and seals full blocks.
func (l *Log) writer() {
	defer close(l.done)
	for req := range l.reqs {
		batch := []*appendReq{req}
		n := len(req.evs)
	gather:
		for n < l.v.opts.MaxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				n += len(r.evs)
			default:
				break gather
			}
		}
		err := l.commit(batch)
		for _, r := range batch {
			if err != nil {
				r.err = err
			}
			close(r.done)
		}
	}
}

func (l *Log) commit(batch []*appendReq) error {
	l.mu.RLock()
	failed := l.failed
	next := l.sizeLocked()
	l.mu.RUnlock()
	if failed != nil {
		return fmt.Errorf("vault: org %d log is out of service after a write error: %w", l.org, failed)
	}
	rec := l.walBuf[:0]
	first := next
	now := l.v.now()
	var keyed []keyedBatch
	for _, r := range batch {
		if r.key != nil && l.replay(r, keyed, now) {
			continue
		}
		r.first = next
		for i := range r.evs {
			r.evs[i].Seq = next
			next++
		}
		rec = appendWALFrame(rec, r.evs, r.data)
		if r.key != nil {
			keyed = append(keyed, keyedBatch{id: r.key.ID, sum: r.key.Sum, first: r.first, count: uint64(len(r.evs)), at: now.UnixMilli()})
		}
	}
	if next == first {
		return nil // every request was a replay
	}
	// The keys go in the same write as their events: durable together.
	rec = appendKeysFrame(rec, first, keyed)
	if cap(rec) <= maxKeptWALBuf {
		l.walBuf = rec // only the writer goroutine uses it
	}
	fail := func(err error) error {
		l.mu.Lock()
		l.failed, l.failedAt = err, time.Now()
		l.mu.Unlock()
		return fmt.Errorf("vault: org %d: %w", l.org, err)
	}
	if err := l.wal.append(rec, first, next-first); err != nil {
		return fail(err)
	}
	l.v.stats.commits.Add(1)
	l.keys.add(now, keyed...)
	l.mu.Lock()
	for _, r := range batch {
		if r.replayed {
			continue
		}
		l.tail = append(l.tail, r.evs...)
		l.tailLeaves = append(l.tailLeaves, r.leaves...)
		l.v.stats.events.Add(uint64(len(r.evs)))
	}
	l.mu.Unlock()
	sealedAny := false
	for uint64(len(l.tail)) >= l.blockSize() {
		if err := l.sealNext(); err != nil {
			return fail(err)
		}
		sealedAny = true
	}
	if sealedAny {
		if err := l.wal.sealed(); err != nil {
			return fail(err)
		}
	}
	return nil
}

// replay answers a keyed request whose key was stored before, by an
// earlier commit or earlier in this one (pending): it reports whether r
// was one, with the stored batch's first event or ErrBatchKeyReused.
func (l *Log) replay(r *appendReq, pending []keyedBatch, now time.Time) bool {
	b, ok := l.keys.get(r.key.ID, now)
	for _, p := range pending {
		if p.id == r.key.ID {
			b, ok = p, true
		}
	}
	if !ok {
		return false
	}
	r.replayed, r.first = true, b.first
	if b.sum != r.key.Sum || b.count != uint64(len(r.evs)) {
		r.err = fmt.Errorf("vault: org %d: batch key %q: %w (stored as events %d–%d)", l.org, r.key.ID, ErrBatchKeyReused, b.first, b.first+b.count-1)
	}
	return true
}

// append queues prepared events for the writer and waits for durability.
func (l *Log) append(ctx context.Context, req *appendReq) error {
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		if l.gone.Load() {
			return fmt.Errorf("vault: org %d log was closed on losing its writer lease: %w", l.org, ErrWriterLost)
		}
		return errors.New("vault: closed")
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return fmt.Errorf("vault: append not queued: %w", ctx.Err())
	}
	l.closeMu.RUnlock()
	select {
	case <-req.done:
		return req.err
	case <-ctx.Done():
		// The events may still be committed; the caller cannot know.
		return fmt.Errorf("vault: append queued but not confirmed: %w", ctx.Err())
	}
}
