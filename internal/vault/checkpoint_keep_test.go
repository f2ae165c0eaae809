package vault

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTickerCheckpointsThinned has the ticker sign every minute of a simulated
// hour and a half and checks which checkpoints stay on disk: the first, the
// first one at least an hour after it, and the newest — and that a checkpoint
// asked for explicitly is never removed. The expected sizes are worked out by
// hand from the fill pattern (one event per simulated minute).
func TestTickerCheckpointsThinned(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.CheckpointKeep = time.Hour
	opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	v, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	const org = 3
	l, err := v.log(org, true)
	if err != nil {
		t.Fatal(err)
	}
	// Second s (0, 60, … 5400) appends one event, so the log holds s/60+1
	// events, and the ticker signs; at second 4200 someone asks instead.
	for s := 0; s <= 5400; s += 60 {
		mu.Lock()
		now = time.Date(2026, 3, 1, 0, 0, s, 0, time.UTC)
		mu.Unlock()
		fill(t, v, org, 1)
		if s == 4200 {
			if _, err := v.Checkpoint(context.Background(), org); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := l.periodicCheckpoint(); err != nil {
			t.Fatal(err)
		}
	}
	// Kept: second 0 (size 1), second 3600 (the first an hour after it: 61),
	// the explicit one at second 4200 (71) and the newest, second 5400 (91).
	want := []uint64{1, 61, 71, 91}
	if got := cpSizesOnDisk(t, dir, org); !slices.Equal(got, want) {
		t.Fatalf("checkpoints on disk: %v, want %v", got, want)
	}
	cps, err := v.Checkpoints(org)
	if err != nil {
		t.Fatal(err)
	}
	var inMemory []uint64
	for _, c := range cps {
		size, _, err := OpenCheckpoint(c, v.PublicKey(), Origin(org))
		if err != nil {
			t.Fatal(err)
		}
		inMemory = append(inMemory, size)
	}
	if !slices.Equal(inMemory, want) {
		t.Fatalf("checkpoints listed: %v, want %v", inMemory, want)
	}
	// After a restart the same four are there and verify.
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v2, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	rep, err := v2.Verify(context.Background(), org, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify after thinning: %+v", rep.Problems)
	}
}

// TestTickerSignsWithinInterval appends events while the ticker runs every
// 20 ms and requires every acknowledged event to be under a signed checkpoint
// within a second of its acknowledgement.
func TestTickerSignsWithinInterval(t *testing.T) {
	opts := testOpts
	opts.CheckpointInterval = 20 * time.Millisecond
	v, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	const org = 5
	for round := 0; round < 5; round++ {
		fill(t, v, org, 37)
		acked, _ := v.Size(org)
		deadline := time.Now().Add(time.Second)
		for {
			cps, err := v.Checkpoints(org)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(cps); n > 0 {
				size, _, err := OpenCheckpoint(cps[n-1], v.PublicKey(), Origin(org))
				if err != nil {
					t.Fatal(err)
				}
				if size >= acked {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d events acknowledged, none of the last %d under a signature after 1 s", round, acked, acked)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func cpSizesOnDisk(t *testing.T, dir string, org int64) []uint64 {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "org", strconv.FormatInt(org, 10), "cp"))
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, e := range ents {
		n, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), ".note"), 10, 64)
		if err != nil {
			t.Fatalf("checkpoint file %s", e.Name())
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
