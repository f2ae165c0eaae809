package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
)

// Frame magics. Each on-disk record starts with one so a reader that lands
// on the wrong offset fails at once instead of decoding garbage.
var (
	magicBlock = [4]byte{'C', 'G', 'B', 'K'}
	magicIndex = [4]byte{'C', 'G', 'I', 'X'}
	magicWAL   = [4]byte{'C', 'G', 'W', 'L'}
)

const frameHeader = 12 // magic, u32 payload length, u32 CRC-32C of payload

// errChecksum is a frame whose payload does not match its CRC-32C.
var errChecksum = errors.New("frame checksum mismatch")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxFrame bounds the payload length read from disk before allocating.
const maxFrame = 1 << 30

func appendFrame(dst []byte, magic [4]byte, payload []byte) []byte {
	dst = append(dst, magic[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
	return append(dst, payload...)
}

// errTorn marks a frame cut short by the end of the data, which is what a
// crash in the middle of an append leaves behind.
var errTorn = errors.New("frame cut short")

// readFrame parses one frame at the start of b and returns its payload and
// total length. errTorn means b ended inside the frame.
//
// A frame whose header is whole but whose payload fails the checksum returns
// errChecksum with n still the frame's length, so a reader can step over it
// to the frames after it.
func readFrame(b []byte, magic [4]byte) (payload []byte, n int, err error) {
	if len(b) < frameHeader {
		return nil, 0, errTorn
	}
	if [4]byte(b[:4]) != magic {
		return nil, 0, fmt.Errorf("bad frame magic %q", b[:4])
	}
	ln := binary.LittleEndian.Uint32(b[4:])
	if ln > maxFrame {
		return nil, 0, fmt.Errorf("frame length %d too large", ln)
	}
	if uint64(len(b)) < frameHeader+uint64(ln) {
		return nil, 0, errTorn
	}
	payload = b[frameHeader : frameHeader+ln]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[8:]) {
		return nil, frameHeader + int(ln), errChecksum
	}
	return payload, frameHeader + int(ln), nil
}

// Column numbers inside a block. Columns are compressed separately so a
// search can decompress only what it needs (times for a histogram, text for
// a term) and so zstd sees homogeneous data.
const (
	colRecv = iota
	colTime
	colSource
	colFacSev
	colFormat
	colHost
	colApp
	colProcID
	colMsgID
	colMessage
	colRaw
	numCols
)

var (
	zenc     *zstd.Encoder
	zdec     *zstd.Decoder
	zencOnce sync.Once
)

func codecs() (*zstd.Encoder, *zstd.Decoder) {
	zencOnce.Do(func() {
		var err error
		zenc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
			zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<23))
		if err != nil {
			panic(fmt.Sprintf("vault: zstd encoder with constant options: %v", err))
		}
		zdec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(512<<20))
		if err != nil {
			panic(fmt.Sprintf("vault: zstd decoder with constant options: %v", err))
		}
	})
	return zenc, zdec
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeColumns encodes events that carry consecutive sequence numbers as
// one run of compressed columns: the whole payload of a version 1 block,
// and each part of a version 2 block (see blockparts.go).
func encodeColumns(evs []Event) []byte {
	sc := colScratchPool.Get().(*colScratch)
	defer colScratchPool.Put(sc)
	cols := &sc.cols
	msgLen, rawLen := 0, 0
	for i := range evs {
		msgLen += binary.MaxVarintLen32 + len(evs[i].Message)
		rawLen += binary.MaxVarintLen32 + len(evs[i].Raw)
	}
	for c := range cols {
		cols[c] = cols[c][:0]
	}
	cols[colMessage] = slices.Grow(cols[colMessage], msgLen)
	cols[colRaw] = slices.Grow(cols[colRaw], rawLen)
	var prevRecv, prevTime int64
	for i := range evs {
		ev := &evs[i]
		r, t := ev.Received.UnixNano(), ev.Time.UnixNano()
		cols[colRecv] = binary.AppendVarint(cols[colRecv], r-prevRecv)
		cols[colTime] = binary.AppendVarint(cols[colTime], t-prevTime)
		prevRecv, prevTime = r, t
		cols[colSource] = binary.AppendVarint(cols[colSource], ev.SourceID)
		cols[colFacSev] = append(cols[colFacSev], byte(ev.Facility+1), byte(ev.Severity+1))
	}
	// Message and raw bytes are written grouped by host (stable): lines
	// from one device resemble each other, and zstd finds far more and
	// closer matches among neighbours (about 10% smaller on firewall
	// logs). The order is derived from the host column, so it costs
	// nothing to store.
	for _, i := range hostOrder(evs) {
		ev := &evs[i]
		cols[colMessage] = appendStr(cols[colMessage], ev.Message)
		cols[colRaw] = binary.AppendUvarint(cols[colRaw], uint64(len(ev.Raw)))
		cols[colRaw] = append(cols[colRaw], ev.Raw...)
	}
	cols[colFormat] = dictColumn(evs, func(e *Event) string { return e.Format })
	cols[colHost] = dictColumn(evs, func(e *Event) string { return e.Host })
	cols[colApp] = dictColumn(evs, func(e *Event) string { return e.App })
	cols[colProcID] = dictColumn(evs, func(e *Event) string { return e.ProcID })
	cols[colMsgID] = dictColumn(evs, func(e *Event) string { return e.MsgID })
	enc, _ := codecs()
	out := []byte{1}
	out = binary.AppendUvarint(out, evs[0].Seq)
	out = binary.AppendUvarint(out, uint64(len(evs)))
	out = binary.AppendUvarint(out, numCols)
	for _, c := range cols {
		sc.z = enc.EncodeAll(c, sc.z[:0])
		out = binary.AppendUvarint(out, uint64(len(c)))
		out = binary.AppendUvarint(out, uint64(len(sc.z)))
		out = append(out, sc.z...)
	}
	return out
}

// colScratch holds encodeColumns' buffers between calls: the uncompressed
// columns of a part (the message column alone is about 600 kB) and the
// compressor's output, which would otherwise be allocated and grown anew
// for every part of every block.
type colScratch struct {
	cols [numCols][]byte
	z    []byte
}

var colScratchPool = sync.Pool{New: func() any { return new(colScratch) }}

// decodeScratch holds decodeColumns' buffers. A new one for each call gives events of
// their own; one kept by a scanning goroutine from part to part (Scan) saves allocating,
// and the collector's clearing, about a megabyte a part, and the events decoded into it
// are valid only until its next use.
type decodeScratch struct {
	part  []byte  // the part's bytes as read (readPart)
	col   []byte  // one decompressed column
	evs   []Event // the decoded events
	hid   []int   // each event's host group
	order []int   // event positions grouped by host
	have  colMask // the columns decoded into evs
	src   []byte  // the part evs were decoded from, when read into part

	msgs   string // the message column, which the messages are cut from
	msgEnd []int  // where each message ends in msgs, in column order
	cand   []bool // candidates' answer
}

// events returns n cleared events.
func (s *decodeScratch) events(n int) []Event {
	if cap(s.evs) < n {
		s.evs = make([]Event, n)
		return s.evs
	}
	s.evs = s.evs[:n]
	clear(s.evs)
	return s.evs
}

// bytes returns a buffer of n bytes for a part read from disk.
func (s *decodeScratch) bytes(n int64) []byte {
	if int64(cap(s.part)) < n {
		s.part = make([]byte, n)
	}
	s.part = s.part[:n]
	return s.part
}

// hostOrder returns event positions grouped by host in order of each
// host's first appearance, arrival order within a host.
func hostOrder(evs []Event) []int {
	ids := map[string]int{}
	hid := make([]int, len(evs))
	for i := range evs {
		id, ok := ids[evs[i].Host]
		if !ok {
			id = len(ids)
			ids[evs[i].Host] = id
		}
		hid[i] = id
	}
	return groupOrder(hid, len(ids), nil)
}

// groupOrder is a stable counting sort of positions by group id, appended to order.
func groupOrder(ids []int, groups int, order []int) []int {
	start := make([]int, groups+1)
	for _, id := range ids {
		start[id+1]++
	}
	for g := 1; g <= groups; g++ {
		start[g] += start[g-1]
	}
	order = slices.Grow(order[:0], len(ids))[:len(ids)]
	for i, id := range ids {
		order[start[id]] = i
		start[id]++
	}
	return order
}

// colMask selects the columns decodeBlock decompresses.
type colMask uint32

const allCols colMask = 1<<numCols - 1

// decodeColumns decodes a run of columns written by encodeColumns, into s
// (nil: buffers of the events' own). Columns outside mask are left at their zero values, which is how search
// skips decompressing message text when it only needs times. org fills
// Event.OrgID, which blocks do not store (every block lives in exactly one
// organisation's directory).
//
// expect is the number of events the run must hold (0: any up to 2^20),
// checked before anything is allocated for them.
func decodeColumns(p []byte, org int64, mask colMask, expect uint64, s *decodeScratch) ([]Event, error) {
	d, first, count, err := columnsHeader(p, expect)
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = new(decodeScratch)
	}
	evs := s.events(int(count))
	for i := range evs {
		evs[i].Seq = first + uint64(i)
		evs[i].OrgID = org
	}
	s.have = 0
	if err := s.decode(d, mask); err != nil {
		return nil, err
	}
	return evs, nil
}

// decodeMore adds to the events s holds, decoded by decodeColumns from p, the
// columns of mask they lack: a search decodes what it matches on first, and the
// rest only for a part where something matched.
func (s *decodeScratch) decodeMore(p []byte, mask colMask) error {
	d, _, _, err := columnsHeader(p, uint64(len(s.evs)))
	if err != nil {
		return err
	}
	return s.decode(d, mask)
}

// columnsHeader reads the header of a run of columns; d is left at the first column.
func columnsHeader(p []byte, expect uint64) (d decoder, first, count uint64, err error) {
	d = decoder{b: p}
	if v := d.byte(); v != 1 {
		return d, 0, 0, fmt.Errorf("block version %d unknown", v)
	}
	first = d.uvarint()
	count = d.uvarint()
	nc := d.uvarint()
	if d.err != nil {
		return d, 0, 0, fmt.Errorf("block header: %w", d.err)
	}
	if nc != numCols {
		return d, 0, 0, fmt.Errorf("block has %d columns, want %d", nc, numCols)
	}
	if count == 0 || count > 1<<20 || (expect != 0 && count != expect) {
		return d, 0, 0, fmt.Errorf("block event count %d out of range (want %d)", count, expect)
	}
	return d, first, count, nil
}

// decode decodes the columns of mask that s.evs lack from d, which is at the
// first column.
func (s *decodeScratch) decode(d decoder, mask colMask) error {
	if mask&(1<<colMessage|1<<colRaw) != 0 {
		mask |= 1 << colHost // their order derives from the host column
	}
	mask &^= s.have
	_, dec := codecs()
	for c := 0; c < numCols; c++ {
		rawLen := d.uvarint()
		z := d.bytes()
		if d.err != nil {
			return fmt.Errorf("block column %d: %w", c, d.err)
		}
		if mask&(1<<c) == 0 {
			continue
		}
		if rawLen > 1<<30 {
			return fmt.Errorf("block column %d: size %d too large", c, rawLen)
		}
		// The header's size is only a hint until the data is decoded. One buffer
		// serves every column: each is copied out of it (Event.Raw, the last, points
		// into it), so it may be reused for the next.
		buf := s.col[:0]
		if uint64(cap(buf)) < rawLen {
			buf = make([]byte, 0, min(rawLen, 64<<20))
		}
		col, err := dec.DecodeAll(z, buf)
		if err != nil {
			return fmt.Errorf("block column %d: decompress: %w", c, err)
		}
		s.col = col
		if uint64(len(col)) != rawLen {
			return fmt.Errorf("block column %d: %d bytes, header says %d", c, len(col), rawLen)
		}
		if c == colHost {
			ids, groups, err := decodeHostColumn(col, len(s.evs), s.evs, s.hid[:0])
			if err != nil {
				return fmt.Errorf("block column %d: %w", c, err)
			}
			s.hid = ids
			s.order = groupOrder(ids, groups, s.order[:0])
			continue
		}
		if c == colMessage {
			if err := s.decodeMessages(col); err != nil {
				return fmt.Errorf("block column %d: %w", c, err)
			}
			continue
		}
		if err := decodeColumn(c, col, s.evs, s.order); err != nil {
			return fmt.Errorf("block column %d: %w", c, err)
		}
	}
	if len(d.b) != 0 {
		return fmt.Errorf("block: %d trailing bytes", len(d.b))
	}
	s.have |= mask
	return nil
}

// dictColumn encodes a low-cardinality string column as a dictionary of
// distinct values followed by one uvarint index per event:
//
//	uvarint n, n strings, len(evs) uvarint indexes
//
// Hosts, apps and formats repeat heavily within a block, so this is far
// smaller than the strings themselves even after compression.
func dictColumn(evs []Event, get func(*Event) string) []byte {
	ids := map[string]uint64{}
	var dict []string
	idx := make([]uint64, len(evs))
	for i := range evs {
		s := get(&evs[i])
		id, ok := ids[s]
		if !ok {
			id = uint64(len(dict))
			ids[s] = id
			dict = append(dict, s)
		}
		idx[i] = id
	}
	b := binary.AppendUvarint(nil, uint64(len(dict)))
	for _, s := range dict {
		b = appendStr(b, s)
	}
	for _, id := range idx {
		b = binary.AppendUvarint(b, id)
	}
	return b
}

// decodeHostColumn decodes the host column into evs and returns each event's host group
// (appended to ids) and the number of groups: hosts numbered in order of first appearance,
// the grouping hostOrder makes, from the dictionary instead of a map of every event's host.
// evs, when not nil, gets the hosts.
func decodeHostColumn(col []byte, n int, evs []Event, ids []int) ([]int, int, error) {
	var group []int // group[k] is the group of dictionary entry k, -1 until first seen
	var byText map[string]int
	groups := 0
	err := decodeDictColumn(col, n, func(i int, host string, id int) {
		for len(group) <= id {
			group = append(group, -1)
		}
		g := group[id]
		if g < 0 {
			// Entries of the same text (which our encoder never writes) share a group,
			// as in hostOrder.
			if byText == nil {
				byText = map[string]int{}
			}
			var ok bool
			if g, ok = byText[host]; !ok {
				g = groups
				groups++
				byText[host] = g
			}
			group[id] = g
		}
		if evs != nil {
			evs[i].Host = host
		}
		ids = append(ids, g)
	})
	if err != nil {
		return nil, 0, err
	}
	return ids, groups, nil
}

// decodeMessages decodes the message column, in host order (s.order), into s.evs. The
// messages share one string made from the column (one allocation per part, not one per
// event), kept in s.msgs with where each ends (s.msgEnd, column order) for candidates.
func (s *decodeScratch) decodeMessages(col []byte) error {
	all := string(col)
	cd := decoder{b: col}
	s.msgEnd = s.msgEnd[:0]
	for i := range s.evs {
		b := cd.bytes()
		if cd.err != nil {
			return fmt.Errorf("event %d: %w", i, cd.err)
		}
		end := len(col) - len(cd.b)
		s.evs[s.order[i]].Message = all[end-len(b) : end]
		s.msgEnd = append(s.msgEnd, end)
	}
	if len(cd.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(cd.b))
	}
	s.msgs = all
	return nil
}

// decodeDictColumn reads a column of n events that dictColumn wrote and calls set with
// each event's position, its value and the value's place in the dictionary.
func decodeDictColumn(col []byte, n int, set func(i int, v string, id int)) error {
	cd := decoder{b: col}
	entries := cd.uvarint()
	if entries > uint64(len(col)) {
		return fmt.Errorf("dictionary of %d entries in %d bytes", entries, len(col))
	}
	dict := make([]string, 0, entries)
	for i := uint64(0); i < entries && cd.err == nil; i++ {
		dict = append(dict, cd.str())
	}
	for i := range n {
		id := cd.uvarint()
		if cd.err != nil {
			return fmt.Errorf("event %d: %w", i, cd.err)
		}
		if id >= uint64(len(dict)) {
			return fmt.Errorf("event %d: dictionary index %d out of %d", i, id, len(dict))
		}
		set(i, dict[id], int(id))
	}
	if len(cd.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(cd.b))
	}
	return nil
}

func decodeColumn(c int, col []byte, evs []Event, order []int) error {
	switch c {
	case colFormat:
		return decodeDictColumn(col, len(evs), func(i int, s string, _ int) { evs[i].Format = s })
	case colApp:
		return decodeDictColumn(col, len(evs), func(i int, s string, _ int) { evs[i].App = s })
	case colProcID:
		return decodeDictColumn(col, len(evs), func(i int, s string, _ int) { evs[i].ProcID = s })
	case colMsgID:
		return decodeDictColumn(col, len(evs), func(i int, s string, _ int) { evs[i].MsgID = s })
	}
	cd := decoder{b: col}
	var prev int64
	for i := range evs {
		ev := &evs[i]
		if order != nil && c == colRaw {
			ev = &evs[order[i]]
		}
		switch c {
		case colRecv, colTime:
			prev += cd.varint()
			t := timeFromNanos(prev)
			if c == colRecv {
				ev.Received = t
			} else {
				ev.Time = t
			}
		case colSource:
			ev.SourceID = cd.varint()
		case colFacSev:
			ev.Facility = int(cd.byte()) - 1
			ev.Severity = int(cd.byte()) - 1
		case colRaw:
			if r := cd.bytes(); len(r) > 0 {
				ev.Raw = r
			}
		}
		if cd.err != nil {
			return fmt.Errorf("event %d: %w", i, cd.err)
		}
	}
	if len(cd.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(cd.b))
	}
	return nil
}

// blockMeta is the per-block index entry: what search needs to skip a block
// without reading it, and where the block is.
type blockMeta struct {
	no      uint64 // block number; events no<<bits .. +count
	off     int64  // frame offset in the segment file
	flen    int64  // frame length including header
	crc     uint32 // CRC-32C of the block payload, ties the index to the data
	count   uint64
	minRecv int64
	maxRecv int64
	minTime int64
	maxTime int64
	sevMask uint16 // bit s+1 set when severity s occurs (bit 0: unknown)
	facMask uint32 // bit f+1 set when facility f occurs
	sources []int64
	manySrc bool // more distinct sources than listed; do not prune on source
	// parts index the block's parts (blockparts.go), each on its own:
	// search reads only the parts whose filters may match. An index
	// entry of version 1 has one part spanning the whole block, whose
	// Bloom filter left out long numbers (legacy).
	parts      []partMeta
	partEvents uint64 // events per part (the last may hold fewer)
	legacy     bool
	locs       atomic.Pointer[partIndex] // where the parts are, read on first use
	// loc is the block's locator (locator.go), kept in entries of version
	// 3; nil in older entries and in entries rebuilt in memory.
	loc []byte
}

// partMeta is what the index knows about one part of a block.
type partMeta struct {
	count            uint64
	minTime, maxTime int64
	sevMask          uint16
	facMask          uint32
	bloom            bloom
}

const maxListedSources = 32

func buildMeta(evs []Event, no uint64) *blockMeta {
	per := partLen(len(evs))
	m := &blockMeta{no: no, count: uint64(len(evs)), partEvents: uint64(per)}
	m.minRecv, m.minTime = evs[0].Received.UnixNano(), evs[0].Time.UnixNano()
	m.maxRecv, m.maxTime = m.minRecv, m.minTime
	var srcSeen = map[int64]bool{}
	set := newHashSet(per * 16)
	order := hostOrder(evs) // parts are cut in host order (blockparts.go)
	for start := 0; start < len(evs); start += per {
		part := order[start:min(start+per, len(evs))]
		t0 := evs[part[0]].Time.UnixNano()
		pm := partMeta{count: uint64(len(part)), minTime: t0, maxTime: t0}
		set.reset()
		for _, i := range part {
			ev := &evs[i]
			r, t := ev.Received.UnixNano(), ev.Time.UnixNano()
			m.minRecv, m.maxRecv = min(m.minRecv, r), max(m.maxRecv, r)
			pm.minTime, pm.maxTime = min(pm.minTime, t), max(pm.maxTime, t)
			pm.sevMask |= 1 << uint(ev.Severity+1)
			pm.facMask |= 1 << uint(ev.Facility+1)
			if !srcSeen[ev.SourceID] {
				srcSeen[ev.SourceID] = true
				if len(m.sources) < maxListedSources {
					m.sources = append(m.sources, ev.SourceID)
				} else {
					m.manySrc = true
				}
			}
			eventTokenHashes(ev, set.add, nil)
		}
		pm.bloom = newBloom(set.n)
		set.each(pm.bloom.add)
		m.minTime, m.maxTime = min(m.minTime, pm.minTime), max(m.maxTime, pm.maxTime)
		m.sevMask |= pm.sevMask
		m.facMask |= pm.facMask
		m.parts = append(m.parts, pm)
	}
	return m
}

// hasSource reports whether any part of the block may hold events of the
// source id.
func (m *blockMeta) hasSource(id int64) bool {
	for i := range m.parts {
		if (partView{m, &m.parts[i]}).hasSource(id) {
			return true
		}
	}
	return false
}

// buildMetaLike builds the index entry of a block as the version of the
// stored entry (its first byte) has it, so that Verify can compare an
// entry written by an older version byte for byte. lv are the levels of
// the block's tree (denseLevels), for the locator of version 3.
func buildMetaLike(evs []Event, lv [][][32]byte, bits uint, no uint64, stored []byte) *blockMeta {
	if len(stored) == 0 || stored[0] != 1 {
		m := buildMeta(evs, no)
		if len(stored) == 0 || stored[0] == 3 {
			m.loc = buildLocator(lv, locLevel(bits))
		}
		return m
	}
	m := buildMeta(evs, no)
	set := newHashSet(len(evs) * 16)
	for i := range evs {
		eventTokenHashes(&evs[i], func(h uint64) { set.add(h) }, legacyIndexed)
	}
	b := bloom{w: make([]uint64, max((set.n*9+63)/64, 1)), k: legacyBloomK, legacy: true}
	set.each(b.add)
	m.legacy, m.partEvents = true, m.count
	m.parts = []partMeta{{count: m.count, minTime: m.minTime, maxTime: m.maxTime, sevMask: m.sevMask, facMask: m.facMask, bloom: b}}
	return m
}

// encode writes an index entry of version 2: the block's summary as in
// version 1 without its filter, then per part its event count, time
// range, severity and facility masks and Bloom filter; or of version 3,
// which is version 2 followed by uvarint n and the n bytes of the block's
// locator.
func (m *blockMeta) encode() []byte {
	ver := byte(2)
	switch {
	case m.legacy:
		ver = 1
	case m.loc != nil:
		ver = 3
	}
	b := []byte{ver}
	b = binary.AppendUvarint(b, m.no)
	b = binary.AppendUvarint(b, uint64(m.off))
	b = binary.AppendUvarint(b, uint64(m.flen))
	b = binary.LittleEndian.AppendUint32(b, m.crc)
	b = binary.AppendUvarint(b, m.count)
	for _, v := range [...]int64{m.minRecv, m.maxRecv, m.minTime, m.maxTime} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(m.sevMask))
	b = binary.AppendUvarint(b, uint64(m.facMask))
	if m.manySrc {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(m.sources)))
	for _, s := range m.sources {
		b = binary.AppendVarint(b, s)
	}
	if m.legacy {
		b = binary.AppendUvarint(b, uint64(len(m.parts[0].bloom.w)))
		for _, w := range m.parts[0].bloom.w {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		return b
	}
	b = binary.AppendUvarint(b, m.partEvents)
	b = binary.AppendUvarint(b, uint64(len(m.parts)))
	for _, pm := range m.parts {
		b = binary.AppendUvarint(b, pm.count)
		b = binary.AppendVarint(b, pm.minTime-m.minTime)
		b = binary.AppendVarint(b, pm.maxTime-m.minTime)
		b = binary.AppendUvarint(b, uint64(pm.sevMask))
		b = binary.AppendUvarint(b, uint64(pm.facMask))
		b = pm.bloom.appendTo(b)
	}
	if m.loc != nil {
		b = binary.AppendUvarint(b, uint64(len(m.loc)))
		b = append(b, m.loc...)
	}
	return b
}

// decodeMeta reads an index entry of version 1 (one filter for the whole
// block, long numbers left out), 2 (a filter per part, every token) or 3
// (version 2 and the block's locator).
func decodeMeta(p []byte) (*blockMeta, error) {
	d := decoder{b: p}
	ver := d.byte()
	if ver < 1 || ver > 3 {
		return nil, fmt.Errorf("index entry version %d unknown", ver)
	}
	m := &blockMeta{}
	m.no = d.uvarint()
	m.off = int64(d.uvarint())
	m.flen = int64(d.uvarint())
	m.crc = d.u32()
	m.count = d.uvarint()
	m.minRecv, m.maxRecv, m.minTime, m.maxTime = d.varint(), d.varint(), d.varint(), d.varint()
	m.sevMask = uint16(d.uvarint())
	m.facMask = uint32(d.uvarint())
	m.manySrc = d.byte() == 1
	ns := d.uvarint()
	if ns > maxListedSources {
		d.fail(fmt.Errorf("%d sources listed, at most %d allowed", ns, maxListedSources))
	}
	for i := uint64(0); i < ns && d.err == nil; i++ {
		m.sources = append(m.sources, d.varint())
	}
	if ver == 1 {
		m.legacy, m.partEvents = true, m.count
		m.parts = []partMeta{{count: m.count, minTime: m.minTime, maxTime: m.maxTime, sevMask: m.sevMask, facMask: m.facMask, bloom: d.legacyBloom()}}
	} else {
		m.partEvents = d.uvarint()
		np := d.uvarint()
		if d.err == nil && (m.partEvents == 0 || np == 0 || np > m.count || np != (m.count+m.partEvents-1)/m.partEvents) {
			d.fail(fmt.Errorf("%d parts of %d events for %d events", np, m.partEvents, m.count))
		}
		var total uint64
		for i := uint64(0); i < np && d.err == nil; i++ {
			pm := partMeta{count: d.uvarint()}
			pm.minTime, pm.maxTime = m.minTime+d.varint(), m.minTime+d.varint()
			pm.sevMask, pm.facMask = uint16(d.uvarint()), uint32(d.uvarint())
			pm.bloom = d.bloom()
			total += pm.count
			m.parts = append(m.parts, pm)
		}
		if d.err == nil && total != m.count {
			d.fail(fmt.Errorf("parts hold %d events, block %d", total, m.count))
		}
		if ver == 3 {
			m.loc = append([]byte{}, d.bytes()...) // not pinning the file read
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("index entry: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("index entry: %d trailing bytes", len(d.b))
	}
	if m.off < 0 || m.flen < frameHeader || m.count == 0 {
		return nil, errors.New("index entry: offset, length or count out of range")
	}
	return m, nil
}

// Tokens. A token is a maximal run of ASCII letters, digits, '.', '_' and
// any non-ASCII byte, with leading and trailing dots removed, compared
// ASCII-case-insensitively. So "src=10.0.0.1:443" has the tokens "src",
// "10.0.0.1" and "443". Free-text terms match whole tokens; phrases match
// consecutive tokens.

var tokenBytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = b >= 0x80 || b == '.' || b == '_' || (b >= '0' && b <= '9') || (b|0x20 >= 'a' && b|0x20 <= 'z')
	}
	return t
}()

func isTokenByte(c byte) bool { return tokenBytes[c] }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c | 0x20
	}
	return c
}

// eachToken calls fn with each token of s (not lowercased).
func eachToken(s string, fn func(tok string)) {
	i := 0
	for i < len(s) {
		for i < len(s) && !isTokenByte(s[i]) {
			i++
		}
		j := i
		for j < len(s) && isTokenByte(s[j]) {
			j++
		}
		a, b := i, j
		for a < b && s[a] == '.' {
			a++
		}
		for b > a && s[b-1] == '.' {
			b--
		}
		if a < b {
			fn(s[a:b])
		}
		i = j
	}
}

// Field prefixes keep field-scoped keys apart from free-text tokens in the
// bloom filter.
const (
	keyText   = 't'
	keyHost   = 'h'
	keyApp    = 'a'
	keySource = 's'
)

// tokenHash is FNV-1a over a one-byte key kind and the lowercased token.
func tokenHash(kind byte, tok string) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(tok); i++ {
		h ^= uint64(lower(tok[i]))
		h *= 1099511628211
	}
	return h
}

// textTokenHashes calls add with tokenHash(keyText, tok) for each token of
// s, as eachToken finds them, hashing in the same pass that finds a token's
// end: indexing every token of every event is a sixth of ingest's CPU, and
// the second pass over each token cost about a sixth of that step.
func textTokenHashes(s string, add func(uint64)) {
	const prime = 1099511628211
	seed := uint64(14695981039346656037) ^ keyText
	seed *= prime
	for i := 0; i < len(s); {
		if c := s[i]; !tokenBytes[c] || c == '.' { // separators and a token's leading dots
			i++
			continue
		}
		h := seed
		end := h // the hash up to the last byte that is not a dot
		for ; i < len(s) && tokenBytes[s[i]]; i++ {
			h = (h ^ uint64(lower(s[i]))) * prime
			if s[i] != '.' {
				end = h
			}
		}
		add(end)
	}
}

// legacyIndexed reports whether an index entry of version 1 holds a
// free-text token: those left out all-digit tokens of five or more digits
// (ports, byte counters, ids), so a search cannot skip such blocks on one.
// Version 2 entries hold every token.
func legacyIndexed(tok string) bool {
	if len(tok) < 5 {
		return true
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return true
		}
	}
	return false
}

// eventTokenHashes calls add with the hash of every key of ev: its
// free-text tokens (those keep accepts, all when keep is nil) and its
// host, app and source.
func eventTokenHashes(ev *Event, add func(uint64), keep func(string) bool) {
	if keep == nil {
		for _, s := range [...]string{ev.Message, ev.Host, ev.App, ev.ProcID, ev.MsgID} {
			textTokenHashes(s, add)
		}
	} else {
		text := func(tok string) {
			if keep(tok) {
				add(tokenHash(keyText, tok))
			}
		}
		for _, s := range [...]string{ev.Message, ev.Host, ev.App, ev.ProcID, ev.MsgID} {
			eachToken(s, text)
		}
	}
	add(tokenHash(keyHost, ev.Host))
	add(tokenHash(keyApp, ev.App))
	add(tokenHash(keySource, strconv.FormatInt(ev.SourceID, 10)))
}

// hashSet is an open-addressing set of token hashes; far cheaper than a Go
// map for the few hundred thousand inserts a block needs.
type hashSet struct {
	slots []uint64
	n     int
	zero  bool
}

func newHashSet(hint int) *hashSet {
	size := 1 << bits.Len(uint(hint*2))
	return &hashSet{slots: make([]uint64, size)}
}

// reset empties the set, keeping its slots for the next part.
func (s *hashSet) reset() {
	clear(s.slots)
	s.n, s.zero = 0, false
}

func (s *hashSet) add(h uint64) {
	if h == 0 {
		if !s.zero {
			s.zero = true
			s.n++
		}
		return
	}
	if s.n*2 >= len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, len(old)*2)
		s.n = 0
		if s.zero {
			s.n = 1
		}
		for _, v := range old {
			if v != 0 {
				s.insert(v)
			}
		}
	}
	s.insert(h)
}

func (s *hashSet) insert(h uint64) {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.n++
			return
		}
	}
}

func (s *hashSet) each(fn func(uint64)) {
	if s.zero {
		fn(0)
	}
	for _, v := range s.slots {
		if v != 0 {
			fn(v)
		}
	}
}
