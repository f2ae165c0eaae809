package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// frameTimeout bounds one request to the frame store.
const frameTimeout = 30 * time.Second

// sharedWAL keeps a log's frames in a FrameStore (Options.Frames), so that
// the events of the segment being written and of the unsealed tail survive
// this node: the next writer reads them back. Sealing does not make frames
// unnecessary here (the blocks are on this node's disk only); an upload of
// the segment holding them does.
type sharedWAL struct {
	l  *Log
	fs FrameStore
}

func (w *sharedWAL) name() string {
	return "the shared write-ahead frames of organisation " + strconv.FormatInt(w.l.org, 10)
}

func (w *sharedWAL) load() error {
	l := w.l
	from := l.sealed << l.bits
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	rows, err := w.fs.Frames(ctx, l.org, from)
	if err != nil {
		return fmt.Errorf("read shared frames: %w", err)
	}
	var b []byte
	for _, r := range rows {
		b = append(b, r...)
	}
	s := scanWAL(b, from)
	if len(s.bad) > 0 {
		return l.walDamage(w.name(), s.bad[0])
	}
	if s.torn >= 0 {
		// Each stored row was one committed transaction: it cannot be cut short.
		return l.walDamage(w.name(), walBad{off: s.torn, end: len(b), first: s.tornFirst, n: s.tornCount,
			known: s.tornCount > 0, reason: "a stored frame is incomplete"})
	}
	return l.loadFrames(w.name(), s.frames, from)
}

func (w *sharedWAL) ready(bool) error { return nil }

func (w *sharedWAL) append(rec []byte, first, count uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	if err := w.fs.Append(ctx, w.l.org, first, count, rec); err != nil {
		return fmt.Errorf("store shared frames: %w", err)
	}
	return nil
}

func (w *sharedWAL) sealed() error { return nil }

func (w *sharedWAL) uploaded(seq uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	if err := w.fs.Drop(ctx, w.l.org, seq, w.l.keys.frame(w.l.v.now(), seq)); err != nil {
		return fmt.Errorf("drop shared frames before %d: %w", seq, err)
	}
	return nil
}

func (w *sharedWAL) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	return w.fs.Release(ctx, w.l.org)
}

// sharedMarker is the file that says an organisation's local directory is
// a cache of the object store and the shared frames, which trimToStore may
// cut back to what the store holds.
const sharedMarker = "shared-wal"

// trimToStore runs before recovery when the frames are shared: it cuts the
// local directory back to the segments object storage holds, since what
// this node wrote after them (the segment being written, when it was the
// writer before) is rebuilt from the frames, which may by now hold more
// than it saw. A directory that never used shared frames may hold events
// that are nowhere else (its WAL file, a segment not yet uploaded): then
// opening is refused rather than lose them.
func (l *Log) trimToStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
	defer cancel()
	objs, err := l.v.store.List(ctx, l.objKey(""))
	if err != nil {
		return fmt.Errorf("list object storage: %w", err)
	}
	size := map[string]int64{}
	var storedRoots int64
	for _, o := range objs {
		k := strings.TrimPrefix(o.Key, l.objKey(""))
		size[k] = o.Size
		if strings.HasPrefix(k, "roots/seg-") {
			storedRoots += o.Size
		}
	}
	storedRoots -= storedRoots % 32
	rootsPath := filepath.Join(l.dir, "roots")
	var localRoots int64
	if fi, err := os.Stat(rootsPath); err == nil {
		localRoots = fi.Size()
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stat roots: %w", err)
	}
	if _, err := os.Stat(filepath.Join(l.dir, sharedMarker)); errors.Is(err, os.ErrNotExist) {
		fi, werr := os.Stat(filepath.Join(l.dir, "wal"))
		if (werr == nil && fi.Size() > 0) || localRoots-localRoots%32 > storedRoots {
			return fmt.Errorf("organisation %d's log on this node holds events that are not in object storage (its WAL file or the segment being written): switching it to shared frames would lose them; run this node without shared frames", l.org)
		}
		if err := writeFileSync(filepath.Join(l.dir, sharedMarker), []byte("frames are kept outside this node\n")); err != nil {
			return fmt.Errorf("mark shared frames: %w", err)
		}
		if err := syncDir(l.dir); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("stat %s: %w", sharedMarker, err)
	}
	if localRoots > storedRoots {
		if err := truncatePath(rootsPath, storedRoots); err != nil {
			return err
		}
	}
	names, err := l.segmentFiles()
	if err != nil {
		return err
	}
	for _, base := range names {
		first, err := strconv.ParseUint(strings.TrimPrefix(base, "seg-"), 10, 64)
		keep := err == nil && first < uint64(storedRoots/32)
		for _, ext := range []string{".dat", ".idx"} {
			fi, err := os.Stat(filepath.Join(l.dir, base+ext))
			if err == nil && fi.Size() != size[base+ext] {
				keep = false // the one this node was writing: the store's is complete
			}
		}
		if keep {
			continue
		}
		for _, ext := range []string{".dat", ".idx"} {
			if err := os.Remove(filepath.Join(l.dir, base+ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove %s%s: %w", base, ext, err)
			}
		}
	}
	return nil
}

// uploadedBefore is the first event of the first segment not yet in the
// store (or the end of the sealed blocks): every event before it is in a
// stored segment.
func (l *Log) uploadedBefore() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, s := range l.segs {
		s.dat.mu.Lock()
		up := s.dat.uploaded
		s.dat.mu.Unlock()
		if !up || s == l.cur {
			return s.first << l.bits
		}
	}
	return l.sealed << l.bits
}

// hasFrames reports whether the frame store holds anything of org (a node
// that never wrote it may become its writer).
func (v *Vault) hasFrames(org int64) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	rows, err := v.opts.Frames.Frames(ctx, org, 0)
	if err != nil {
		return false, fmt.Errorf("vault: read shared frames: %w", err)
	}
	return len(rows) > 0, nil
}
