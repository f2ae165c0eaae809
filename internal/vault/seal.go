package vault

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"
)

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
	meta.loc = buildLocator(root, locLevel(l.bits))
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
	meta.loc = nil // only Verify reads the locator, from the file
	l.v.stats.fsyncs.Add(3)
	l.v.stats.blocks.Add(1)
	l.v.stats.blockBytes.Add(uint64(len(frame)))

	l.mu.Lock()
	seg.datSize += int64(len(frame))
	seg.blocks = append(seg.blocks, meta)
	l.roots = append(l.roots, blockRoot)
	l.sealed++
	// New arrays (readers may hold the old ones), sized for the next
	// block and a batch or so beyond, so commits fill them without
	// regrowing a block's worth of events by doubling.
	room := int(bs + bs/8)
	l.tail = append(make([]Event, 0, len(l.tail)-int(bs)+room), l.tail[bs:]...)
	l.recent = evs[:bs:bs]
	l.tailLeaves = append(make([][32]byte, 0, len(l.tailLeaves)-int(bs)+room), l.tailLeaves[bs:]...)
	l.mu.Unlock()
	l.cacheMu.Lock()
	l.putLevels(no, root)
	l.cacheMu.Unlock()
	return nil
}

func (l *Log) newSegment(first uint64, now time.Time) (*segment, error) {
	if l.cur != nil {
		l.cur.closeWriters()
		l.enqueueUpload(l.cur) // complete: it goes to the object store
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
	if seg.dat, _, err = l.openSegData(seg, base+".dat"); err != nil {
		return nil, err
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
