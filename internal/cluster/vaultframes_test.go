package cluster

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/s3store"
	vstoretest "ciiguard/internal/vault/storetest"
)

// minioStores starts a MinIO server for the test and returns n clients of one prefix of
// a bucket with Object Lock, as n nodes would hold.
func minioStores(t testing.TB, n int) []vault.ObjectStore {
	t.Helper()
	bin := vstoretest.MinIOBinary()
	if bin == "" {
		t.Skip("no MinIO: set CIIGUARD_TEST_MINIO (make test does)")
	}
	srv, err := vstoretest.StartMinIO(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	if err := srv.Bucket(context.Background(), "vault"); err != nil {
		t.Fatal(err)
	}
	var out []vault.ObjectStore
	for range n {
		s, err := s3store.New(context.Background(), s3store.Config{URL: "s3://vault/cluster",
			Endpoint: srv.Endpoint, AccessKey: srv.User, SecretKey: srv.Password, Insecure: true})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestVaultWriterTakeover: node A writes an organisation's log with its frames in
// PostgreSQL and its complete segments in object storage, then stops dead (no Close, no
// release, no renewal). Node B takes the writer lease once it runs out and must hold every
// event A acknowledged exactly once and in order, continue the same Merkle tree (a
// consistency proof from A's last signed checkpoint to B's, checked with

// sharedOpts are the test vault's options on object store s with its frames in f.
func sharedOpts(s vault.ObjectStore, f vault.FrameStore) vault.Options {
	o := vstoretest.Opts(s)
	o.Frames = f
	return o
}

// shareKey gives the node whose data directory is to the signing key of the one at
// from, as an operator copies it (docs/scale-out.md: the nodes sign with one key).
func shareKey(t *testing.T, from, to string) {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(from, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, "vault.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
}

// transparency-dev/merkle), while A's late append is refused with "lease lost".
func TestVaultWriterTakeover(t *testing.T) {
	storetest.Require(t, store.Postgres)
	dbs := openNodes(t, store.Postgres, 2)
	objs := minioStores(t, 2)
	ctx := context.Background()
	const org, acked = 7, 100 // 6 blocks of 16 (2 segments stored, 1 not) and 4 events
	const ttl = time.Second
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)

	framesA := NewVaultFrames(NewLeases(dbs[0], "node-a"), ttl, nil)
	dirA, dirB := t.TempDir(), t.TempDir()
	vA := vstoretest.Open(t, dirA, sharedOpts(objs[0], framesA))
	vstoretest.Fill(t, vA, org, base, 0, acked)
	vstoretest.WaitUploaded(t, vA, org)
	cpA, err := vA.Checkpoint(ctx, org)
	if err != nil {
		t.Fatal(err)
	}

	// A dies: its renewals stop, nothing is closed or released.
	framesA.mu.Lock()
	held := framesA.held[org]
	framesA.mu.Unlock()
	if held == nil {
		t.Fatal("node A wrote the log without holding its writer lease")
	}
	held.halt()
	expires := held.lease().Expires

	// Nodes share the signing key (docs/scale-out.md): B's checkpoints continue A's.
	shareKey(t, dirA, dirB)
	framesB := NewVaultFrames(NewLeases(dbs[1], "node-b"), ttl, nil)
	vB := vstoretest.Open(t, dirB, sharedOpts(objs[1], framesB))
	var size uint64
	for deadline := time.Now().Add(10 * time.Second); ; {
		size, err = vB.Size(org)
		if err == nil {
			break
		}
		var he *HeldError
		if !errors.As(err, &he) || time.Now().After(deadline) {
			t.Fatalf("node B taking over: %v", err)
		}
		// What a page on B says meanwhile (503): who the writer is.
		var nw *vault.NotWriterError
		if !errors.As(err, &nw) {
			t.Fatalf("node B while A's lease runs: %T %v, want a *vault.NotWriterError", err, err)
		}
		if key, args := nw.OutageMessage(); key != "vault.outage.not_writer" || len(args) != 1 || args[0] != "node-a" {
			t.Fatalf("node B's outage message: %s %v, want vault.outage.not_writer naming node-a", key, args)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if early := time.Until(expires); early > 50*time.Millisecond {
		t.Fatalf("node B became the writer %v before A's lease ran out", early)
	}
	t.Logf("node B took over %v after A's lease ran out", -time.Until(expires))
	if size != acked {
		t.Fatalf("node B's log has %d events; A acknowledged %d", size, acked)
	}
	for i := range acked {
		ev, err := vB.Get(ctx, org, uint64(i))
		if err != nil {
			t.Fatalf("event %d on node B: %v", i, err)
		}
		if want := vstoretest.Event(base, i).Message; ev.Message != want {
			t.Fatalf("event %d on node B is %q, want %q", i, ev.Message, want)
		}
	}

	vstoretest.Fill(t, vB, org, base, acked, acked+5)
	cpB, err := vB.Checkpoint(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	sizeA, rootA, err := vault.OpenCheckpoint(cpA, vA.PublicKey(), vault.Origin(org))
	if err != nil {
		t.Fatal(err)
	}
	sizeB, rootB, err := vault.OpenCheckpoint(cpB, vA.PublicKey(), vault.Origin(org))
	if err != nil {
		t.Fatal(err)
	}
	if sizeA != acked || sizeB != acked+5 {
		t.Fatalf("checkpoints of sizes %d and %d, want %d and %d", sizeA, sizeB, acked, acked+5)
	}
	p, err := vB.ConsistencyProof(ctx, org, sizeA, sizeB)
	if err != nil {
		t.Fatal(err)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, sizeA, sizeB, p, rootA[:], rootB[:]); err != nil {
		t.Fatalf("node B's checkpoint does not extend A's: %v", err)
	}

	// A wakes up and writes: refused, and nothing of it reaches the log.
	_, err = vA.Append(ctx, org, []vault.Event{vstoretest.Event(base, 999)})
	if err == nil || !errors.Is(err, ErrFenced) || !strings.Contains(err.Error(), "lease lost") {
		t.Fatalf("node A's append after losing the lease: %v, want lease lost", err)
	}
	if n, err := vB.Size(org); err != nil || n != acked+5 {
		t.Fatalf("node B's size after A's refused append: %d, %v; want %d", n, err, acked+5)
	}

	// B completes the segment A was writing (its blocks now in object storage) and a
	// new tail, then stops cleanly. A's process restarts on its old disk, which still
	// holds its own copy of that segment and its roots: it must give the log as B left it.
	const total = acked + 25
	vstoretest.Fill(t, vB, org, base, acked+5, total)
	vstoretest.WaitUploaded(t, vB, org)
	// Segments 0-2 (blocks 0-5, events 0-95) are stored now: no frame holding only their events is kept.
	for deadline := time.Now().Add(5 * time.Second); ; {
		var stale int
		if err := dbs[0].SQL().QueryRow(`SELECT count(*) FROM vault_frames WHERE org_id = $1 AND first_seq + n <= 96`, org).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d frames of stored segments are still kept", stale)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cpB2, err := vB.Checkpoint(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if err := vB.Close(); err != nil {
		t.Fatal(err)
	}
	if err := vA.Close(); err != nil {
		t.Fatal(err)
	}
	vA2 := vstoretest.Open(t, dirA, sharedOpts(objs[0], NewVaultFrames(NewLeases(dbs[0], "node-a2"), ttl, nil)))
	if n, err := vA2.Size(org); err != nil || n != total {
		t.Fatalf("restarted node A: size %d, %v; want %d (released lease: no wait)", n, err, total)
	}
	for i := range total {
		ev, err := vA2.Get(ctx, org, uint64(i))
		if err != nil || ev.Message != vstoretest.Event(base, i).Message {
			t.Fatalf("event %d on restarted node A: %q, %v", i, ev.Message, err)
		}
	}
	cpA2, err := vA2.Checkpoint(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cpA2, cpB2) {
		t.Fatalf("restarted node A signs a new checkpoint of the log B left:\n%s\nB's last:\n%s", cpA2, cpB2)
	}
}
