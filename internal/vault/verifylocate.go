package vault

import (
	"fmt"
	"slices"
	"strings"
)

// This file says where in a sealed block a difference lies, as precisely as
// what is stored allows: the changed event itself when the block's index
// entry holds a locator (locator.go), the events of a part when a part's
// bytes no longer decode, else the block.

// locateChange describes a block whose events decode but hash to another
// root than the roots file's. entry is the block's stored index entry (nil
// when unreadable), lv the levels of the tree of the events as read.
func (l *Log) locateChange(name string, blk uint64, entry []byte, lv [][][32]byte, root [32]byte) []Problem {
	base := blk << l.bits
	block := func(why string) []Problem {
		return []Problem{{Segment: name, Block: int64(blk), Seq: int64(base), LastSeq: int64(base + uint64(len(lv[0])) - 1),
			What: "events hash to a block root that differs from the roots file; " + why}}
	}
	if entry == nil {
		return block("the block's index entry is unreadable, so the change is located to the block only")
	}
	m, err := decodeMeta(entry)
	if err != nil {
		return block("the block's index entry does not decode, so the change is located to the block only")
	}
	if m.loc == nil {
		return block("the block was sealed without a locator (before version 3 index entries), so the change is located to the block only")
	}
	loc, err := parseLocator(m.loc, uint64(len(lv[0])))
	if err != nil {
		return block(fmt.Sprintf("the block's %v, so the change is located to the block only", err))
	}
	if loc.root() == lv[len(lv)-1][0] {
		return block("the events agree with the block's locator, so the root in the roots file was changed (or the events and the locator both)")
	}
	changes, ok := loc.locate(lv, root)
	if !ok || len(changes) == 0 {
		return block("the group roots of the block's locator do not hash to the roots file's root either (the locator or the roots file was changed), so the change is located to the block only")
	}
	var out []Problem
	for _, c := range changes {
		p := Problem{Segment: name, Block: int64(blk), Seq: int64(base + c.first), LastSeq: int64(base + c.last)}
		g := uint64(1) << loc.level
		gFirst, gLast := base+(c.first&^(g-1)), base+(c.last|(g-1))
		if c.single {
			p.What = fmt.Sprintf("event %d differs from the event sealed (the events %d..%d hash to another subtree root than the one the block root covers, and the locator's syndromes name this event)",
				base+c.first, gFirst, gLast)
		} else {
			p.What = fmt.Sprintf("more than one event of events %d..%d differs from those sealed (they hash to another subtree root than the one the block root covers; the locator cannot tell which)",
				gFirst, gLast)
		}
		out = append(out, p)
	}
	return out
}

// damagedParts names the parts of a version 2 block payload that do not
// decode — a part failing its checksum, or one whose columns are broken —
// with the sequence numbers of their events. ok is false when the part
// table itself is unreadable (or the block has no parts), so that nothing
// finer than the block can be said.
func (l *Log) damagedParts(name string, blk uint64, payload []byte) (out []Problem, ok bool) {
	first, count, per, ix, err := partTable(payload)
	if err != nil || first != blk<<l.bits || count != 1<<l.bits {
		return nil, false
	}
	for i, loc := range ix.locs {
		s := uint64(i) * per
		pos := ix.order[s:min(s+per, count)]
		if loc.off+loc.n > int64(len(payload)) {
			return nil, false
		}
		_, derr := decodePart(payload[loc.off:loc.off+loc.n], loc.crc, l.org, allCols, first, pos, nil)
		if derr == nil {
			continue
		}
		seqs := make([]uint64, len(pos))
		for j, p := range pos {
			seqs[j] = first + uint64(p)
		}
		slices.Sort(seqs)
		out = append(out, Problem{Segment: name, Block: int64(blk), Seq: int64(seqs[0]), LastSeq: int64(seqs[len(seqs)-1]),
			What: fmt.Sprintf("part %d (parts numbered 0–%d) does not decode (%v): the change cannot be located further than this part's %s",
				i, len(ix.locs)-1, derr, eventList(seqs))})
	}
	return out, len(out) > 0
}

// eventList names a part's events: each when few, else their number and
// range (a part's events are one host's or a few hosts' lines, so they are
// spread over the block).
func eventList(seqs []uint64) string {
	if len(seqs) > 16 {
		return fmt.Sprintf("%d events, spread between events %d and %d (the lines of the hosts this part holds)", len(seqs), seqs[0], seqs[len(seqs)-1])
	}
	s := make([]string, len(seqs))
	for i, q := range seqs {
		s[i] = fmt.Sprint(q)
	}
	return fmt.Sprintf("%d events: %s", len(seqs), strings.Join(s, ", "))
}
