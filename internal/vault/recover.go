package vault

import (
	"encoding/binary"
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
)

// recover rebuilds the in-memory state from disk and cuts off whatever a
// crash left half-written: bytes after the last committed block (a block is
// committed once its root is in the roots file) and an incomplete last WAL
// frame. Damage inside committed data is never "repaired" away; it is noted
// for Verify, and a damaged WAL stops the log (*WALDamageError).
func (l *Log) recover() error {
	ro := l.v.readOnly
	var rb []byte
	if ro {
		b, err := os.ReadFile(filepath.Join(l.dir, "roots"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read roots: %w", err)
		}
		rb = b[:len(b)-len(b)%32]
	} else {
		var err error
		l.rootsFile, err = os.OpenFile(filepath.Join(l.dir, "roots"), os.O_RDWR|os.O_CREATE, 0o640)
		if err != nil {
			return fmt.Errorf("open roots: %w", err)
		}
		if rb, err = io.ReadAll(l.rootsFile); err != nil {
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
	if err := l.wal.load(); err != nil {
		return err
	}
	if err := l.loadCheckpoints(); err != nil {
		return err
	}
	// A crash between the WAL write and sealing leaves a full block in
	// the tail; seal it now so the invariant len(tail) < blockSize holds.
	// Opening does not rewrite the WAL (a damaged WAL stopped the log
	// above); only sealing a block does, as it does while running.
	sealed := false
	for uint64(len(l.tail)) >= l.blockSize() {
		if err := l.sealNext(); err != nil {
			return err
		}
		sealed = true
	}
	return l.wal.ready(sealed)
}

func (l *Log) loadSegments() error {
	names, err := l.segmentFiles()
	if err != nil {
		return err
	}
	for _, base := range names {
		first, err := strconv.ParseUint(strings.TrimPrefix(base, "seg-"), 10, 64)
		if err != nil {
			l.damage(Problem{Block: -1, Seq: -1, What: "unexpected file " + base + ".dat"})
			continue
		}
		if l.purge.isPurged(first) || first >= l.sealed {
			if l.v.readOnly {
				continue
			}
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
		// A segment only in the object store is complete: the next block
		// starts a new one.
		if last.end() == l.sealed && last.dat.local() {
			l.cur = last
		}
	}
	return nil
}

func (l *Log) loadSegment(first uint64) (*segment, error) {
	base := filepath.Join(l.dir, segName(first))
	seg := &segment{first: first}
	var err error
	dat, fi, err := l.openSegData(seg, base+".dat")
	if err != nil {
		return nil, err
	}
	seg.dat = dat
	if fi != nil {
		seg.created = fi.ModTime()
	}
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
		m.loc = nil // only Verify reads the locator, from the file
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
	if (fi != nil && fi.Size() > datEnd) || int64(len(idx)) > int64(idxEnd) {
		if seg.end() == l.sealed && !l.v.readOnly {
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
func readBlockAt(f io.ReaderAt, off int64, no uint64, org int64, expect uint64) (*blockMeta, []Event, error) {
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

func (l *Log) loadCheckpoints() error {
	dir := filepath.Join(l.dir, "cp")
	ents, err := os.ReadDir(dir)
	if err != nil && !(l.v.readOnly && errors.Is(err, os.ErrNotExist)) {
		return fmt.Errorf("list checkpoints: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			if l.v.readOnly {
				continue
			}
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
		if fi, err := e.Info(); err == nil {
			cp.signed = fi.ModTime()
		}
		if _, root, err := l.v.openCheckpoint(b, l.org); err == nil {
			cp.root = root
		}
		l.cps = append(l.cps, cp)
	}
	sort.Slice(l.cps, func(i, j int) bool { return l.cps[i].size < l.cps[j].size })
	return nil
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
