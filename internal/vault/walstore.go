package vault

import (
	"fmt"
	"os"
	"path/filepath"
)

// walBackend is where a log makes each commit's frames durable before the
// events are acknowledged, and where recovery finds the events that are in
// no block yet. The log's writer goroutine is its only caller after open.
// Two implementations: fileWAL, a file in the organisation's directory
// (one node owns the log), and sharedWAL, frames in a FrameStore outside
// the node (the writer is chosen by a lease and its successor recovers
// the frames when it dies).
type walBackend interface {
	// load appends the events of the stored frames past the sealed blocks
	// to the log's tail (recovery, before the writer runs).
	load() error
	// ready ends recovery; resealed says recovery sealed blocks from the
	// loaded tail, so frames it holds may be dropped.
	ready(resealed bool) error
	// append makes one commit durable: rec holds version-2 frames with
	// count events from first.
	append(rec []byte, first, count uint64) error
	// sealed follows every commit that sealed blocks: the log's tail then
	// holds exactly the events in no block.
	sealed() error
	// uploaded says every event before seq is in a segment the object
	// store holds, so no recovery needs its frames again.
	uploaded(seq uint64) error
	close() error
}

// fileWAL is the WAL file of one node's log: frames appended and fsynced
// by each commit, rewritten to hold only the unsealed tail after a seal.
// Sealed blocks are on the same disk, so a seal is what makes frames
// unnecessary; uploads do not matter to it.
type fileWAL struct {
	l *Log
	f *os.File
}

func (w *fileWAL) path() string { return filepath.Join(w.l.dir, "wal") }

func (w *fileWAL) load() error { return w.l.loadWAL() }

func (w *fileWAL) ready(resealed bool) error {
	if resealed {
		return w.sealed()
	}
	f, err := os.OpenFile(w.path(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open wal: %w", err)
	}
	w.f = f
	return nil
}

func (w *fileWAL) append(rec []byte, _, _ uint64) error {
	if _, err := w.f.Write(rec); err != nil {
		return fmt.Errorf("write wal: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("fsync wal: %w", err)
	}
	w.l.v.stats.fsyncs.Add(1)
	return nil
}

// sealed replaces the WAL with one frame holding the current tail and one
// with the batch keys still remembered, atomically (write, fsync, rename),
// and reopens it for appending.
func (w *fileWAL) sealed() error {
	l := w.l
	path := w.path()
	tmp := path + ".tmp"
	// The batch keys go first: the frames that held them are dropped here.
	buf := l.keys.frame(l.v.now(), l.sealed<<l.bits)
	if len(l.tail) > 0 {
		buf = appendWALFrame(buf, l.tail, nil)
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
	if w.f != nil {
		if err := w.f.Close(); err != nil {
			return fmt.Errorf("close old wal: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open wal: %w", err)
	}
	w.f = f
	return nil
}

func (w *fileWAL) uploaded(uint64) error { return nil }

func (w *fileWAL) close() error {
	if w.f == nil {
		return nil
	}
	return w.f.Close()
}
