package vault

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Log is one organisation's append-only event log and Merkle tree. Obtain
// it through Vault; all methods are safe for concurrent use.
type Log struct {
	v    *Vault
	org  int64
	dir  string
	bits uint // log2 of events per block

	reqs    chan *appendReq
	closeMu sync.RWMutex // held for reading while sending on reqs
	closed  bool
	done    chan struct{}

	// mu guards the in-memory view below. The writer goroutine is the only
	// mutator; it does file I/O without mu and takes mu only to publish.
	mu         sync.RWMutex
	sealed     uint64 // sealed blocks
	roots      [][32]byte
	segs       []*segment // live segments, ascending
	tail       []Event    // events after the last sealed block (durable in the WAL)
	tailLeaves [][32]byte
	cps        []*checkpoint
	purge      purgeState
	damaged    []Problem // found while opening; Verify reports them too
	failed     error     // set when a write failed; the log refuses appends until reopened

	// writer-owned files
	wal       *os.File
	rootsFile *os.File
	cur       *segment // segment receiving new blocks

	cpMu    sync.Mutex // serialises checkpoint creation
	purgeMu sync.Mutex // serialises purges

	cacheMu     sync.Mutex
	upper       map[nodeKey][32]byte
	blockLevels map[uint64][][][32]byte
}

type nodeKey struct {
	level uint
	idx   uint64
}

// segment is a pair of files: seg-N.dat with block frames and seg-N.idx
// with one index frame per block, N being the first block number.
type segment struct {
	first   uint64
	blocks  []*blockMeta
	dat     *os.File // read handle, opened at load
	datW    *os.File // append handle for the current segment
	idxW    *os.File
	datSize int64
	created time.Time
}

func (s *segment) end() uint64 { return s.first + uint64(len(s.blocks)) }

func segName(first uint64) string { return fmt.Sprintf("seg-%012d", first) }

type checkpoint struct {
	size uint64
	root [32]byte
	note []byte
	file string
}

type appendReq struct {
	evs    []Event
	leaves [][32]byte
	data   [][]byte
	first  uint64
	err    error
	done   chan struct{}
}

// damage records a problem found while opening, with the event range of
// its block filled in.
func (l *Log) damage(p Problem) {
	p.What = "found at open: " + p.What
	if p.Block >= 0 && p.Seq < 0 {
		p.Seq, p.LastSeq = p.Block<<l.bits, (p.Block+1)<<l.bits-1
	}
	l.damaged = append(l.damaged, p)
}

func (l *Log) blockSize() uint64 { return 1 << l.bits }

// size is the number of durable events (the tree size). Caller holds mu.
func (l *Log) sizeLocked() uint64 { return l.sealed<<l.bits + uint64(len(l.tail)) }

// Size returns the number of durable events in the log.
func (l *Log) Size() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.sizeLocked()
}

func openLog(v *Vault, org int64) (*Log, error) {
	dir := filepath.Join(v.dir, "org", strconv.FormatInt(org, 10))
	if err := os.MkdirAll(filepath.Join(dir, "cp"), 0o750); err != nil {
		return nil, fmt.Errorf("vault: create org %d directory: %w", org, err)
	}
	l := &Log{
		v: v, org: org, dir: dir, bits: v.opts.BlockBits,
		reqs:        make(chan *appendReq, v.opts.QueueDepth),
		done:        make(chan struct{}),
		upper:       map[nodeKey][32]byte{},
		blockLevels: map[uint64][][][32]byte{},
	}
	if err := l.recover(); err != nil {
		l.closeFiles()
		return nil, fmt.Errorf("vault: open org %d log: %w", org, err)
	}
	go l.writer()
	return l, nil
}

// recover rebuilds the in-memory state from disk and cuts off whatever a
// crash left half-written: bytes after the last committed block (a block is
// committed once its root is in the roots file) and a torn WAL tail. Damage
// inside committed data is never "repaired" away; it is noted for Verify.
func (l *Log) recover() error {
	var err error
	l.rootsFile, err = os.OpenFile(filepath.Join(l.dir, "roots"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open roots: %w", err)
	}
	rb, err := io.ReadAll(l.rootsFile)
	if err != nil {
		return fmt.Errorf("read roots: %w", err)
	}
	if rem := len(rb) % 32; rem != 0 {
		rb = rb[:len(rb)-rem]
		if err := truncateSync(l.rootsFile, int64(len(rb))); err != nil {
			return fmt.Errorf("truncate torn roots tail: %w", err)
		}
	}
	if _, err := l.rootsFile.Seek(int64(len(rb)), io.SeekStart); err != nil {
		return fmt.Errorf("seek roots: %w", err)
	}
	for i := 0; i < len(rb); i += 32 {
		l.roots = append(l.roots, [32]byte(rb[i:i+32]))
	}
	l.sealed = uint64(len(l.roots))

	if err := l.loadPurgeState(); err != nil {
		return err
	}
	if err := l.loadSegments(); err != nil {
		return err
	}
	if err := l.loadWAL(); err != nil {
		return err
	}
	if err := l.loadCheckpoints(); err != nil {
		return err
	}
	// A crash between the WAL write and sealing leaves a full block in
	// the tail; seal it now so the invariant len(tail) < blockSize holds.
	for uint64(len(l.tail)) >= l.blockSize() {
		if err := l.sealNext(); err != nil {
			return err
		}
	}
	return l.rewriteWAL()
}

func (l *Log) loadSegments() error {
	names, err := filepath.Glob(filepath.Join(l.dir, "seg-*.dat"))
	if err != nil {
		return fmt.Errorf("list segments: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimSuffix(filepath.Base(name), ".dat")
		first, err := strconv.ParseUint(strings.TrimPrefix(base, "seg-"), 10, 64)
		if err != nil {
			l.damage(Problem{Block: -1, Seq: -1, What: "unexpected file " + filepath.Base(name)})
			continue
		}
		if l.purge.isPurged(first) || first >= l.sealed {
			// Purged (removal interrupted) or never committed: remove.
			for _, ext := range []string{".dat", ".idx"} {
				if err := os.Remove(filepath.Join(l.dir, base+ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("remove %s%s: %w", base, ext, err)
				}
			}
			continue
		}
		seg, err := l.loadSegment(first)
		if err != nil {
			return err
		}
		l.segs = append(l.segs, seg)
	}
	// Check the live and purged segments cover every committed block.
	next := uint64(0)
	for _, s := range l.segs {
		for next < s.first {
			if !l.purge.isPurged(next) {
				l.damage(Problem{Block: int64(next), Seq: -1, What: "block is committed but in no segment"})
				break
			}
			next = l.purge.endOf(next)
		}
		next = max(next, s.end())
	}
	for next < l.sealed {
		if l.purge.isPurged(next) {
			next = l.purge.endOf(next)
			continue
		}
		l.damage(Problem{Block: int64(next), Seq: -1, What: fmt.Sprintf("blocks %d..%d are committed but in no segment", next, l.sealed-1)})
		break
	}
	if n := len(l.segs); n > 0 {
		last := l.segs[n-1]
		if last.end() == l.sealed {
			l.cur = last
		}
	}
	return nil
}

func (l *Log) loadSegment(first uint64) (*segment, error) {
	base := filepath.Join(l.dir, segName(first))
	seg := &segment{first: first}
	var err error
	if seg.dat, err = os.Open(base + ".dat"); err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	st, err := seg.dat.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat segment %s: %w", segName(first), err)
	}
	seg.created = st.ModTime()
	idx, err := os.ReadFile(base + ".idx")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read index %s: %w", segName(first), err)
	}
	off, idxEnd := 0, 0
	for off < len(idx) {
		if seg.end() >= l.sealed {
			break // every committed block has its entry: the rest is a torn seal
		}
		p, n, ferr := readFrame(idx[off:], magicIndex)
		if ferr != nil {
			if !errors.Is(ferr, errTorn) {
				l.damage(Problem{Segment: segName(first), Block: int64(seg.end()), Seq: -1, What: fmt.Sprintf("index entry at offset %d: %v", off, ferr)})
			}
			break
		}
		m, merr := decodeMeta(p)
		if merr != nil {
			l.damage(Problem{Segment: segName(first), Block: int64(seg.end()), Seq: -1, What: fmt.Sprintf("index entry at offset %d: %v", off, merr)})
			break
		}
		if m.no >= l.sealed {
			break // written by a seal that never committed
		}
		if m.no != seg.end() {
			l.damage(Problem{Segment: segName(first), Block: int64(seg.end()), Seq: -1, What: fmt.Sprintf("index entry at offset %d is for block %d", off, m.no)})
			break
		}
		seg.blocks = append(seg.blocks, m)
		off += n
		idxEnd = off
	}
	// Index entries missing for committed blocks: rebuild them in memory
	// from the block frames so search still works; Verify reports the index.
	datEnd := int64(0)
	if n := len(seg.blocks); n > 0 {
		datEnd = seg.blocks[n-1].off + seg.blocks[n-1].flen
	}
	for seg.end() < l.sealed && !l.purge.isPurged(seg.end()) {
		m, _, err := readBlockAt(seg.dat, datEnd, seg.end(), l.org, l.blockSize())
		if err != nil {
			if !errors.Is(err, errTorn) {
				l.damage(Problem{Segment: segName(first), Block: int64(seg.end()), Seq: -1, What: fmt.Sprintf("block frame at offset %d: %v", datEnd, err)})
			}
			break
		}
		if idxEnd > 0 || len(idx) > 0 {
			l.damage(Problem{Segment: segName(first), Block: int64(m.no), Seq: -1, What: "index entry missing; rebuilt in memory from the block"})
		}
		seg.blocks = append(seg.blocks, m)
		datEnd = m.off + m.flen
		// Stop at the next segment's first block.
		if _, err := os.Stat(filepath.Join(l.dir, segName(seg.end())+".dat")); err == nil {
			break
		}
	}
	// Cut anything a crashed seal appended after the last committed block.
	if st.Size() > datEnd || int64(len(idx)) > int64(idxEnd) {
		if seg.end() == l.sealed {
			if err := truncatePath(base+".dat", datEnd); err != nil {
				return nil, err
			}
			if err := truncatePath(base+".idx", int64(idxEnd)); err != nil {
				return nil, err
			}
		}
	}
	seg.datSize = datEnd
	// The age that starts a new segment counts from the segment's first
	// event (the file's times change with every write).
	if len(seg.blocks) > 0 {
		seg.created = timeFromNanos(seg.blocks[0].minRecv)
	}
	return seg, nil
}

// readBlockAt reads and decodes the block frame at off, returning its
// index entry as it should be.
func readBlockAt(f *os.File, off int64, no uint64, org int64, expect uint64) (*blockMeta, []Event, error) {
	var hdr [frameHeader]byte
	if _, err := f.ReadAt(hdr[:], off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errTorn
		}
		return nil, nil, fmt.Errorf("read block header: %w", err)
	}
	ln := int64(binary.LittleEndian.Uint32(hdr[4:]))
	if ln > maxFrame {
		return nil, nil, fmt.Errorf("block frame length %d too large", ln)
	}
	buf := make([]byte, frameHeader+ln)
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errTorn
		}
		return nil, nil, fmt.Errorf("read block: %w", err)
	}
	p, _, err := readFrame(buf, magicBlock)
	if err != nil {
		return nil, nil, err
	}
	evs, err := decodeBlock(p, org, allCols, expect)
	if err != nil {
		return nil, nil, err
	}
	m := buildMeta(evs, no)
	m.off, m.flen, m.crc = off, int64(len(buf)), crc32.Checksum(p, castagnoli)
	return m, evs, nil
}

func (l *Log) loadWAL() error {
	path := filepath.Join(l.dir, "wal")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read wal: %w", err)
	}
	next := l.sealed << l.bits
	off := 0
	for off < len(b) {
		p, n, ferr := readFrame(b[off:], magicWAL)
		if ferr != nil {
			if errors.Is(ferr, errTorn) || off+frameHeader+int(binary.LittleEndian.Uint32(b[off+4:])) >= len(b) {
				break // torn tail of the last, unacknowledged commit
			}
			return fmt.Errorf("wal: record at offset %d is damaged and is not the last one: %w", off, ferr)
		}
		d := decoder{b: p}
		first := d.uvarint()
		cnt := d.uvarint()
		if d.err != nil {
			return fmt.Errorf("wal: record at offset %d: %w", off, d.err)
		}
		for i := uint64(0); i < cnt; i++ {
			data := d.bytes()
			if d.err != nil {
				return fmt.Errorf("wal: record at offset %d event %d: %w", off, i, d.err)
			}
			seq := first + i
			if seq < next {
				continue // already sealed into a block
			}
			if seq > next {
				return fmt.Errorf("wal: event %d follows %d: events are missing", seq, next-1)
			}
			ev, err := ParseLeafData(data)
			if err != nil {
				return fmt.Errorf("wal: event %d: %w", seq, err)
			}
			if ev.OrgID != l.org {
				return fmt.Errorf("wal: event %d belongs to org %d", seq, ev.OrgID)
			}
			ev.Seq = seq
			l.tail = append(l.tail, ev)
			l.tailLeaves = append(l.tailLeaves, LeafHash(data))
			next++
		}
		off += n
	}
	return nil
}

// rewriteWAL replaces the WAL with one record holding the current tail,
// atomically (write, fsync, rename), and reopens it for appending.
func (l *Log) rewriteWAL() error {
	path := filepath.Join(l.dir, "wal")
	tmp := path + ".tmp"
	var buf []byte
	if len(l.tail) > 0 {
		buf = l.walRecord(l.tail, nil)
	}
	if err := writeFileSync(tmp, buf); err != nil {
		return fmt.Errorf("rewrite wal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rewrite wal: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	if l.wal != nil {
		if err := l.wal.Close(); err != nil {
			return fmt.Errorf("close old wal: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open wal: %w", err)
	}
	l.wal = f
	return nil
}

// walRecord encodes events (with their leaf data, computed if nil).
func (l *Log) walRecord(evs []Event, data [][]byte) []byte {
	p := binary.AppendUvarint(nil, evs[0].Seq)
	p = binary.AppendUvarint(p, uint64(len(evs)))
	for i := range evs {
		var d []byte
		if data != nil {
			d = data[i]
		} else {
			d = LeafData(&evs[i])
		}
		p = binary.AppendUvarint(p, uint64(len(d)))
		p = append(p, d...)
	}
	return appendFrame(nil, magicWAL, p)
}

// writer is the log's single writing goroutine: it gathers every queued
// Append into one WAL write and one fsync (group commit), then publishes
// the events and seals full blocks.
func (l *Log) writer() {
	defer close(l.done)
	for req := range l.reqs {
		batch := []*appendReq{req}
		n := len(req.evs)
	gather:
		for n < l.v.opts.MaxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				n += len(r.evs)
			default:
				break gather
			}
		}
		err := l.commit(batch)
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}

func (l *Log) commit(batch []*appendReq) error {
	l.mu.RLock()
	failed := l.failed
	next := l.sizeLocked()
	l.mu.RUnlock()
	if failed != nil {
		return fmt.Errorf("vault: org %d log is out of service after a write error: %w", l.org, failed)
	}
	var rec []byte
	for _, r := range batch {
		r.first = next
		for i := range r.evs {
			r.evs[i].Seq = next
			next++
		}
		rec = append(rec, l.walRecord(r.evs, r.data)...)
	}
	fail := func(err error) error {
		l.mu.Lock()
		l.failed = err
		l.mu.Unlock()
		return fmt.Errorf("vault: org %d: %w", l.org, err)
	}
	if _, err := l.wal.Write(rec); err != nil {
		return fail(fmt.Errorf("write wal: %w", err))
	}
	if err := l.wal.Sync(); err != nil {
		return fail(fmt.Errorf("fsync wal: %w", err))
	}
	l.v.stats.commits.Add(1)
	l.v.stats.fsyncs.Add(1)
	l.mu.Lock()
	for _, r := range batch {
		l.tail = append(l.tail, r.evs...)
		l.tailLeaves = append(l.tailLeaves, r.leaves...)
		l.v.stats.events.Add(uint64(len(r.evs)))
	}
	l.mu.Unlock()
	sealedAny := false
	for uint64(len(l.tail)) >= l.blockSize() {
		if err := l.sealNext(); err != nil {
			return fail(err)
		}
		sealedAny = true
	}
	if sealedAny {
		if err := l.rewriteWAL(); err != nil {
			return fail(err)
		}
	}
	return nil
}

// sealNext writes the first blockSize tail events as a block. Order of
// durability: block frame, index entry, root; the root's fsync commits it.
func (l *Log) sealNext() error {
	bs := l.blockSize()
	evs, leaves := l.tail[:bs], l.tailLeaves[:bs]
	no := l.sealed
	root := denseLevels(append([][32]byte(nil), leaves...))
	blockRoot := root[len(root)-1][0]
	payload := encodeBlock(evs)
	meta := buildMeta(evs, no)
	meta.crc = crc32.Checksum(payload, castagnoli)
	frame := appendFrame(nil, magicBlock, payload)

	seg := l.cur
	now := l.v.now()
	if seg == nil || uint64(len(seg.blocks)) >= l.v.opts.SegmentBlocks ||
		(l.v.opts.SegmentMaxAge > 0 && now.Sub(seg.created) >= l.v.opts.SegmentMaxAge) {
		var err error
		if seg, err = l.newSegment(no, now); err != nil {
			return err
		}
	}
	if seg.datW == nil {
		if err := l.openSegmentForAppend(seg); err != nil {
			return err
		}
	}
	meta.off, meta.flen = seg.datSize, int64(len(frame))
	if _, err := seg.datW.Write(frame); err != nil {
		return fmt.Errorf("write block %d: %w", no, err)
	}
	if err := seg.datW.Sync(); err != nil {
		return fmt.Errorf("fsync block %d: %w", no, err)
	}
	if _, err := seg.idxW.Write(appendFrame(nil, magicIndex, meta.encode())); err != nil {
		return fmt.Errorf("write index of block %d: %w", no, err)
	}
	if err := seg.idxW.Sync(); err != nil {
		return fmt.Errorf("fsync index of block %d: %w", no, err)
	}
	if _, err := l.rootsFile.Write(blockRoot[:]); err != nil {
		return fmt.Errorf("write root of block %d: %w", no, err)
	}
	if err := l.rootsFile.Sync(); err != nil {
		return fmt.Errorf("fsync root of block %d: %w", no, err)
	}
	l.v.stats.fsyncs.Add(3)
	l.v.stats.blocks.Add(1)
	l.v.stats.blockBytes.Add(uint64(len(frame)))

	l.mu.Lock()
	seg.datSize += int64(len(frame))
	seg.blocks = append(seg.blocks, meta)
	l.roots = append(l.roots, blockRoot)
	l.sealed++
	l.tail = append([]Event(nil), l.tail[bs:]...)
	l.tailLeaves = append([][32]byte(nil), l.tailLeaves[bs:]...)
	l.mu.Unlock()
	l.cacheMu.Lock()
	l.putLevels(no, root)
	l.cacheMu.Unlock()
	return nil
}

func (l *Log) newSegment(first uint64, now time.Time) (*segment, error) {
	if l.cur != nil {
		l.cur.closeWriters()
	}
	seg := &segment{first: first, created: now}
	base := filepath.Join(l.dir, segName(first))
	var err error
	if seg.datW, err = os.OpenFile(base+".dat", os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o640); err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	if seg.idxW, err = os.OpenFile(base+".idx", os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o640); err != nil {
		return nil, fmt.Errorf("create segment index: %w", err)
	}
	if seg.dat, err = os.Open(base + ".dat"); err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.segs = append(l.segs, seg)
	l.mu.Unlock()
	l.cur = seg
	return seg, nil
}

func (l *Log) openSegmentForAppend(seg *segment) error {
	base := filepath.Join(l.dir, segName(seg.first))
	var err error
	if seg.datW, err = os.OpenFile(base+".dat", os.O_WRONLY|os.O_APPEND, 0o640); err != nil {
		return fmt.Errorf("open segment for append: %w", err)
	}
	if seg.idxW, err = os.OpenFile(base+".idx", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640); err != nil {
		return fmt.Errorf("open segment index for append: %w", err)
	}
	return nil
}

func (s *segment) closeWriters() {
	// Errors on closing write handles after their data was fsynced cannot
	// lose acknowledged data; nothing useful can be done with them.
	if s.datW != nil {
		_ = s.datW.Close()
		s.datW = nil
	}
	if s.idxW != nil {
		_ = s.idxW.Close()
		s.idxW = nil
	}
}

// append queues prepared events for the writer and waits for durability.
func (l *Log) append(ctx context.Context, req *appendReq) error {
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return errors.New("vault: closed")
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return fmt.Errorf("vault: append not queued: %w", ctx.Err())
	}
	l.closeMu.RUnlock()
	select {
	case <-req.done:
		return req.err
	case <-ctx.Done():
		// The events may still be committed; the caller cannot know.
		return fmt.Errorf("vault: append queued but not confirmed: %w", ctx.Err())
	}
}

func (l *Log) close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.closeMu.Unlock()
	<-l.done
	return l.closeFiles()
}

func (l *Log) closeFiles() error {
	var errs []error
	for _, f := range []*os.File{l.wal, l.rootsFile} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	for _, s := range l.segs {
		s.closeWriters()
		if s.dat != nil {
			errs = append(errs, s.dat.Close())
		}
	}
	return errors.Join(errs...)
}

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

func (l *Log) putLevels(no uint64, lv [][][32]byte) {
	if len(l.blockLevels) >= 8 {
		for k := range l.blockLevels {
			delete(l.blockLevels, k)
			break
		}
	}
	l.blockLevels[no] = lv
}

// node is the log's nodeFunc. Caller holds mu (read). Hashes inside
// sealed blocks are recomputed from the events (they are not stored), the
// block roots come from the roots file, and levels above are derived from
// them and cached.
func (l *Log) node(level uint, idx uint64) ([32]byte, error) {
	bb := l.bits
	lo, hi := idx<<level, (idx+1)<<level
	if hi > l.sizeLocked() {
		return [32]byte{}, fmt.Errorf("node %d/%d is not complete yet", level, idx)
	}
	tailStart := l.sealed << bb
	if lo >= tailStart {
		// In the unsealed tail (which may briefly exceed one block while
		// the writer seals).
		return partialNode(l.tailLeaves, tailStart, level, idx)
	}
	if level > bb && hi > tailStart {
		a, err := l.node(level-1, 2*idx)
		if err != nil {
			return a, err
		}
		b, err := l.node(level-1, 2*idx+1)
		if err != nil {
			return b, err
		}
		return nodeHash(a, b), nil
	}
	if level >= bb {
		if level == bb {
			return l.roots[idx], nil
		}
		k := nodeKey{level, idx}
		l.cacheMu.Lock()
		h, ok := l.upper[k]
		l.cacheMu.Unlock()
		if ok {
			return h, nil
		}
		a, err := l.node(level-1, 2*idx)
		if err != nil {
			return a, err
		}
		b, err := l.node(level-1, 2*idx+1)
		if err != nil {
			return b, err
		}
		h = nodeHash(a, b)
		l.cacheMu.Lock()
		l.upper[k] = h
		l.cacheMu.Unlock()
		return h, nil
	}
	blk := idx >> (bb - level)
	l.cacheMu.Lock()
	lv, ok := l.blockLevels[blk]
	l.cacheMu.Unlock()
	if !ok {
		m := l.findBlock(blk)
		if m == nil {
			if h, ok := l.purge.node(level, idx); ok {
				return h, nil
			}
			return [32]byte{}, fmt.Errorf("node %d/%d in block %d: %w", level, idx, blk, ErrPurged)
		}
		evs, err := l.readBlock(m, allCols)
		if err != nil {
			return [32]byte{}, err
		}
		leaves := make([][32]byte, len(evs))
		for i := range evs {
			leaves[i] = LeafHash(LeafData(&evs[i]))
		}
		lv = denseLevels(leaves)
		if lv[len(lv)-1][0] != l.roots[blk] {
			return [32]byte{}, fmt.Errorf("block %d: recomputed root differs from the stored root; run Verify", blk)
		}
		l.cacheMu.Lock()
		l.putLevels(blk, lv)
		l.cacheMu.Unlock()
	}
	return lv[level][idx-blk<<(bb-level)], nil
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

func (l *Log) loadCheckpoints() error {
	dir := filepath.Join(l.dir, "cp")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list checkpoints: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("remove unfinished checkpoint: %w", err)
			}
			continue
		}
		if !strings.HasSuffix(name, ".note") {
			continue
		}
		size, err := strconv.ParseUint(strings.TrimSuffix(name, ".note"), 10, 64)
		if err != nil {
			l.damage(Problem{Block: -1, Seq: -1, Checkpoint: name, What: "checkpoint file name is not a tree size"})
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("read checkpoint %s: %w", name, err)
		}
		cp := &checkpoint{size: size, note: b, file: name}
		if _, root, err := l.v.openCheckpoint(b, l.org); err == nil {
			cp.root = root
		}
		l.cps = append(l.cps, cp)
	}
	sort.Slice(l.cps, func(i, j int) bool { return l.cps[i].size < l.cps[j].size })
	return nil
}

// purgeState is what survives of purged segments: their block ranges and
// time/source summary (for audit) and the few inner hashes needed so that
// checkpoints whose size falls inside a purged block still verify and
// still have consistency proofs.
type purgeState struct {
	Segments []purgedSegment   `json:"segments"`
	Nodes    map[string]string `json:"nodes,omitempty"` // "level/index" -> hex hash
}

type purgedSegment struct {
	First    uint64    `json:"first_block"`
	End      uint64    `json:"end_block"`
	Events   uint64    `json:"events"`
	MinTime  time.Time `json:"min_time"`
	MaxTime  time.Time `json:"max_time"`
	MaxRecv  time.Time `json:"max_received"`
	PurgedAt time.Time `json:"purged_at"`
}

func (p *purgeState) isPurged(block uint64) bool {
	for _, s := range p.Segments {
		if block >= s.First && block < s.End {
			return true
		}
	}
	return false
}

func (p *purgeState) endOf(block uint64) uint64 {
	for _, s := range p.Segments {
		if block >= s.First && block < s.End {
			return s.End
		}
	}
	return block + 1
}

func (p *purgeState) node(level uint, idx uint64) ([32]byte, bool) {
	s, ok := p.Nodes[fmt.Sprintf("%d/%d", level, idx)]
	if !ok {
		return [32]byte{}, false
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return [32]byte{}, false
	}
	return [32]byte(b), true
}

func (l *Log) loadPurgeState() error {
	b, err := os.ReadFile(filepath.Join(l.dir, "purged.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read purge state: %w", err)
	}
	if err := json.Unmarshal(b, &l.purge); err != nil {
		return fmt.Errorf("purged.json: %w", err)
	}
	return nil
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for fsync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

func truncatePath(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) && size == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s to cut torn tail: %w", filepath.Base(path), err)
	}
	defer f.Close()
	if err := truncateSync(f, size); err != nil {
		return fmt.Errorf("cut torn tail of %s: %w", filepath.Base(path), err)
	}
	return nil
}
