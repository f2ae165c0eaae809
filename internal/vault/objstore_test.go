package vault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// storedOpts has tiny blocks and two-block segments, so a few hundred
// events make several complete (uploaded) segments, and a one-byte cache,
// so that every uploaded segment but the last one read is evicted.
func storedOpts(s ObjectStore) Options {
	o := testOpts
	o.SegmentBlocks, o.Store, o.CacheBytes = 2, s, 1
	return o
}

// waitUploaded waits until every complete segment of org is in the store.
func waitUploaded(t *testing.T, v *Vault, org int64) {
	t.Helper()
	l, err := v.log(org, false)
	if err != nil || l == nil {
		t.Fatalf("log %d: %v", org, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		l.mu.RLock()
		done := true
		for _, s := range l.segs {
			if s.end() < l.sealed {
				s.dat.mu.RLock()
				done = done && s.dat.uploaded
				s.dat.mu.RUnlock()
			}
		}
		l.mu.RUnlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("segments not uploaded after 30s (upload errors: %d)", v.Stats().UploadErrors)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// answers is what a user sees of a log: search pages, proofs, a verify
// report and a bundle's check.
type answers struct {
	All, Rare    []uint64 // sequence numbers found
	AllMsgs      []string
	Proofs       [][][]byte
	Consistency  [][]byte
	VerifyOK     bool
	VerifyEvents uint64
	VerifyBlocks uint64
	Bundle       uint64 // events in the checked bundle
}

func collect(t *testing.T, v *Vault, org int64, size uint64) answers {
	t.Helper()
	ctx := context.Background()
	var a answers
	for _, q := range []struct {
		expr string
		out  *[]uint64
	}{{"", &a.All}, {`"connection 77 "`, &a.Rare}} {
		cur := ""
		for {
			p, err := v.Search(ctx, org, Query{Expr: q.expr, Limit: 1000, Cursor: cur})
			if err != nil {
				t.Fatalf("search %q: %v", q.expr, err)
			}
			for _, e := range p.Events {
				*q.out = append(*q.out, e.Seq)
				if q.expr == "" {
					a.AllMsgs = append(a.AllMsgs, e.Message)
				}
			}
			if cur = p.Next; cur == "" {
				break
			}
		}
	}
	for _, seq := range []uint64{0, 17, 40, size - 1} {
		p, err := v.InclusionProof(ctx, org, seq, size)
		if err != nil {
			t.Fatalf("proof of %d: %v", seq, err)
		}
		a.Proofs = append(a.Proofs, p)
	}
	c, err := v.ConsistencyProof(ctx, org, 33, size)
	if err != nil {
		t.Fatal(err)
	}
	a.Consistency = c
	rep, err := v.Verify(ctx, org, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Errorf("verify: %v", rep.Problems)
	}
	a.VerifyOK, a.VerifyEvents, a.VerifyBlocks = rep.OK, rep.Events, rep.Blocks
	var b bytes.Buffer
	if err := v.ExportBundle(ctx, org, Query{Expr: "fw3"}, &b); err != nil {
		t.Fatal(err)
	}
	br, err := VerifyBundle(&b, v.PublicKey())
	if err != nil {
		t.Fatalf("bundle: %v", err)
	}
	a.Bundle = br.Events
	return a
}

// wipeLocalCopies removes, with the vault closed, every local block file
// the store also holds and the fetched-block cache: what a node that lost
// its cache disk has.
func wipeLocalCopies(t *testing.T, dir string, org int64, s ObjectStore) int {
	t.Helper()
	objs, err := s.List(context.Background(), fmt.Sprintf("org/%d/seg-", org))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if filepath.Ext(o.Key) != ".dat" {
			continue
		}
		p := filepath.Join(dir, "org", fmt.Sprint(org), filepath.Base(o.Key))
		if err := os.Remove(p); err == nil {
			n++
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "org", fmt.Sprint(org), "cache")); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkStoreServes fills a local-only vault and one with store s alike,
// wipes the second one's local copies and checks both answer alike, the
// second from the store.
func checkStoreServes(t *testing.T, s ObjectStore, org int64) {
	const n = 16*9 + 5 // nine blocks: segments 0, 2, 4, 6 complete, 8 being written
	local := openWith(t, t.TempDir(), testOpts)
	fill(t, local, org, n)
	dir := t.TempDir()
	v := openWith(t, dir, storedOpts(s))
	fill(t, v, org, n)
	waitUploaded(t, v, org)
	want := collect(t, local, org, n)
	if len(want.Rare) != 1 || want.VerifyEvents != n {
		t.Fatalf("local answers: rare %v, verified %d events", want.Rare, want.VerifyEvents)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if got := wipeLocalCopies(t, dir, org, s); got == 0 {
		// The one-byte cache evicted them already; none is left to wipe.
		t.Logf("no local copies were left to wipe")
	}
	v = openWith(t, dir, storedOpts(s))
	got := collect(t, v, org, n)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the store:\n%+v\nlocal:\n%+v", got, want)
	}
	if st := v.Stats(); st.ObjectGets == 0 {
		t.Errorf("nothing was read from the store: %+v", st)
	}
}

func TestDirStoreServesEvictedSegments(t *testing.T) {
	checkStoreServes(t, DirStore{Root: t.TempDir()}, 1)
}

// openWith opens a vault closed at the test's end.
func openWith(t *testing.T, dir string, o Options) *Vault {
	t.Helper()
	v, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}
