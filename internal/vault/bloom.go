package vault

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// bloom is a Bloom filter of token hashes with k probes derived from one
// 64-bit hash by double hashing. It is sized by the number of distinct keys
// it holds, so every filter has about the same false-positive rate however
// many tokens its part has (the idea of VictoriaLogs' per-block filters):
// with bloomBitsPerKey bits and bloomK probes about 0.3% of parts without
// a term are read anyway.
//
// Filters of version 1 index entries (6 probes, about 9 bits a key,
// positions by modulo) are kept readable as they are.
type bloom struct {
	w      []uint64
	k      uint8
	legacy bool // version 1: position = hash mod bits
}

const (
	bloomK          = 8
	bloomBitsPerKey = 12
	legacyBloomK    = 6
	// maxBloomWords bounds a filter read from disk (a part holds at most
	// 2^20 events of at most a few thousand tokens each).
	maxBloomWords = 1 << 24
)

func newBloom(keys int) bloom {
	words := (keys*bloomBitsPerKey + 63) / 64
	return bloom{w: make([]uint64, max(words, 1)), k: bloomK}
}

// probes calls fn with each bit position of h until fn returns false.
func (b bloom) probes(h uint64, fn func(bit uint64) bool) bool {
	m := uint64(len(b.w)) * 64
	h1, h2 := h, (h>>29|h<<35)*0x9E3779B97F4A7C15|1
	for i := uint64(0); i < uint64(b.k); i++ {
		x := h1 + i*h2
		var bit uint64
		if b.legacy {
			bit = x % m
		} else {
			bit, _ = bits.Mul64(x, m) // x scaled to [0, m): no division
		}
		if !fn(bit) {
			return false
		}
	}
	return true
}

func (b bloom) add(h uint64) {
	b.probes(h, func(bit uint64) bool { b.w[bit/64] |= 1 << (bit % 64); return true })
}

// has reports whether h may have been added; false is certain.
func (b bloom) has(h uint64) bool {
	if len(b.w) == 0 {
		return true
	}
	return b.probes(h, func(bit uint64) bool { return b.w[bit/64]&(1<<(bit%64)) != 0 })
}

// appendTo writes byte k, uvarint n and n little-endian words.
func (b bloom) appendTo(dst []byte) []byte {
	dst = append(dst, b.k)
	dst = binary.AppendUvarint(dst, uint64(len(b.w)))
	for _, w := range b.w {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

// bloom reads a filter written by appendTo.
func (d *decoder) bloom() bloom {
	k := d.byte()
	if d.err == nil && (k == 0 || k > 32) {
		d.fail(fmt.Errorf("bloom with %d probes", k))
	}
	b := d.words()
	b.k = k
	return b
}

// legacyBloom reads the filter of a version 1 index entry: uvarint n and n
// words, 6 probes by modulo.
func (d *decoder) legacyBloom() bloom {
	b := d.words()
	b.k, b.legacy = legacyBloomK, true
	return b
}

func (d *decoder) words() bloom {
	nw := d.uvarint()
	if d.err != nil {
		return bloom{}
	}
	if nw > uint64(len(d.b))/8 || nw > maxBloomWords {
		d.fail(fmt.Errorf("bloom of %d words exceeds entry", nw))
		return bloom{}
	}
	b := bloom{w: make([]uint64, nw)}
	for i := range b.w {
		b.w[i] = binary.LittleEndian.Uint64(d.b[i*8:])
	}
	d.b = d.b[nw*8:]
	return b
}
