package vault

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// keyedBatchOf is a batch of n test events from event i and its key.
func keyedBatchOf(id string, i, n int) (BatchKey, []Event) {
	evs := make([]Event, n)
	h := sha256.New()
	for j := range evs {
		evs[j] = testEvent(i + j)
		h.Write([]byte(evs[j].Message))
	}
	k := BatchKey{ID: id}
	h.Sum(k.Sum[:0])
	return k, evs
}

// TestAppendOnce: a batch sent again under its key is stored once and answered with the
// first sequence number it was stored at, by the same log, by concurrent senders, after
// the WAL was rewritten by seals and after a restart; a key reused for another batch is
// refused; and past the window the key is forgotten (the batch is stored again).
func TestAppendOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC).UnixMilli())
	opts := testOpts
	opts.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	v, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	const org = 3
	type want struct {
		first    uint64
		replayed bool
		reused   bool
		size     uint64 // the log's size after
	}
	send := func(v *Vault, step, id string, i, n int, w want) {
		t.Helper()
		key, evs := keyedBatchOf(id, i, n)
		first, replayed, err := v.AppendOnce(ctx, org, key, evs)
		if w.reused {
			if !errors.Is(err, ErrBatchKeyReused) {
				t.Errorf("%s: key %q for another batch: %v; want it refused as reused", step, id, err)
			}
		} else if err != nil || first != w.first || replayed != w.replayed {
			t.Errorf("%s: key %q: first %d, replayed %v, %v; want first %d, replayed %v", step, id, first, replayed, err, w.first, w.replayed)
		}
		if size, err := v.Size(org); err != nil || size != w.size {
			t.Errorf("%s: the log holds %d events (%v); want %d", step, size, err, w.size)
		}
	}
	send(v, "first send", "a", 0, 5, want{first: 0, size: 5})
	send(v, "the same batch again", "a", 0, 5, want{first: 0, replayed: true, size: 5})
	send(v, "other events under its key", "a", 100, 5, want{reused: true, size: 5})
	send(v, "fewer events under its key", "a", 0, 4, want{reused: true, size: 5})
	send(v, "another key", "b", 5, 3, want{first: 5, size: 8})

	// Eight senders with one batch at once: stored once, all told the same place.
	var wg sync.WaitGroup
	var stored atomic.Int32
	firsts := make([]uint64, 8)
	for g := range firsts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key, evs := keyedBatchOf("c", 8, 6)
			first, replayed, err := v.AppendOnce(ctx, org, key, evs)
			if err != nil {
				t.Error(err)
			}
			if !replayed {
				stored.Add(1)
			}
			firsts[g] = first
		}()
	}
	wg.Wait()
	if stored.Load() != 1 || firsts[0] != 8 || firsts[7] != 8 {
		t.Errorf("eight senders of key c: stored %d times, told %v; want once at 8", stored.Load(), firsts)
	}
	// 48 more events seal three blocks of 16, each seal rewriting the WAL.
	fill(t, v, org, 48)
	send(v, "after the seals", "a", 0, 5, want{first: 0, replayed: true, size: 62})
	send(v, "the last batch before closing", "d", 200, 2, want{first: 62, size: 64})
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	v, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	send(v, "after a restart, sealed", "a", 0, 5, want{first: 0, replayed: true, size: 64})
	send(v, "after a restart, in the WAL", "d", 200, 2, want{first: 62, replayed: true, size: 64})
	send(v, "after a restart, concurrent", "c", 8, 6, want{first: 8, replayed: true, size: 64})
	clock.Add((BatchKeyWindow + time.Minute).Milliseconds())
	send(v, "past the window", "a", 0, 5, want{first: 64, size: 69})
}
