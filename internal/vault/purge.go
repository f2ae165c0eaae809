package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Hold is a legal hold: segments with events in its time range (on event
// or reception time) from its sources are never purged. Zero From/To are
// open ends; empty Sources means all sources.
type Hold struct {
	From, To time.Time
	Sources  []int64
	Reason   string
}

// PurgeResult says what Purge removed and what holds kept.
type PurgeResult struct {
	Segments     []string // removed segments
	Blocks       uint64
	Events       uint64
	BytesFreed   int64
	HeldSegments []string // old enough but kept by a hold
}

// Purge removes whole segments whose every event was received before
// cutoff, except segments overlapping a hold and the segment still being
// written. Block roots, checkpoints and the few inner hashes checkpoints
// need stay, so the tree still verifies and kept events keep their proofs.
//
// Network logs must be kept at least six months (CSL 2016 Art. 21(3), CSL
// 2025 Art. 23(3)); Purge refuses a cutoff later than now - MinRetention.
func (v *Vault) Purge(ctx context.Context, orgID int64, cutoff time.Time, holds []Hold) (PurgeResult, error) {
	var res PurgeResult
	if v.readOnly {
		return res, ErrReadOnly
	}
	if limit := v.now().Add(-MinRetention); cutoff.After(limit) {
		return res, fmt.Errorf("vault: purge cutoff %s would delete logs younger than six months (limit %s): network logs must be kept at least 6 months under CSL 2016 Art. 21(3) / CSL 2025 Art. 23(3)",
			cutoff.UTC().Format(time.RFC3339), limit.UTC().Format(time.RFC3339))
	}
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return res, err
	}
	l.purgeMu.Lock()
	defer l.purgeMu.Unlock()
	res, err = l.purgeBefore(ctx, cutoff, holds)
	if err != nil || v.store == nil {
		return res, err
	}
	return res, l.deleteObjects(ctx, l.deletesOwed)
}

func (l *Log) purgeBefore(ctx context.Context, cutoff time.Time, holds []Hold) (PurgeResult, error) {
	var res PurgeResult
	cut := cutoff.UnixNano()
	l.mu.RLock()
	segs := append([]*segment(nil), l.segs...)
	sealed := l.sealed
	cps := append([]*checkpoint(nil), l.cps...)
	state := purgeState{Segments: append([]purgedSegment(nil), l.purge.Segments...), Nodes: map[string]string{}}
	for k, h := range l.purge.Nodes {
		state.Nodes[k] = h
	}
	l.mu.RUnlock()

	bb := l.bits

	var victims []*segment
	for _, s := range segs {
		if len(s.blocks) == 0 || s.end() >= sealed {
			continue // the segment being written
		}
		old := true
		for _, m := range s.blocks {
			if m.maxRecv >= cut {
				old = false
				break
			}
		}
		if !old {
			continue
		}
		if heldBy(s, holds) {
			res.HeldSegments = append(res.HeldSegments, segName(s.first))
			continue
		}
		victims = append(victims, s)
	}
	if len(victims) == 0 {
		return res, nil
	}
	if l.v.store != nil {
		// The segments' data is still in the store until deleteObjects;
		// a crash before it leaves objects that attachStore finds owed.
		for _, s := range victims {
			l.deletesOwed = append(l.deletesOwed, segName(s.first)+".dat", segName(s.first)+".idx")
		}
	}
	now := l.v.now().UTC()
	for _, s := range victims {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("vault: purge: %w", err)
		}
		ps := purgedSegment{First: s.first, End: s.end(), PurgedAt: now}
		for i, m := range s.blocks {
			if i == 0 || m.minTime < ps.MinTime.UnixNano() {
				ps.MinTime = timeFromNanos(m.minTime)
			}
			if m.maxTime > ps.MaxTime.UnixNano() {
				ps.MaxTime = timeFromNanos(m.maxTime)
			}
			if m.maxRecv > ps.MaxRecv.UnixNano() {
				ps.MaxRecv = timeFromNanos(m.maxRecv)
			}
			ps.Events += m.count
			// Keep the inner hashes a checkpoint inside this block needs:
			// the nodes on and beside the paths of its last leaf and the
			// leaf after it. Every range hash a proof or root at that size
			// needs inside the block is made of such nodes.
			var need []nodeKey
			for _, c := range cps {
				if c.size <= m.no<<bb || c.size >= (m.no+1)<<bb {
					continue
				}
				for _, leaf := range []uint64{c.size - 1, c.size} {
					for lvl := uint(0); lvl < bb; lvl++ {
						idx := leaf >> lvl
						need = append(need, nodeKey{lvl, idx}, nodeKey{lvl, idx ^ 1})
					}
				}
			}
			if len(need) == 0 {
				continue
			}
			evs, err := l.readRef(blockRef{s, m}, allCols)
			if err != nil {
				return res, fmt.Errorf("vault: purge: keep hashes of block %d: %w", m.no, err)
			}
			leaves := make([][32]byte, len(evs))
			for i := range evs {
				leaves[i] = LeafHash(LeafData(&evs[i]))
			}
			lv := denseLevels(leaves)
			for _, k := range need {
				h := lv[k.level][k.idx-(m.no<<(bb-k.level))]
				state.Nodes[fmt.Sprintf("%d/%d", k.level, k.idx)] = fmt.Sprintf("%x", h)
			}
		}
		state.Segments = append(state.Segments, ps)
		res.Segments = append(res.Segments, segName(s.first))
		res.Blocks += uint64(len(s.blocks))
		res.Events += ps.Events
		res.BytesFreed += s.datSize
	}
	// Record the purge first; removing the files is then safe to redo.
	b, err := json.MarshalIndent(state, "", " ")
	if err != nil {
		return res, fmt.Errorf("vault: purge: encode state: %w", err)
	}
	path := filepath.Join(l.dir, "purged.json")
	if err := writeFileSync(path+".tmp", b); err != nil {
		return res, fmt.Errorf("vault: purge: write state: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return res, fmt.Errorf("vault: purge: store state: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return res, err
	}
	if l.v.store != nil {
		if err := l.storePurgeState(ctx, b); err != nil {
			return res, err
		}
	}
	gone := map[*segment]bool{}
	for _, s := range victims {
		gone[s] = true
	}
	l.mu.Lock()
	l.purge = state
	kept := l.segs[:0:0]
	for _, s := range l.segs {
		if !gone[s] {
			kept = append(kept, s)
		}
	}
	l.segs = kept
	l.mu.Unlock()
	for _, s := range victims {
		if s.dat != nil {
			l.v.cache.drop(s.dat.cacheKey())
		}
		for _, ext := range []string{".dat", ".idx"} {
			if err := os.Remove(filepath.Join(l.dir, segName(s.first)+ext)); err != nil && !os.IsNotExist(err) {
				return res, fmt.Errorf("vault: purge: remove %s%s: %w", segName(s.first), ext, err)
			}
		}
		// The read handle is left to the garbage collector: a search that
		// took a snapshot before the purge may still be reading it.
	}
	return res, syncDir(l.dir)
}

func heldBy(s *segment, holds []Hold) bool {
	for _, h := range holds {
		from, to := int64(-1<<63), int64(1<<63-1)
		if !h.From.IsZero() {
			from = h.From.UnixNano()
		}
		if !h.To.IsZero() {
			to = h.To.UnixNano()
		}
		for _, m := range s.blocks {
			inTime := (m.minTime < to && m.maxTime >= from) || (m.minRecv < to && m.maxRecv >= from)
			if !inTime {
				continue
			}
			if len(h.Sources) == 0 {
				return true
			}
			for _, src := range h.Sources {
				if m.hasSource(src) {
					return true
				}
			}
		}
	}
	return false
}
