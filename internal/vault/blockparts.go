package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Blocks of version 2 are split into eight parts (2,048 events each in a
// block of the default 16,384), each compressed on its own (encodeColumns)
// and indexed on its own (a Bloom filter over all its tokens, its time
// range and severities). A search reads only the parts that may match, so
// a rare term costs the parts that hold it instead of whole blocks.
//
// Parts are cut from the block's events in host order (hosts in order of
// first appearance, arrival order within a host), the order the message
// column already used for compression. So a device's lines sit together,
// and a term only one kind of device writes (an IDS signature, a Windows
// event field, a VPN user) lies in one or two parts of a block instead of
// all eight — the locality VictoriaLogs gets from its per-stream blocks.
// The order is recomputed from the block's host column, stored once in
// the part table, so it costs nothing on disk.
//
// The block stays the unit of the Merkle tree and of retention; the frame
// checksum still covers the whole payload, and the part table and each
// part carry their own CRC-32C so a part can be read alone.
//
// Payload: byte 2, uvarint first sequence number, uvarint event count,
// uvarint events per part, uvarint n, uvarint h + h bytes of the host
// column (a dictionary column in sequence order, zstd), n × (uvarint part
// length, u32 CRC-32C of the part), u32 CRC-32C of the bytes so far; then
// the n parts, each a run of columns as in a version 1 payload over its
// events in host order (its first sequence number is not used).
const partsPerBlock = 8

// partLen is the number of events in each part of a block of n events
// (the last part may hold fewer).
func partLen(n int) int { return max((n+partsPerBlock-1)/partsPerBlock, 1) }

// partLoc is where a part's bytes are inside the block payload.
type partLoc struct {
	off, n int64
	crc    uint32
}

// partIndex locates a block's parts: their bytes, and the block position
// of each event in part order (order[i] for the i-th event of the
// concatenated parts). order is nil for a version 1 payload.
type partIndex struct {
	locs  []partLoc
	order []int32
}

// encodeBlock builds the payload of a block frame (version 2) from events
// that already carry consecutive sequence numbers.
func encodeBlock(evs []Event) []byte {
	order := hostOrder(evs)
	per := partLen(len(evs))
	var parts [][]byte
	buf := make([]Event, 0, per)
	for s := 0; s < len(evs); s += per {
		buf = buf[:0]
		for _, i := range order[s:min(s+per, len(evs))] {
			buf = append(buf, evs[i])
		}
		parts = append(parts, encodeColumns(buf))
	}
	enc, _ := codecs()
	hosts := enc.EncodeAll(dictColumn(evs, func(e *Event) string { return e.Host }), nil)
	out := []byte{2}
	out = binary.AppendUvarint(out, evs[0].Seq)
	out = binary.AppendUvarint(out, uint64(len(evs)))
	out = binary.AppendUvarint(out, uint64(per))
	out = binary.AppendUvarint(out, uint64(len(parts)))
	out = binary.AppendUvarint(out, uint64(len(hosts)))
	out = append(out, hosts...)
	for _, p := range parts {
		out = binary.AppendUvarint(out, uint64(len(p)))
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(p, castagnoli))
	}
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// errShortHeader says how many bytes partTable needs to see.
type errShortHeader struct{ need int }

func (e errShortHeader) Error() string { return fmt.Sprintf("part table needs %d bytes", e.need) }

// partTable parses the part table at the start of a version 2 payload;
// p may hold only the beginning of the payload, and when it is too short
// the error is an errShortHeader with the length needed.
func partTable(p []byte) (first, count, per uint64, ix partIndex, err error) {
	d := decoder{b: p}
	if v := d.byte(); d.err == nil && v != 2 {
		return 0, 0, 0, ix, fmt.Errorf("block version %d is not split into parts", v)
	}
	first, count, per = d.uvarint(), d.uvarint(), d.uvarint()
	n := d.uvarint()
	hl := d.uvarint()
	if d.err != nil {
		return 0, 0, 0, ix, fmt.Errorf("block part table: %w", d.err)
	}
	if count == 0 || count > 1<<20 || per == 0 || n != (count+per-1)/per || hl > maxFrame {
		return 0, 0, 0, ix, fmt.Errorf("block of %d events in %d parts of %d", count, n, per)
	}
	if need := len(p) - len(d.b) + int(hl) + int(n)*(binary.MaxVarintLen64+4) + 4; need > len(p) {
		// The table's length is only known once read: ask for the most.
		return 0, 0, 0, ix, errShortHeader{need}
	}
	hostsZ := d.b[:hl]
	d.b = d.b[hl:]
	for i := uint64(0); i < n && d.err == nil; i++ {
		ln, crc := d.uvarint(), d.u32()
		ix.locs = append(ix.locs, partLoc{n: int64(ln), crc: crc})
	}
	if d.err != nil {
		return 0, 0, 0, ix, fmt.Errorf("block part table: %w", d.err)
	}
	tl := len(p) - len(d.b)
	if crc32.Checksum(p[:tl], castagnoli) != d.u32() || d.err != nil {
		return 0, 0, 0, ix, errors.New("block part table: checksum mismatch")
	}
	off := int64(tl + 4)
	for i := range ix.locs {
		if ix.locs[i].n > maxFrame {
			return 0, 0, 0, ix, fmt.Errorf("block part %d: length %d too large", i, ix.locs[i].n)
		}
		ix.locs[i].off = off
		off += ix.locs[i].n
	}
	_, dec := codecs()
	col, err := dec.DecodeAll(hostsZ, nil)
	if err != nil {
		return 0, 0, 0, ix, fmt.Errorf("block host column: %w", err)
	}
	ids, groups, err := decodeHostColumn(col, int(count), nil, nil)
	if err != nil {
		return 0, 0, 0, ix, fmt.Errorf("block host column: %w", err)
	}
	order := groupOrder(ids, groups, nil)
	ix.order = make([]int32, len(order))
	for i, o := range order {
		ix.order[i] = int32(o)
	}
	return first, count, per, ix, nil
}

// decodeBlock decodes a block payload of version 1 or 2 into all its
// events in sequence order (see decodeColumns for mask, org and expect).
func decodeBlock(p []byte, org int64, mask colMask, expect uint64) ([]Event, error) {
	if len(p) > 0 && p[0] == 1 {
		return decodeColumns(p, org, mask, expect, nil)
	}
	first, count, per, ix, err := partTable(p)
	var short errShortHeader
	if errors.As(err, &short) {
		return nil, errors.New("block part table: cut short")
	}
	if err != nil {
		return nil, err
	}
	if expect != 0 && count != expect {
		return nil, fmt.Errorf("block event count %d out of range (want %d)", count, expect)
	}
	last := ix.locs[len(ix.locs)-1]
	if end := last.off + last.n; end != int64(len(p)) {
		return nil, fmt.Errorf("block parts end at %d of %d bytes", end, len(p))
	}
	evs := make([]Event, count)
	for i, loc := range ix.locs {
		s := uint64(i) * per
		pe, err := decodePart(p[loc.off:loc.off+loc.n], loc.crc, org, mask, first, ix.order[s:min(s+per, count)], nil)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i, err)
		}
		for j := range pe {
			evs[ix.order[s+uint64(j)]] = pe[j]
		}
	}
	return evs, nil
}

// decodePart checks and decodes one part, whose events are those at the
// block positions pos (sequence numbers first+pos), into s (nil: new buffers).
func decodePart(b []byte, crc uint32, org int64, mask colMask, first uint64, pos []int32, s *decodeScratch) ([]Event, error) {
	if crc32.Checksum(b, castagnoli) != crc {
		return nil, errors.New("checksum mismatch")
	}
	evs, err := decodeColumns(b, org, mask, uint64(len(pos)), s)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		evs[i].Seq = first + uint64(pos[i])
	}
	return evs, nil
}

// partIndexOf returns where the parts of a block are, reading the block's
// part table on first use. A block of version 1 (one run of columns)
// whose index entry was rebuilt in the newer format has no locations.
func (l *Log) partIndexOf(r blockRef) (*partIndex, error) {
	m := r.m
	if p := m.locs.Load(); p != nil {
		return p, nil
	}
	fail := func(err error) (*partIndex, error) {
		return nil, fmt.Errorf("block %d of %s: %w", m.no, segName(r.seg.first), err)
	}
	size := min(m.flen, 4096)
	for {
		buf := make([]byte, size)
		if _, err := r.seg.dat.ReadAt(buf, m.off); err != nil {
			return fail(err)
		}
		if len(buf) <= frameHeader || [4]byte(buf[:4]) != magicBlock {
			return fail(errors.New("bad frame"))
		}
		ix := &partIndex{}
		if buf[frameHeader] != 1 {
			_, count, per, pix, err := partTable(buf[frameHeader:])
			var short errShortHeader
			if errors.As(err, &short) && size < m.flen {
				size = min(m.flen, int64(frameHeader+short.need))
				continue
			}
			if err != nil {
				return fail(err)
			}
			if count != m.count || per != m.partEvents || len(pix.locs) != len(m.parts) {
				return fail(errors.New("parts differ from the index"))
			}
			*ix = pix
		}
		m.locs.Store(ix)
		return ix, nil
	}
}

// readPart reads and decodes one part of a block: only its bytes when the
// block is split into parts, else the whole block. Events come in part
// order (by host), not by sequence number. sc (nil: new buffers) holds what
// is read and decoded when the block is split into parts.
func (l *Log) readPart(r partRef, mask colMask, sc *decodeScratch) ([]Event, error) {
	m := r.m
	if sc != nil {
		sc.src = nil
	}
	if m.legacy {
		return l.readRef(r.blockRef, mask)
	}
	ix, err := l.partIndexOf(r.blockRef)
	if err != nil {
		return nil, err
	}
	s := uint64(r.part) * m.partEvents
	e := min(s+m.partEvents, m.count)
	if ix.order == nil {
		evs, err := l.readRef(r.blockRef, mask)
		if err != nil {
			return nil, err
		}
		order := hostOrder(evs)
		out := make([]Event, 0, e-s)
		for _, i := range order[s:e] {
			out = append(out, evs[i])
		}
		return out, nil
	}
	loc := ix.locs[r.part]
	var buf []byte
	if sc != nil {
		buf = sc.bytes(loc.n)
	} else {
		buf = make([]byte, loc.n)
	}
	if _, err := r.seg.dat.ReadAt(buf, m.off+frameHeader+loc.off); err != nil {
		return nil, fmt.Errorf("read block %d of %s: %w", m.no, segName(r.seg.first), err)
	}
	evs, err := decodePart(buf, loc.crc, l.org, mask, m.no<<l.bits, ix.order[s:e], sc)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s, part %d: %w", m.no, segName(r.seg.first), r.part, err)
	}
	if sc != nil {
		sc.src = buf
	}
	l.v.stats.blocksRead.Add(1)
	return evs, nil
}
