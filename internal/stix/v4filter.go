package stix

import (
	"net/netip"

	"github.com/gaissmai/bart"
)

// v4FilterFrom is how many IPv4 prefixes an index holds before it keeps a v4Filter:
// below it the prefix table is small enough to stay in the cache, and the filter's 2 MiB
// would cost more than it saves (an index is built for each hunt).
const v4FilterFrom = 4096

// v4Filter tells from an IPv4 address's first 24 bits, with one bit in a 2 MiB table,
// whether any indexed prefix may hold it. With a million indicators the prefix table is
// far larger than the cache and a lookup walks several nodes each missing it; most
// addresses of a log line are in no indicator, and the filter answers those from one
// word. It only ever says "may": the prefix table decides.
type v4Filter struct {
	n     int      // IPv4 prefixes added
	bits  []uint64 // one bit per /24; nil until v4FilterFrom prefixes
	short bool     // a prefix shorter than /8 was added: the filter gives up
}

// add records p (every IPv4 prefix added to t, after it was): at v4FilterFrom the
// table is built from t's prefixes, then kept up to date.
func (f *v4Filter) add(p netip.Prefix, t *bart.Table[[]int32]) {
	if !p.Addr().Is4() {
		return
	}
	f.n++
	switch {
	case f.bits != nil:
		f.set(p)
	case f.n >= v4FilterFrom:
		f.bits = make([]uint64, 1<<24/64)
		for q := range t.All4() {
			f.set(q)
		}
	}
}

func (f *v4Filter) set(p netip.Prefix) {
	if p.Bits() < 8 {
		f.short = true
		return
	}
	first := slash24(p.Masked().Addr())
	span := uint32(1)
	if p.Bits() < 24 {
		span = 1 << (24 - p.Bits())
	}
	for n := first; n < first+span; n++ {
		f.bits[n>>6] |= 1 << (n & 63)
	}
}

// mayHold is false only when no prefix added holds a.
func (f *v4Filter) mayHold(a netip.Addr) bool {
	if f.bits == nil || f.short || !a.Is4() {
		return true
	}
	n := slash24(a)
	return f.bits[n>>6]&(1<<(n&63)) != 0
}

func slash24(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
}
