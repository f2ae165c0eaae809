package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Progress is reported by Verify after each block.
type Progress struct {
	OrgID        int64
	Block, Total uint64 // blocks done and to do
	Events       uint64 // events rehashed so far
}

// Problem is one difference found by Verify. Segment, Block, Seq and
// Checkpoint say where (empty or -1 when not applicable).
type Problem struct {
	Segment    string `json:"segment,omitempty"`
	Block      int64  `json:"block"`
	Seq        int64  `json:"seq"` // first event of the damaged block or range
	LastSeq    int64  `json:"last_seq"`
	Checkpoint string `json:"checkpoint,omitempty"`
	What       string `json:"what"`
}

// String describes the problem and where it is, for logs and the CLI.
func (p Problem) String() string {
	var b strings.Builder
	if p.Segment != "" {
		fmt.Fprintf(&b, "segment %s ", p.Segment)
	}
	if p.Block >= 0 {
		fmt.Fprintf(&b, "block %d ", p.Block)
	}
	if p.Seq >= 0 {
		fmt.Fprintf(&b, "events %d..%d ", p.Seq, p.LastSeq)
	}
	if p.Checkpoint != "" {
		fmt.Fprintf(&b, "checkpoint %s ", p.Checkpoint)
	}
	return b.String() + p.What
}

// VerifyReport is the outcome of Verify. OK is true when nothing differs.
type VerifyReport struct {
	OK           bool      `json:"ok"`
	Size         uint64    `json:"size"`
	Events       uint64    `json:"events_rehashed"`
	Blocks       uint64    `json:"blocks_read"`
	PurgedBlocks uint64    `json:"purged_blocks"`
	Checkpoints  int       `json:"checkpoints_checked"`
	First        *Problem  `json:"first_problem,omitempty"`
	Problems     []Problem `json:"problems,omitempty"`
}

func (r *VerifyReport) add(p Problem) {
	r.Problems = append(r.Problems, p)
	if r.First == nil {
		r.First = &r.Problems[0]
	}
	r.OK = false
}

// Verify re-reads every segment, index entry, block root and checkpoint of
// the organisation's log from disk, recomputes the Merkle tree and checks
// each checkpoint's signature and root. Block data is protected by
// checksums and by the tree, so any change to a stored event is reported
// with the segment and block that hold it. The report lists the first
// difference (by position in the log) and all others found. Purged blocks
// are covered by their kept roots.
func (v *Vault) Verify(ctx context.Context, orgID int64, progress func(Progress)) (*VerifyReport, error) {
	l, err := v.log(orgID, false)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{OK: true}
	if l == nil {
		return rep, nil
	}
	l.purgeMu.Lock()
	defer l.purgeMu.Unlock()
	return l.verify(ctx, progress, rep)
}

func (l *Log) verify(ctx context.Context, progress func(Progress), rep *VerifyReport) (*VerifyReport, error) {
	l.mu.RLock()
	sealed := l.sealed
	tail := l.tail
	tailLeaves := l.tailLeaves
	purge := l.purge
	damaged := append([]Problem(nil), l.damaged...)
	known := map[string]*checkpoint{} // checkpoints that existed at the snapshot
	for _, c := range l.cps {
		known[c.file] = c
	}
	l.mu.RUnlock()
	bb := l.bits
	bs := uint64(1) << bb
	rep.Size = sealed<<bb + uint64(len(tail))
	for _, d := range damaged {
		rep.add(d)
	}

	rb, err := os.ReadFile(filepath.Join(l.dir, "roots"))
	if err != nil {
		return nil, fmt.Errorf("vault: verify: read roots: %w", err)
	}
	if uint64(len(rb)) < sealed*32 {
		rep.add(Problem{Block: int64(len(rb) / 32), Seq: -1, What: "roots file is shorter than the committed blocks"})
		return rep, nil
	}
	roots := make([][32]byte, sealed)
	for i := range roots {
		roots[i] = [32]byte(rb[i*32:])
	}

	// Checkpoints, smallest first.
	type cpCheck struct {
		name string
		size uint64
		root [32]byte
	}
	var cps []*cpCheck
	cpDir := filepath.Join(l.dir, "cp")
	ents, err := os.ReadDir(cpDir)
	if err != nil {
		return nil, fmt.Errorf("vault: verify: list checkpoints: %w", err)
	}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".note") || known[e.Name()] == nil {
			continue // not a checkpoint, or signed after the snapshot
		}
		b, err := os.ReadFile(filepath.Join(cpDir, e.Name()))
		if errors.Is(err, os.ErrNotExist) && known[e.Name()].transient {
			continue // the ticker's newest at the snapshot, replaced since by a newer one
		}
		if err != nil {
			return nil, fmt.Errorf("vault: verify: read checkpoint: %w", err)
		}
		c := &cpCheck{name: e.Name()}
		size, root, err := l.v.openCheckpoint(b, l.org)
		nameSize, nerr := strconv.ParseUint(strings.TrimSuffix(e.Name(), ".note"), 10, 64)
		switch {
		case err != nil:
			rep.add(Problem{Block: -1, Seq: -1, Checkpoint: e.Name(), What: err.Error()})
			continue
		case nerr != nil || nameSize != size:
			rep.add(Problem{Block: -1, Seq: -1, Checkpoint: e.Name(), What: fmt.Sprintf("file name does not match signed size %d", size)})
			continue
		case size > rep.Size:
			rep.add(Problem{Block: -1, Seq: -1, Checkpoint: e.Name(), What: fmt.Sprintf("signed size %d exceeds the log size %d: events are missing", size, rep.Size)})
			continue
		}
		c.size, c.root = size, root
		cps = append(cps, c)
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	next := 0 // next checkpoint to check
	var cr compactRange
	checkAt := func(extra ...crNode) {
		for next < len(cps) && cps[next].size == cr.size+extraSize(extra) {
			c := cps[next]
			if cr.root(extra...) != c.root {
				p := Problem{Block: -1, Seq: -1, Checkpoint: c.name, What: fmt.Sprintf("tree root at size %d differs from the signed checkpoint", c.size)}
				if c.size > 0 {
					p.Block, p.Seq, p.LastSeq = int64((c.size-1)>>bb), int64((c.size-1)&^(bs-1)), int64(c.size-1)
				}
				rep.add(p)
			}
			rep.Checkpoints++
			next++
		}
	}
	checkAt()

	// Segments in block order, interleaved with purged ranges.
	segFirst, stored, err := l.verifySources(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: verify: %w", err)
	}
	blk := uint64(0)
	for blk < sealed {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("vault: verify: %w", err)
		}
		if purge.isPurged(blk) {
			// Checkpoints inside a purged block use the kept inner nodes.
			for next < len(cps) && cps[next].size < (blk+1)<<bb {
				s := cps[next].size
				extra, err := purgedRange(&purge, blk<<bb, s, bb)
				if err != nil {
					rep.add(Problem{Block: int64(blk), Seq: -1, Checkpoint: cps[next].name, What: err.Error()})
					next++
					continue
				}
				checkAt(extra...)
			}
			cr.push(bb, roots[blk])
			rep.PurgedBlocks++
			blk++
			checkAt()
			continue
		}
		name, ok := segFirst[blk]
		if !ok {
			rep.add(Problem{Block: int64(blk), Seq: int64(blk << bb), LastSeq: int64((blk+1)<<bb - 1), What: "no segment starts at this block and it was not purged"})
			cr.push(bb, roots[blk])
			blk++
			continue
		}
		n, err := l.verifySegment(ctx, name, stored[blk], segFirst, blk, sealed, roots, rep, &cr, checkAt, progress)
		if err != nil {
			return nil, err
		}
		blk += n
		if n == 0 {
			cr.push(bb, roots[blk])
			blk++
		}
	}
	// The unsealed tail, as loaded from the WAL.
	for i := range tail {
		cr.push(0, tailLeaves[i])
		if LeafHash(LeafData(&tail[i])) != tailLeaves[i] {
			rep.add(Problem{Block: int64(sealed), Seq: int64(tail[i].Seq), LastSeq: int64(tail[i].Seq), What: "event in the WAL tail differs from its leaf hash"})
		}
		rep.Events++
		checkAt()
	}
	for ; next < len(cps); next++ {
		rep.add(Problem{Block: -1, Seq: -1, Checkpoint: cps[next].name, What: "checkpoint size could not be checked"})
	}
	return rep, nil
}

func extraSize(extra []crNode) uint64 {
	var n uint64
	for _, e := range extra {
		n += 1 << e.level
	}
	return n
}

// purgedRange returns the kept nodes covering leaves [start, end) inside a
// purged block, largest first.
func purgedRange(p *purgeState, start, end uint64, bb uint) ([]crNode, error) {
	var out []crNode
	off := start
	for j := int(bb) - 1; j >= 0; j-- {
		if (end-start)&(1<<uint(j)) == 0 {
			continue
		}
		h, ok := p.node(uint(j), off>>uint(j))
		if !ok {
			return nil, fmt.Errorf("hash of node %d/%d inside a purged block was not kept", j, off>>uint(j))
		}
		out = append(out, crNode{uint(j), h})
		off += 1 << uint(j)
	}
	return out, nil
}

// verifySegment checks one segment's blocks and index entries and feeds
// its leaves to cr. It returns the number of blocks consumed.
func (l *Log) verifySegment(ctx context.Context, name string, stored bool, segFirst map[uint64]string, first, sealed uint64, roots [][32]byte, rep *VerifyReport,
	cr *compactRange, checkAt func(...crNode), progress func(Progress)) (uint64, error) {
	bb := l.bits
	dat, err := l.readSegmentFile(ctx, name+".dat", stored)
	if err != nil {
		return 0, fmt.Errorf("vault: verify: read %s: %w", name, err)
	}
	idx, err := l.readSegmentFile(ctx, name+".idx", stored)
	if err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, ErrObjectNotFound) {
		return 0, fmt.Errorf("vault: verify: read %s index: %w", name, err)
	}
	off, ioff := 0, 0
	blk := first
	idxBroken := false
	for off < len(dat) && blk < sealed {
		prob := func(what string) Problem {
			return Problem{Segment: name, Block: int64(blk), Seq: int64(blk << bb), LastSeq: int64((blk+1)<<bb - 1), What: what}
		}
		// Index entry for this block. One that fails its checksum is stepped
		// over, so the entries after it still serve their blocks.
		var entry []byte
		if !idxBroken {
			p, n, ferr := readFrame(idx[ioff:], magicIndex)
			switch {
			case ferr == nil:
				entry = p
				ioff += n
			case errors.Is(ferr, errChecksum):
				rep.add(prob(fmt.Sprintf("index entry at offset %d: %v", ioff, ferr)))
				ioff += n
			default:
				rep.add(prob(fmt.Sprintf("index entry at offset %d: %v", ioff, ferr)))
				idxBroken = true
			}
		}
		payload, n, ferr := readFrame(dat[off:], magicBlock)
		if ferr != nil {
			parts, ok := []Problem(nil), false
			if errors.Is(ferr, errChecksum) {
				parts, ok = l.damagedParts(name, blk, dat[off+frameHeader:off+n])
			}
			if ok {
				for _, p := range parts {
					p.What = fmt.Sprintf("block frame at offset %d: %v; %s", off, ferr, p.What)
					rep.add(p)
				}
			} else {
				rep.add(prob(fmt.Sprintf("block frame at offset %d: %v", off, ferr)))
			}
			// The next block starts where this block's index entry says this
			// one ends, or, if its header is whole, where the header says; a
			// damaged block then hides none of the blocks after it.
			next := -1
			if errors.Is(ferr, errChecksum) {
				next = off + n
			}
			if entry != nil {
				if m, merr := decodeMeta(entry); merr == nil && m.off == int64(off) && m.no == blk {
					next = off + int(m.flen)
				}
			}
			if next < 0 || next > len(dat) {
				// Without either the rest of the segment cannot be located;
				// account for its blocks with the stored roots.
				return l.skipRest(segFirst, blk, first, sealed, roots, cr, checkAt, rep), nil
			}
			cr.push(bb, roots[blk])
			rep.Blocks++
			off = next
			blk++
			checkAt()
			if _, ok := segFirst[blk]; ok {
				break
			}
			continue
		}
		evs, derr := decodeBlock(payload, l.org, allCols, 1<<bb)
		if derr == nil && (uint64(len(evs)) != 1<<bb || evs[0].Seq != blk<<bb) {
			derr = fmt.Errorf("holds events %d+%d, want %d+%d", evs[0].Seq, len(evs), blk<<bb, 1<<bb)
		}
		if derr != nil {
			if parts, ok := l.damagedParts(name, blk, payload); ok {
				for _, p := range parts {
					rep.add(p)
				}
			} else {
				rep.add(prob("block does not decode: " + derr.Error()))
			}
			cr.push(bb, roots[blk])
		} else {
			leaves := make([][32]byte, len(evs))
			for i := range evs {
				leaves[i] = LeafHash(LeafData(&evs[i]))
			}
			lv := denseLevels(leaves)
			if lv[len(lv)-1][0] != roots[blk] {
				for _, p := range l.locateChange(name, blk, entry, lv, roots[blk]) {
					rep.add(p)
				}
			}
			for i := range leaves {
				cr.push(0, leaves[i])
				checkAt()
			}
			rep.Events += uint64(len(evs))
			if entry != nil {
				m := buildMetaLike(evs, lv, bb, blk, entry)
				m.off, m.flen, m.crc = int64(off), int64(n), crc32.Checksum(payload, castagnoli)
				if !bytes.Equal(m.encode(), entry) {
					rep.add(prob("index entry differs from the one recomputed from the block"))
				}
			}
		}
		rep.Blocks++
		off += n
		blk++
		checkAt()
		if progress != nil {
			progress(Progress{OrgID: l.org, Block: blk, Total: sealed, Events: rep.Events})
		}
		if _, ok := segFirst[blk]; ok {
			break
		}
	}
	if off < len(dat) && blk < sealed {
		rep.add(Problem{Segment: name, Block: int64(blk), Seq: -1, What: fmt.Sprintf("%d unexpected bytes after the last block", len(dat)-off)})
	}
	// Past the snapshot's last block, more data may be a concurrent seal.
	if !idxBroken && ioff != len(idx) && blk < sealed {
		rep.add(Problem{Segment: name, Block: int64(blk), Seq: -1, What: fmt.Sprintf("%d unexpected bytes after the last index entry", len(idx)-ioff)})
	}
	return blk - first, nil
}

func (l *Log) skipRest(segFirst map[uint64]string, blk, first, sealed uint64, roots [][32]byte, cr *compactRange,
	checkAt func(...crNode), rep *VerifyReport) uint64 {
	for blk < sealed {
		cr.push(l.bits, roots[blk])
		blk++
		checkAt()
		if _, ok := segFirst[blk]; ok {
			break
		}
	}
	return blk - first
}
