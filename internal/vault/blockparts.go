package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Blocks of version 2 are split into eight parts of consecutive events
// (2,048 in a block of the default 16,384), each compressed on its own (encodeColumns) and indexed on its
// own (a Bloom filter over all its tokens, its time range and severities).
// A search reads only the parts that may match, so a rare term costs the
// parts that hold it — an eighth of a block each — instead of whole
// blocks. The block stays the unit of the Merkle tree and of retention;
// the frame checksum still covers the whole payload, and each part and
// the part table carry their own CRC-32C so a part can be read alone.
//
// Payload: byte 2, uvarint first sequence number, uvarint event count,
// uvarint events per part, uvarint n, n × (uvarint part length, u32
// CRC-32C of the part), u32 CRC-32C of the bytes so far; then the n parts,
// each in the column encoding of a version 1 block payload.
const partsPerBlock = 8

// partLen is the number of events in each part of a block of n events
// (the last part may hold fewer).
func partLen(n int) int { return max((n+partsPerBlock-1)/partsPerBlock, 1) }

// partLoc is where a part's bytes are inside the block payload.
type partLoc struct {
	off, n int64
	crc    uint32
}

// encodeBlock builds the payload of a block frame (version 2) from events
// that already carry consecutive sequence numbers.
func encodeBlock(evs []Event) []byte {
	var parts [][]byte
	per := partLen(len(evs))
	for s := 0; s < len(evs); s += per {
		parts = append(parts, encodeColumns(evs[s:min(s+per, len(evs))]))
	}
	out := []byte{2}
	out = binary.AppendUvarint(out, evs[0].Seq)
	out = binary.AppendUvarint(out, uint64(len(evs)))
	out = binary.AppendUvarint(out, uint64(per))
	out = binary.AppendUvarint(out, uint64(len(parts)))
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

// partTable parses the header of a version 2 payload (p may hold only its
// beginning). It returns the first sequence number, the event count, the
// events per part and where each part is.
func partTable(p []byte) (first, count, per uint64, locs []partLoc, err error) {
	d := decoder{b: p}
	if v := d.byte(); d.err == nil && v != 2 {
		return 0, 0, 0, nil, fmt.Errorf("block version %d is not split into parts", v)
	}
	first, count, per = d.uvarint(), d.uvarint(), d.uvarint()
	n := d.uvarint()
	if d.err == nil && (count == 0 || count > 1<<20 || per == 0 || n != (count+per-1)/per) {
		return 0, 0, 0, nil, fmt.Errorf("block of %d events in %d parts of %d", count, n, per)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		ln, crc := d.uvarint(), d.u32()
		locs = append(locs, partLoc{n: int64(ln), crc: crc})
	}
	if d.err != nil {
		return 0, 0, 0, nil, fmt.Errorf("block part table: %w", d.err)
	}
	hl := len(p) - len(d.b)
	if crc32.Checksum(p[:hl], castagnoli) != d.u32() || d.err != nil {
		return 0, 0, 0, nil, errors.New("block part table: checksum mismatch")
	}
	off := int64(hl + 4)
	for i := range locs {
		if locs[i].n > maxFrame {
			return 0, 0, 0, nil, fmt.Errorf("block part %d: length %d too large", i, locs[i].n)
		}
		locs[i].off = off
		off += locs[i].n
	}
	return first, count, per, locs, nil
}

// partHeaderMax is the most bytes a part table of the given number of
// parts can take.
func partHeaderMax(parts int) int {
	return 1 + 4*binary.MaxVarintLen64 + parts*(binary.MaxVarintLen64+4) + 4
}

// decodeBlock decodes a block payload of version 1 or 2 into all its
// events (see decodeColumns for mask, org and expect).
func decodeBlock(p []byte, org int64, mask colMask, expect uint64) ([]Event, error) {
	if len(p) > 0 && p[0] == 1 {
		return decodeColumns(p, org, mask, expect)
	}
	first, count, per, locs, err := partTable(p)
	if err != nil {
		return nil, err
	}
	if expect != 0 && count != expect {
		return nil, fmt.Errorf("block event count %d out of range (want %d)", count, expect)
	}
	if end := locs[len(locs)-1].off + locs[len(locs)-1].n; end != int64(len(p)) {
		return nil, fmt.Errorf("block parts end at %d of %d bytes", end, len(p))
	}
	evs := make([]Event, 0, count)
	for i, loc := range locs {
		pe, err := decodePart(p[loc.off:loc.off+loc.n], loc.crc, org, mask, first+uint64(i)*per, min(per, count-uint64(i)*per))
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i, err)
		}
		evs = append(evs, pe...)
	}
	return evs, nil
}

// decodePart checks and decodes one part, which must hold want events
// starting at sequence number first.
func decodePart(b []byte, crc uint32, org int64, mask colMask, first, want uint64) ([]Event, error) {
	if crc32.Checksum(b, castagnoli) != crc {
		return nil, errors.New("checksum mismatch")
	}
	evs, err := decodeColumns(b, org, mask, want)
	if err != nil {
		return nil, err
	}
	if evs[0].Seq != first {
		return nil, fmt.Errorf("starts at event %d, want %d", evs[0].Seq, first)
	}
	return evs, nil
}
