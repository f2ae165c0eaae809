package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BatchKey names one batch of events a sender may send more than once: a
// retry after an answer it never got (a node killed, a connection cut, a
// timeout) carries the same key, and the log stores the batch once. Sum
// is the sender's fingerprint of the batch (the HTTP body's SHA-256), so a
// key reused for different events is refused rather than answered with
// another batch's numbers.
type BatchKey struct {
	ID  string
	Sum [32]byte
}

// MaxBatchKeyLen bounds a batch key's ID.
const MaxBatchKeyLen = 255

// BatchKeyWindow is how long a log remembers a batch key after storing its
// batch: longer than any sender's retries through a failover (the writer
// lease plus the rebuild, seconds) by a wide margin.
const BatchKeyWindow = 15 * time.Minute

// maxBatchKeys bounds how many keys a log remembers; past it the oldest
// are forgotten before their window ends.
const maxBatchKeys = 1 << 16

// ErrBatchKeyReused is the answer to a batch whose key was used within
// the window for a batch with other content or another number of events.
var ErrBatchKeyReused = errors.New("the batch key was used for a different batch")

// keyedBatch is what a log remembers of a stored batch with a key.
type keyedBatch struct {
	id           string
	sum          [32]byte
	first, count uint64
	at           int64 // unix milliseconds of the commit
}

// batchKeys is a log's memory of recent keyed batches. The writer
// goroutine adds to it after each commit; the WAL backends read it to
// write it again where their frames are dropped (a seal rewriting the WAL
// file, an upload dropping shared frames), so that a key outlives its
// batch's frames for its window.
type batchKeys struct {
	mu    sync.Mutex
	byID  map[string]keyedBatch
	order []keyedBatch // by commit, oldest first; may hold ids since replaced
}

// get returns the batch stored under id within the window before now.
func (k *batchKeys) get(id string, now time.Time) (keyedBatch, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.byID[id]
	return b, ok && b.at >= now.Add(-BatchKeyWindow).UnixMilli()
}

// add remembers batches and forgets those past the window or the bound.
func (k *batchKeys) add(now time.Time, bs ...keyedBatch) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byID == nil {
		k.byID = map[string]keyedBatch{}
	}
	for _, b := range bs {
		k.byID[b.id] = b
		k.order = append(k.order, b)
	}
	k.expireLocked(now)
}

func (k *batchKeys) expireLocked(now time.Time) {
	oldest := now.Add(-BatchKeyWindow).UnixMilli()
	drop := 0
	for drop < len(k.order) && (k.order[drop].at < oldest || len(k.order)-drop > maxBatchKeys) {
		if b := k.order[drop]; k.current(b) {
			delete(k.byID, b.id)
		}
		drop++
	}
	if drop > 0 {
		k.order = append(k.order[:0:0], k.order[drop:]...)
	}
}

// current reports whether b, an entry of order, is still what its key names (a key
// stored again after its window replaces it).
func (k *batchKeys) current(b keyedBatch) bool {
	cur, ok := k.byID[b.id]
	return ok && cur.at == b.at && cur.first == b.first
}

// frame is a keys frame holding every batch still remembered (nil when
// none), written where the frames that held them are dropped.
func (k *batchKeys) frame(now time.Time, at uint64) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.expireLocked(now)
	var live []keyedBatch
	for _, b := range k.order {
		if k.current(b) {
			live = append(live, b)
		}
	}
	return appendKeysFrame(nil, at, live)
}

// magicWALKeys starts a keys frame: the header of a version-2 frame (its
// first seq the log's size when written, its count 0) over the batch keys
// of a commit, or of every remembered key when the frames holding them are
// dropped. A keys frame is written with the events' frames of its commit
// in one write, so a key is durable exactly when its batch is.
var magicWALKeys = [4]byte{'C', 'G', 'W', 'K'}

// appendKeysFrame appends a keys frame of bs to dst (nothing when bs is
// empty). Each record: uvarint id length, id, uvarint first, uvarint
// count, the 32-byte sum, varint unix milliseconds.
func appendKeysFrame(dst []byte, at uint64, bs []keyedBatch) []byte {
	if len(bs) == 0 {
		return dst
	}
	start := len(dst)
	dst = append(dst, make([]byte, walHeader2)...)
	for _, b := range bs {
		dst = binary.AppendUvarint(dst, uint64(len(b.id)))
		dst = append(dst, b.id...)
		dst = binary.AppendUvarint(dst, b.first)
		dst = binary.AppendUvarint(dst, b.count)
		dst = append(dst, b.sum[:]...)
		dst = binary.AppendVarint(dst, b.at)
	}
	putFrameHeader(dst[start:], magicWALKeys, at, 0)
	return dst
}

// parseKeysFrame decodes a keys frame's payload.
func parseKeysFrame(p []byte) ([]keyedBatch, error) {
	var out []keyedBatch
	d := decoder{b: p}
	for len(d.b) > 0 {
		var b keyedBatch
		b.id = d.str()
		b.first, b.count = d.uvarint(), d.uvarint()
		if len(d.b) < len(b.sum) {
			d.fail(errShort)
		} else {
			copy(b.sum[:], d.b)
			d.b = d.b[len(b.sum):]
		}
		b.at = d.varint()
		if d.err != nil {
			return nil, fmt.Errorf("batch key %d: %w", len(out), d.err)
		}
		out = append(out, b)
	}
	return out, nil
}
