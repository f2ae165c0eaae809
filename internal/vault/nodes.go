package vault

import (
	"fmt"
)

type nodeKey struct {
	level uint
	idx   uint64
}

func (l *Log) putLevels(no uint64, lv [][][32]byte) {
	if len(l.blockLevels) >= 8 {
		for k := range l.blockLevels {
			delete(l.blockLevels, k)
			break
		}
	}
	l.blockLevels[no] = lv
}

// node is the log's nodeFunc. Caller holds mu (read). Hashes inside
// sealed blocks are recomputed from the events (they are not stored), the
// block roots come from the roots file, and levels above are derived from
// them and cached.
func (l *Log) node(level uint, idx uint64) ([32]byte, error) {
	bb := l.bits
	lo, hi := idx<<level, (idx+1)<<level
	if hi > l.sizeLocked() {
		return [32]byte{}, fmt.Errorf("node %d/%d is not complete yet", level, idx)
	}
	tailStart := l.sealed << bb
	if lo >= tailStart {
		// In the unsealed tail (which may briefly exceed one block while
		// the writer seals).
		return partialNode(l.tailLeaves, tailStart, level, idx)
	}
	if level > bb && hi > tailStart {
		a, err := l.node(level-1, 2*idx)
		if err != nil {
			return a, err
		}
		b, err := l.node(level-1, 2*idx+1)
		if err != nil {
			return b, err
		}
		return nodeHash(a, b), nil
	}
	if level >= bb {
		if level == bb {
			return l.roots[idx], nil
		}
		k := nodeKey{level, idx}
		l.cacheMu.Lock()
		h, ok := l.upper[k]
		l.cacheMu.Unlock()
		if ok {
			return h, nil
		}
		a, err := l.node(level-1, 2*idx)
		if err != nil {
			return a, err
		}
		b, err := l.node(level-1, 2*idx+1)
		if err != nil {
			return b, err
		}
		h = nodeHash(a, b)
		l.cacheMu.Lock()
		l.upper[k] = h
		l.cacheMu.Unlock()
		return h, nil
	}
	blk := idx >> (bb - level)
	l.cacheMu.Lock()
	lv, ok := l.blockLevels[blk]
	l.cacheMu.Unlock()
	if !ok {
		m := l.findBlock(blk)
		if m == nil {
			if h, ok := l.purge.node(level, idx); ok {
				return h, nil
			}
			return [32]byte{}, fmt.Errorf("node %d/%d in block %d: %w", level, idx, blk, ErrPurged)
		}
		evs, err := l.readBlock(m, allCols)
		if err != nil {
			return [32]byte{}, err
		}
		leaves := make([][32]byte, len(evs))
		for i := range evs {
			leaves[i] = LeafHash(LeafData(&evs[i]))
		}
		lv = denseLevels(leaves)
		if lv[len(lv)-1][0] != l.roots[blk] {
			return [32]byte{}, fmt.Errorf("block %d: recomputed root differs from the stored root; run Verify", blk)
		}
		l.cacheMu.Lock()
		l.putLevels(blk, lv)
		l.cacheMu.Unlock()
	}
	return lv[level][idx-blk<<(bb-level)], nil
}
