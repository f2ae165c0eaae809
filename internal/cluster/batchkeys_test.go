package cluster

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	vstoretest "ciiguard/internal/vault/storetest"
)

// TestBatchKeysSurviveTheWriter: a sender whose answer was lost when the writer died
// sends its batch again, under the same key, to the node that took over. Whether the
// batch's frames were still in the store or already dropped (their segment uploaded),
// the new writer answers with where the batch was stored and stores nothing; a new key
// is stored as usual.
func TestBatchKeysSurviveTheWriter(t *testing.T) {
	storetest.Require(t, store.Postgres)
	dbs := openNodes(t, store.Postgres, 2)
	objs := minioStores(t, 2)
	ctx := context.Background()
	const org = 11
	const ttl = time.Second
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	batch := func(id string, from, to int) (vault.BatchKey, []vault.Event) {
		k := vault.BatchKey{ID: id}
		h := sha256.New()
		var evs []vault.Event
		for i := from; i < to; i++ {
			evs = append(evs, vstoretest.Event(base, i))
			h.Write([]byte(evs[len(evs)-1].Message))
		}
		h.Sum(k.Sum[:0])
		return k, evs
	}
	send := func(v *vault.Vault, id string, from, to int) (uint64, bool) {
		t.Helper()
		k, evs := batch(id, from, to)
		first, replayed, err := v.AppendOnce(ctx, org, k, evs)
		if err != nil {
			t.Fatalf("batch %q: %v", id, err)
		}
		return first, replayed
	}

	framesA := NewVaultFrames(NewLeases(dbs[0], "node-a"), ttl, nil)
	dirA, dirB := t.TempDir(), t.TempDir()
	vA := vstoretest.Open(t, dirA, sharedOpts(objs[0], framesA))
	send(vA, "early", 0, 5)
	vstoretest.Fill(t, vA, org, base, 5, 100)
	vstoretest.WaitUploaded(t, vA, org)
	send(vA, "late", 100, 103)
	var oldest int64
	if err := dbs[0].SQL().QueryRow(`SELECT MIN(first_seq) FROM vault_frames WHERE org_id = $1`, org).Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	if oldest < 5 {
		t.Fatalf("the frames of the first batch are still stored (oldest frame from %d): the test needs them dropped", oldest)
	}

	// A dies holding the lease; B takes over once it runs out.
	framesA.mu.Lock()
	framesA.held[org].halt()
	framesA.mu.Unlock()
	shareKey(t, dirA, dirB)
	vB := vstoretest.Open(t, dirB, sharedOpts(objs[1], NewVaultFrames(NewLeases(dbs[1], "node-b"), ttl, nil)))
	defer vB.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := vB.Size(org)
		if err == nil {
			break
		}
		var he *HeldError
		if !errors.As(err, &he) || time.Now().After(deadline) {
			t.Fatalf("node B taking over: %v", err)
		}
	}

	for _, c := range []struct {
		id       string
		from, to int
		first    uint64
		replayed bool
	}{
		{"early", 0, 5, 0, true},      // its frames dropped: the keys row remembers it
		{"late", 100, 103, 100, true}, // its frames still stored
		{"new", 103, 104, 103, false},
	} {
		first, replayed := send(vB, c.id, c.from, c.to)
		if first != c.first || replayed != c.replayed {
			t.Errorf("batch %q sent to node B: first %d, replayed %v; want %d, %v", c.id, first, replayed, c.first, c.replayed)
		}
	}
	if size, err := vB.Size(org); err != nil || size != 104 {
		t.Errorf("node B's log holds %d events (%v), want 104", size, err)
	}
	k, evs := batch("early", 50, 55)
	if _, _, err := vB.AppendOnce(ctx, org, k, evs); !errors.Is(err, vault.ErrBatchKeyReused) {
		t.Errorf("another batch under a key node A stored: %v, want it refused", err)
	}
}

// TestFramesStoredUncompressed: on PostgreSQL the frames and batch keys are stored out of
// line without compression (STORAGE EXTERNAL), which took the database's CPU per event
// from about 5 to about 1.6 s a million (docs/performance.md).
func TestFramesStoredUncompressed(t *testing.T) {
	storetest.Require(t, store.Postgres)
	db := openNodes(t, store.Postgres, 1)[0]
	for _, table := range []string{"vault_frames", "vault_batch_keys"} {
		var storage string
		if err := db.SQL().QueryRow(`SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'frames'`, table).Scan(&storage); err != nil {
			t.Fatal(err)
		}
		if storage != "e" {
			t.Errorf("%s.frames is stored %q, want e (external, uncompressed)", table, storage)
		}
	}
}
