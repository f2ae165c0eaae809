package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// segData is how a segment's block frames are read: from the local file
// while there is one, otherwise from the object store, a block frame at a
// time through the local cache (remote.go). Every reader of blocks goes
// through ReadAt, so search, proofs and bundles do not know where the
// bytes come from.
type segData struct {
	l   *Log
	seg *segment

	mu sync.RWMutex
	f  *os.File // local copy; nil once evicted (or never fetched)
	// uploaded: the store holds the segment's objects, so the local copy
	// may be evicted and a missing block fetched.
	uploaded bool
}

// openSegData opens a segment's local file. Without one, a vault with an
// object store reads the segment remotely (it was evicted after its
// upload); a vault without one reports the file missing.
func (l *Log) openSegData(seg *segment, path string) (*segData, os.FileInfo, error) {
	d := &segData{l: l, seg: seg}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && l.v.store != nil {
		d.uploaded = true
		return d, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open segment: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat segment %s: %w", segName(seg.first), err)
	}
	d.f = f
	return d, st, nil
}

// ReadAt implements io.ReaderAt.
func (d *segData) ReadAt(p []byte, off int64) (int, error) {
	d.mu.RLock()
	if f := d.f; f != nil {
		n, err := f.ReadAt(p, off)
		uploaded := d.uploaded
		d.mu.RUnlock()
		if uploaded {
			d.l.v.cache.touch(d.cacheKey())
		}
		return n, err
	}
	d.mu.RUnlock()
	if d.l.v.store == nil {
		// Closed under a reader (the log is closing): without an object store there is
		// nowhere else to read from, so answer as a closed file does.
		return 0, fmt.Errorf("read %s: %w", segName(d.seg.first), os.ErrClosed)
	}
	return d.l.readRemote(d.seg, p, off)
}

// Close closes the local file, if any.
func (d *segData) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

func (d *segData) cacheKey() string { return fmt.Sprintf("%d/%s.dat", d.l.org, segName(d.seg.first)) }

// local reports whether the segment is on local disk.
func (d *segData) local() bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.f != nil
}

// blockAt returns the block whose frame holds offset off (nil past the end).
func (s *segment) blockAt(off int64) *blockMeta {
	i := sort.Search(len(s.blocks), func(i int) bool { return s.blocks[i].off+s.blocks[i].flen > off })
	if i == len(s.blocks) || s.blocks[i].off > off {
		return nil
	}
	return s.blocks[i]
}

// retainUntil is when a segment's objects may be deleted: its newest
// reception time plus the organisation's retention. Reception time, not
// the sender's: it is what Purge counts by, and a sender's clock set to
// 2099 must not lock an object for decades.
func retainUntil(s *segment, lock time.Duration) time.Time {
	var newest int64
	for _, m := range s.blocks {
		newest = max(newest, m.maxRecv)
	}
	return timeFromNanos(newest).Add(lock)
}

var _ io.ReaderAt = (*segData)(nil)

// segmentFiles lists the segments in the directory by base name, in
// order: those with a block file, and — with an object store — those
// whose block file was evicted and only the index is local.
func (l *Log) segmentFiles() ([]string, error) {
	pats := []string{"seg-*.dat"}
	if l.v.store != nil {
		pats = append(pats, "seg-*.idx")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range pats {
		names, err := filepath.Glob(filepath.Join(l.dir, p))
		if err != nil {
			return nil, fmt.Errorf("list segments: %w", err)
		}
		for _, n := range names {
			base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(n), ".dat"), ".idx")
			if !seen[base] {
				seen[base] = true
				out = append(out, base)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
