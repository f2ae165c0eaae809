package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
)

// magicWAL2 starts a version-2 WAL frame. Version 1 frames ("CGWL", the
// generic frame of block.go) carried their sequence range only inside the
// checksummed payload, so a damaged frame could not say which events it
// held, and a damaged length field looked like a frame cut short. Version 2
// puts the range in the header and protects the header with its own
// checksum; version 1 frames are still read, and the WAL holds only version
// 2 frames once the next block is sealed (the seal rewrites the WAL).
var magicWAL2 = [4]byte{'C', 'G', 'W', '2'}

// walHeader2 is the size of a version-2 frame header:
//
//	magic "CGW2" | u32 payload length | u64 first seq | u32 count |
//	u32 CRC-32C(payload) | u32 CRC-32C(the 24 header bytes before it)
const walHeader2 = 28

// appendWALFrame appends to dst a version-2 frame holding evs with their
// leaf data (computed when data is nil). The payload is written in place
// after a header filled in last, so a commit encodes all its requests into
// one reused buffer without copying any payload twice.
func appendWALFrame(dst []byte, evs []Event, data [][]byte) []byte {
	if data != nil {
		need := walHeader2
		for _, d := range data {
			need += binary.MaxVarintLen32 + len(d)
		}
		dst = slices.Grow(dst, need)
	}
	start := len(dst)
	dst = append(dst, make([]byte, walHeader2)...)
	for i := range evs {
		var d []byte
		if data != nil {
			d = data[i]
		} else {
			d = LeafData(&evs[i])
		}
		dst = binary.AppendUvarint(dst, uint64(len(d)))
		dst = append(dst, d...)
	}
	putFrameHeader(dst[start:], magicWAL2, evs[0].Seq, uint64(len(evs)))
	return dst
}

// putFrameHeader fills the header at the start of f, whose payload is the
// rest of f.
func putFrameHeader(f []byte, magic [4]byte, first, count uint64) {
	h, payload := f[:walHeader2], f[walHeader2:]
	copy(h[:4], magic[:])
	binary.LittleEndian.PutUint32(h[4:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(h[8:], first)
	binary.LittleEndian.PutUint32(h[16:], uint32(count))
	binary.LittleEndian.PutUint32(h[20:], crc32.Checksum(payload, castagnoli))
	binary.LittleEndian.PutUint32(h[24:], crc32.Checksum(h[:24], castagnoli))
}

// walFrame is one intact frame found in a WAL.
type walFrame struct {
	off, end     int // byte range in the file
	first, count uint64
	payload      []byte // uvarint length + leaf data, count times
	version      int
	keys         bool // a keys frame (count 0): batch keys, no events
}

// walBad is a stretch of a WAL that holds no intact frame: damage. first
// is the first sequence number the stretch should hold and n how many it
// held, known when the damaged frame's own header is intact or an intact
// frame follows it (n may then be 0: the stretch held no event of its own).
type walBad struct {
	off, end int
	first, n uint64
	known    bool
	reason   string
}

// walScan is what a WAL's bytes hold: intact frames in order, damaged
// stretches, and where an incomplete final frame starts (-1: none).
type walScan struct {
	frames []walFrame
	bad    []walBad
	torn   int
	// tornFirst and tornCount describe the incomplete frame when its
	// header is complete (tornCount 0: unknown).
	tornFirst, tornCount uint64
}

// frameAt classifies the bytes at b[off:]: an intact frame, an incomplete
// final frame (torn), or damage with its reason.
func frameAt(b []byte, off int) (f walFrame, torn bool, reason string) {
	rest := b[off:]
	if len(rest) < 4 {
		if bytes.HasPrefix(magicWAL2[:], rest) || bytes.HasPrefix(magicWALKeys[:], rest) || bytes.HasPrefix(magicWAL[:], rest) {
			return f, true, ""
		}
		return f, false, fmt.Sprintf("%d bytes that start no frame", len(rest))
	}
	switch [4]byte(rest[:4]) {
	case magicWAL2, magicWALKeys:
		if len(rest) < walHeader2 {
			return f, true, ""
		}
		if crc32.Checksum(rest[:24], castagnoli) != binary.LittleEndian.Uint32(rest[24:]) {
			return f, false, "frame header fails its checksum"
		}
		ln := int(binary.LittleEndian.Uint32(rest[4:]))
		f = walFrame{off: off, end: off + walHeader2 + ln, first: binary.LittleEndian.Uint64(rest[8:]),
			count: uint64(binary.LittleEndian.Uint32(rest[16:])), version: 2, keys: [4]byte(rest[:4]) == magicWALKeys}
		if f.keys && f.count != 0 {
			return f, false, "keys frame holds events"
		}
		if ln > maxFrame {
			return f, false, fmt.Sprintf("frame length %d is too large", ln)
		}
		if len(rest) < walHeader2+ln {
			return f, true, ""
		}
		f.payload = rest[walHeader2 : walHeader2+ln]
		if crc32.Checksum(f.payload, castagnoli) != binary.LittleEndian.Uint32(rest[20:]) {
			return f, false, "frame fails its checksum"
		}
		return f, false, ""
	case magicWAL:
		if len(rest) < frameHeader {
			return f, true, ""
		}
		ln := int(binary.LittleEndian.Uint32(rest[4:]))
		if ln > maxFrame {
			return f, false, fmt.Sprintf("version 1 frame length %d is too large", ln)
		}
		if len(rest) < frameHeader+ln {
			// A version 1 header has no checksum of its own, so a damaged
			// length cannot be told from a short write; only the last frame
			// can be in this state, and version 2 frames replace it.
			return f, true, ""
		}
		p := rest[frameHeader : frameHeader+ln]
		if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(rest[8:]) {
			return f, false, "version 1 frame fails its checksum"
		}
		d := decoder{b: p}
		first, cnt := d.uvarint(), d.uvarint()
		if d.err != nil {
			return f, false, "version 1 frame has no sequence range: " + d.err.Error()
		}
		return walFrame{off: off, end: off + frameHeader + ln, first: first, count: cnt,
			payload: p[len(p)-len(d.b):], version: 1}, false, ""
	}
	if allZero(rest) {
		// Space the file system allocated for a write that never reached
		// the disk: no frame starts here, so nothing acknowledged is lost.
		return f, true, ""
	}
	return f, false, fmt.Sprintf("bytes %q start no frame", rest[:4])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// scanWAL splits a WAL into intact frames, damaged stretches and an
// incomplete final frame. next is the sequence number the first frame
// should start at (or before, for frames already sealed into blocks). Only
// an incomplete frame at the very end is torn; a frame that is complete but
// fails a checksum is damage wherever it is, and the scan resynchronises
// on the next intact frame so that the damaged stretch is bounded.
func scanWAL(b []byte, next uint64) walScan {
	s := walScan{torn: -1}
	off := 0
	for off < len(b) {
		f, torn, reason := frameAt(b, off)
		if torn {
			s.torn = off
			if f.version == 2 {
				s.tornFirst, s.tornCount = f.first, f.count
			} else {
				s.tornFirst = next
			}
			break
		}
		if reason == "" {
			s.frames = append(s.frames, f)
			if e := f.first + f.count; e > next {
				next = e
			}
			off = f.end
			continue
		}
		bad := walBad{off: off, end: len(b), first: next, reason: reason}
		if f.version == 2 && f.end > off && f.end <= len(b) {
			// The header is intact: the frame's own range and length hold.
			bad.end, bad.first, bad.n, bad.known = f.end, f.first, f.count, true
		} else if nf, ok := resync(b, off+1); ok {
			bad.end, bad.known = nf.off, true
			if nf.first > bad.first {
				bad.n = nf.first - bad.first
			}
		}
		s.bad = append(s.bad, bad)
		if e := bad.first + bad.n; bad.known && e > next {
			next = e
		}
		off = bad.end
	}
	return s
}

// resync finds the next intact frame at or after from.
func resync(b []byte, from int) (walFrame, bool) {
	for i := from; i+4 <= len(b); i++ {
		if m := [4]byte(b[i : i+4]); m != magicWAL2 && m != magicWALKeys && m != magicWAL {
			continue
		}
		if f, torn, reason := frameAt(b, i); !torn && reason == "" {
			return f, true
		}
	}
	return walFrame{}, false
}
