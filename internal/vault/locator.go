package vault

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// A locator is kept in each block's index entry (version 3) so that Verify
// can say which event of a sealed block changed, where the block root alone
// says only that one of its 16,384 did. It is used only to locate: the block
// root in the roots file, under the signed checkpoints, stays the check.
//
// The block is cut into groups of 2^L consecutive events (L = locLevel:
// 1,024 events in a block of 16,384), each an aligned subtree of the
// block's Merkle tree. The locator holds:
//
//	uvarint L | uvarint t (syndrome width in bytes, 4)
//	per group: its 32-byte subtree root (RFC 9162, as the tree hashes it)
//	per group: 1+L syndromes of t bytes each
//
// Syndrome 0 of a group is the XOR of the first t bytes of every leaf hash
// of the group; syndrome j (1..L) is the XOR of those of the events whose
// offset in the group has bit j-1 set. When one event of a group changed,
// the stored and recomputed syndromes differ by the same value d in
// syndrome 0 and in exactly the syndromes of the bits set in its offset,
// and by nothing in the others: the differences spell the offset.
//
// The group roots hash up to the block root, so Verify checks them against
// the roots file before trusting them: a change is placed in its group of
// 1,024 with the same certainty as the root itself. The syndromes are not
// covered by the root; they can only point to an event within a group the
// roots already condemned. Two or more changed events in one group give
// differences that spell no single offset (or cancel, as a swap of two
// events does in syndrome 0), and Verify then names the group.
//
// Cost: with the defaults 16 × (32 + 11 × 4) + 2 = 1,218 bytes per block,
// 0.074 bytes per event.

// locSyndromeBytes is t, the width of a syndrome.
const locSyndromeBytes = 4

// locLevel returns L for blocks of 2^bits events: 16 groups per block, but
// groups of at least 2^⌈bits/2⌉ events so that small blocks (tests) have
// groups of more than one event.
func locLevel(bits uint) uint { return max(bits-min(bits, 4), (bits+1)/2) }

// buildLocator returns the locator of a block from the levels of its tree
// (denseLevels of its leaves in sequence order, a power of two of them, at
// least 2^level).
func buildLocator(lv [][][32]byte, level uint) []byte {
	leaves := lv[0]
	out := binary.AppendUvarint(nil, uint64(level))
	out = binary.AppendUvarint(out, locSyndromeBytes)
	for _, r := range lv[level] {
		out = append(out, r[:]...)
	}
	g := 1 << level
	for s := 0; s < len(leaves); s += g {
		for _, v := range syndromes(leaves[s:s+g], level) {
			out = binary.LittleEndian.AppendUint32(out, v)
		}
	}
	return out
}

func syndromes(group [][32]byte, level uint) []uint32 {
	syn := make([]uint32, 1+level)
	for off, h := range group {
		v := binary.LittleEndian.Uint32(h[:])
		syn[0] ^= v
		for b := uint(off); b != 0; b &= b - 1 { // each set bit of the offset
			syn[1+bits.TrailingZeros(b)] ^= v
		}
	}
	return syn
}

// locator is a parsed locator.
type locator struct {
	level  uint
	roots  [][32]byte
	synd   [][]uint32 // per group, 1+level syndromes
	groups int
}

// parseLocator reads a locator for a block of count events.
func parseLocator(b []byte, count uint64) (*locator, error) {
	d := decoder{b: b}
	level, t := d.uvarint(), d.uvarint()
	if d.err != nil {
		return nil, fmt.Errorf("locator: %w", d.err)
	}
	if t != locSyndromeBytes || level > 30 || count&(count-1) != 0 || count < 1<<level {
		return nil, fmt.Errorf("locator of groups of 2^%d events, %d-byte syndromes, for %d events", level, t, count)
	}
	l := &locator{level: uint(level), groups: int(count >> level)}
	if need := l.groups * (32 + int(1+level)*locSyndromeBytes); len(d.b) != need {
		return nil, fmt.Errorf("locator holds %d bytes after its header, want %d", len(d.b), need)
	}
	for range l.groups {
		l.roots = append(l.roots, [32]byte(d.b[:32]))
		d.b = d.b[32:]
	}
	for range l.groups {
		syn := make([]uint32, 1+level)
		for j := range syn {
			syn[j] = d.u32()
		}
		l.synd = append(l.synd, syn)
	}
	return l, nil
}

// located is what a locator says about a changed block: the events (block
// offsets first..last) of one change, exact when single.
type located struct {
	first, last uint64
	single      bool
}

// locate compares a block's recomputed tree (denseLevels of its leaves)
// with its locator. It returns the changes it finds, or ok false when the
// locator's group roots do not hash to root (the block root kept in the
// roots file): then the locator itself was changed, or the roots file, and
// nothing is located further than the block.
func (l *locator) locate(lv [][][32]byte, root [32]byte) (changes []located, ok bool) {
	leaves := lv[0]
	if l.root() != root || len(leaves) != l.groups<<l.level {
		return nil, false
	}
	g := uint64(1) << l.level
	for k := range l.groups {
		if lv[l.level][k] == l.roots[k] {
			continue
		}
		s := uint64(k) * g
		c := located{first: s, last: s + g - 1}
		if off, one := l.single(k, leaves[s:s+g]); one {
			c = located{first: s + off, last: s + off, single: true}
		}
		changes = append(changes, c)
	}
	return changes, true
}

// root is the block root the locator's group roots hash up to.
func (l *locator) root() [32]byte {
	top := denseLevels(append([][32]byte(nil), l.roots...))
	return top[len(top)-1][0]
}

// single decodes the syndrome differences of group k: the offset of the one
// changed event they spell, or false when they spell none.
func (l *locator) single(k int, group [][32]byte) (uint64, bool) {
	now := syndromes(group, l.level)
	d := now[0] ^ l.synd[k][0]
	if d == 0 {
		return 0, false
	}
	var off uint64
	for j := uint(0); j < l.level; j++ {
		switch now[1+j] ^ l.synd[k][1+j] {
		case d:
			off |= 1 << j
		case 0:
		default:
			return 0, false
		}
	}
	return off, true
}
