package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	vstoretest "ciiguard/internal/vault/storetest"
)

// TestFencedWriterRetakesLease: node A writes an organisation's log, pauses past its
// lease (renewals stopped, process alive) and node B takes the log over. A, woken, is
// refused its append and told B is the writer and where B answers (so that A's HTTP
// layer forwards to B), and no longer serves its stale copy of the log. Once B stops and
// releases the lease, A — the same process, not restarted — becomes the writer again
// on its next append, with every event of both. Then A's lease is cut short in the store
// (as when A is cut off from it for longer than the lease): A learns it from its refused
// renewal without writing, and reopens the log under a new fencing token.
func TestFencedWriterRetakesLease(t *testing.T) {
	storetest.Require(t, store.Postgres)
	dbs := openNodes(t, store.Postgres, 2)
	objs := minioStores(t, 2)
	ctx := context.Background()
	const org = 9
	const ttl = time.Second
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	leasesA, leasesB := NewLeases(dbs[0], "node-a"), NewLeases(dbs[1], "node-b")
	leasesA.SetURL("http://a.test:8080")
	leasesB.SetURL("http://b.test:8080")
	framesA := NewVaultFrames(leasesA, ttl, nil)
	dirA, dirB := t.TempDir(), t.TempDir()
	vA := vstoretest.Open(t, dirA, sharedOpts(objs[0], framesA))
	vstoretest.Fill(t, vA, org, base, 0, 40)

	// A pauses: its renewals stop, the process lives on.
	framesA.mu.Lock()
	held := framesA.held[org]
	framesA.mu.Unlock()
	held.halt()
	shareKey(t, dirA, dirB)
	vB := vstoretest.Open(t, dirB, sharedOpts(objs[1], NewVaultFrames(leasesB, ttl, nil)))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := vB.Size(org)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B taking over: %v", err)
		}
	}
	vstoretest.Fill(t, vB, org, base, 40, 50)

	// A wakes up and appends: refused, told who writes and where.
	_, err := vA.Append(ctx, org, []vault.Event{vstoretest.Event(base, 50)})
	var nw *vault.NotWriterError
	if !errors.As(err, &nw) || nw.Holder != "node-b" || nw.URL != "http://b.test:8080" || !errors.Is(err, ErrFenced) {
		t.Fatalf("node A's append after B took over: %v; want lease lost and node B at http://b.test:8080 named", err)
	}
	if n, err := vA.Size(org); !errors.As(err, &nw) {
		t.Fatalf("node A after losing the lease serves a size of %d (%v); want node B named", n, err)
	}

	// B stops cleanly (releasing the lease); A, not restarted, writes again.
	if err := vB.Close(); err != nil {
		t.Fatal(err)
	}
	var first uint64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// Until A's memory of B's hold (half a second) runs out, A still names B.
		first, err = vA.Append(ctx, org, []vault.Event{vstoretest.Event(base, 50)})
		if err == nil || !errors.As(err, &nw) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || first != 50 {
		t.Fatalf("node A's append once B released the lease: seq %d, %v; want 50", first, err)
	}
	vstoretest.Fill(t, vA, org, base, 51, 60)
	for i := range 60 {
		ev, err := vA.Get(ctx, org, uint64(i))
		if err != nil || ev.Message != vstoretest.Event(base, i).Message {
			t.Fatalf("event %d on node A after retaking the lease: %q, %v", i, ev.Message, err)
		}
	}

	// A is cut off past its lease without writing: its refused renewal tells it.
	framesA.mu.Lock()
	before := framesA.held[org].lease().Token
	framesA.mu.Unlock()
	if _, err := dbs[1].SQL().Exec(`UPDATE cluster_leases SET expires_ms = 0 WHERE name = $1`, VaultLeaseName(org)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !framesA.Lost(org); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("node A's renewal of a lease that ran out did not fail")
		}
	}
	if n, err := vA.Size(org); err != nil || n != 60 {
		t.Fatalf("node A after its lease ran out unseen: size %d, %v; want 60", n, err)
	}
	framesA.mu.Lock()
	after := framesA.held[org].lease().Token
	framesA.mu.Unlock()
	if after <= before {
		t.Fatalf("node A serves the log under token %d, as before it lost the lease (%d): it did not reopen", after, before)
	}
	if err := vA.Close(); err != nil {
		t.Fatal(err)
	}
}
