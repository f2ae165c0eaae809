package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
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
	// gone is set once the vault retired the log (writer lease lost): its
	// queued uploads and periodic checkpoints are dropped, the next writer
	// does them.
	gone atomic.Bool

	// mu guards the in-memory view below. The writer goroutine is the only
	// mutator; it does file I/O without mu and takes mu only to publish.
	mu         sync.RWMutex
	sealed     uint64 // sealed blocks
	roots      [][32]byte
	segs       []*segment // live segments, ascending
	tail       []Event    // events after the last sealed block (durable in the WAL)
	tailLeaves [][32]byte
	// recent is the last sealed block's events, kept until the next seal: a follower
	// less than a block behind the head (the threat capability's live sweep) reads them
	// instead of decompressing the block. At most one block per log beside the tail.
	recent   []Event
	cps      []*checkpoint
	purge    purgeState
	damaged  []Problem // found while opening; Verify reports them too
	cuts     []string  // incomplete last WAL frames cut while opening
	failed   error     // set when a write failed; the log refuses appends until reopened
	failedAt time.Time // when failed was set

	// writer-owned files
	wal       walBackend
	walBuf    []byte // commit's encoding buffer, reused
	keys      batchKeys
	rootsFile *os.File
	cur       *segment // segment receiving new blocks

	cpMu    sync.Mutex // serialises checkpoint creation
	purgeMu sync.Mutex // serialises purges

	cacheMu     sync.Mutex
	upper       map[nodeKey][32]byte
	blockLevels map[uint64][][][32]byte
	cpUp        map[string]bool // checkpoints in the object store (cacheMu)

	// deletesOwed are objects of purged segments the store refused to
	// delete (still locked); the next purge tries again (purgeMu).
	deletesOwed []string
}

// segment is a pair of files: seg-N.dat with block frames and seg-N.idx
// with one index frame per block, N being the first block number.
type segment struct {
	first   uint64
	blocks  []*blockMeta
	dat     *segData // read side: local file or object store
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
	// signed is when it was signed (the file's time for one loaded at open).
	signed time.Time
	// transient marks a ticker's checkpoint that the next one replaces.
	transient bool
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
	if !v.readOnly {
		if err := os.MkdirAll(filepath.Join(dir, "cp"), 0o750); err != nil {
			return nil, fmt.Errorf("vault: create org %d directory: %w", org, err)
		}
	}
	l := &Log{
		v: v, org: org, dir: dir, bits: v.opts.BlockBits,
		reqs:        make(chan *appendReq, v.opts.QueueDepth),
		done:        make(chan struct{}),
		upper:       map[nodeKey][32]byte{},
		blockLevels: map[uint64][][][32]byte{},
		cpUp:        map[string]bool{},
	}
	l.wal = &fileWAL{l: l}
	if v.opts.Frames != nil && !v.readOnly {
		// Only the holder of the organisation's writer lease opens its
		// log; the frames it recovers from are then the whole story.
		ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
		err := v.opts.Frames.Acquire(ctx, org)
		cancel()
		if err != nil {
			return nil, notWriter(org, err)
		}
		l.wal = &sharedWAL{l: l, fs: v.opts.Frames}
		if err := l.trimToStore(); err != nil {
			l.closeFiles()
			return nil, fmt.Errorf("vault: open org %d log: %w", org, err)
		}
	}
	if v.store != nil && !v.readOnly {
		// Fetched block frames are a cache of this process only.
		if err := os.RemoveAll(filepath.Join(dir, "cache")); err != nil {
			l.closeFiles()
			return nil, fmt.Errorf("vault: clear org %d cache: %w", org, err)
		}
		if err := l.pullFromStore(); err != nil {
			l.closeFiles()
			return nil, fmt.Errorf("vault: open org %d log: %w", org, err)
		}
	}
	if err := l.recover(); err != nil {
		l.closeFiles()
		return nil, fmt.Errorf("vault: open org %d log: %w", org, err)
	}
	if v.readOnly {
		close(l.done) // no writer
		return l, nil
	}
	if v.store != nil {
		if err := l.attachStore(); err != nil {
			l.closeFiles()
			return nil, fmt.Errorf("vault: open org %d log: %w", org, err)
		}
	}
	go l.writer()
	return l, nil
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
	if l.wal != nil {
		errs = append(errs, l.wal.close())
	}
	if l.rootsFile != nil {
		errs = append(errs, l.rootsFile.Close())
	}
	for _, s := range l.segs {
		s.closeWriters()
		if s.dat != nil {
			errs = append(errs, s.dat.Close())
		}
	}
	return errors.Join(errs...)
}
