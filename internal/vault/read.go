package vault

import (
	"fmt"
	"hash/crc32"
	"sort"
)

// findBlock returns the index entry of a sealed block, or nil when purged
// or missing. Caller holds mu.
func (l *Log) findBlock(no uint64) *blockMeta {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].end() > no })
	if i == len(l.segs) || no < l.segs[i].first {
		return nil
	}
	return l.segs[i].blocks[no-l.segs[i].first]
}

func (l *Log) segOf(no uint64) *segment {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].end() > no })
	if i == len(l.segs) || no < l.segs[i].first {
		return nil
	}
	return l.segs[i]
}

// readBlock reads and decodes a sealed block. Caller holds mu (read).
func (l *Log) readBlock(m *blockMeta, mask colMask) ([]Event, error) {
	seg := l.segOf(m.no)
	if seg == nil {
		return nil, fmt.Errorf("block %d: %w", m.no, ErrPurged)
	}
	buf := make([]byte, m.flen)
	if _, err := seg.dat.ReadAt(buf, m.off); err != nil {
		return nil, fmt.Errorf("read block %d of %s: %w", m.no, segName(seg.first), err)
	}
	p, _, err := readFrame(buf, magicBlock)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", m.no, segName(seg.first), err)
	}
	if crc32.Checksum(p, castagnoli) != m.crc {
		return nil, fmt.Errorf("block %d of %s: checksum differs from index", m.no, segName(seg.first))
	}
	evs, err := decodeBlock(p, l.org, mask, l.blockSize())
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", m.no, segName(seg.first), err)
	}
	if uint64(len(evs)) != l.blockSize() || evs[0].Seq != m.no<<l.bits {
		return nil, fmt.Errorf("block %d of %s: holds events %d+%d, want %d+%d", m.no, segName(seg.first), evs[0].Seq, len(evs), m.no<<l.bits, l.blockSize())
	}
	l.v.stats.blocksRead.Add(1)
	return evs, nil
}

// Event returns the event with the given sequence number.
func (l *Log) event(seq uint64) (Event, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if seq >= l.sizeLocked() {
		return Event{}, fmt.Errorf("vault: event %d does not exist (log size %d)", seq, l.sizeLocked())
	}
	blk := seq >> l.bits
	if blk == l.sealed {
		return l.tail[seq-blk<<l.bits], nil
	}
	m := l.findBlock(blk)
	if m == nil {
		return Event{}, fmt.Errorf("vault: event %d: %w", seq, ErrPurged)
	}
	evs, err := l.readBlock(m, allCols)
	if err != nil {
		return Event{}, fmt.Errorf("vault: event %d: %w", seq, err)
	}
	return evs[seq-blk<<l.bits], nil
}
