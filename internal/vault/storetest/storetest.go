// Package storetest checks a vault.ObjectStore the way users meet it: a
// vault whose local copies are gone must answer searches, proofs, verify
// and bundles exactly as a local-only vault with the same events does.
// It also starts a real MinIO server for the S3 tests. Only tests and
// benchmarks import it.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// Opts has tiny blocks (16 events) and two-block segments, so a few
// hundred events make several complete, uploaded segments, and a one-byte
// cache, so every uploaded segment but the last one read is evicted.
func Opts(s vault.ObjectStore) vault.Options {
	return vault.Options{BlockBits: 4, SegmentBlocks: 2, Store: s, CacheBytes: 1, Logger: slog.New(slog.DiscardHandler)}
}

// Event is the i-th test event, received at base + i ms.
func Event(base time.Time, i int) vault.Event {
	return vault.Event{
		SourceID: int64(i%3 + 1),
		Received: base.Add(time.Duration(i) * time.Millisecond),
		Host:     fmt.Sprintf("fw%d", i%5),
		App:      []string{"sshd", "kernel", "vpn"}[i%3],
		Facility: i % 24, Severity: i % 8,
		Message: fmt.Sprintf("connection %d from 10.0.%d.%d port %d denied tcp", i, i%7, i%250, 1000+i),
		Format:  vault.FormatRFC3164,
	}
}

// Fill appends events [from, to) in batches of up to 7.
func Fill(t testing.TB, v *vault.Vault, org int64, base time.Time, from, to int) {
	t.Helper()
	for i := from; i < to; {
		k := min(to-i, 1+i%7)
		evs := make([]vault.Event, k)
		for j := range evs {
			evs[j] = Event(base, i+j)
		}
		if _, err := v.Append(context.Background(), org, evs); err != nil {
			t.Fatal(err)
		}
		i += k
	}
}

// Open opens a vault closed at the test's end.
func Open(t testing.TB, dir string, o vault.Options) *vault.Vault {
	t.Helper()
	v, err := vault.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// WaitUploaded waits until every complete segment of org is stored.
func WaitUploaded(t testing.TB, v *vault.Vault, org int64) vault.LogInfo {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := v.Info(org)
		if err != nil {
			t.Fatal(err)
		}
		if info.PendingUploads == 0 {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d segments not uploaded after 30s (upload errors: %d)", info.PendingUploads, v.Stats().UploadErrors)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Answers is what a user sees of a log: search results, proofs, a verify
// report and a bundle's check.
type Answers struct {
	All, Rare    []uint64 // sequence numbers found
	AllMsgs      []string
	Proofs       [][][]byte
	Consistency  [][]byte
	VerifyOK     bool
	VerifyEvents uint64
	VerifyBlocks uint64
	Bundle       uint64 // events in the checked bundle
}

// Collect gathers the Answers of a log of size events (size > 40).
func Collect(t testing.TB, v *vault.Vault, org int64, size uint64) Answers {
	t.Helper()
	ctx := context.Background()
	var a Answers
	for _, q := range []struct {
		expr string
		out  *[]uint64
	}{{"", &a.All}, {`"connection 77 "`, &a.Rare}} {
		cur := ""
		for {
			p, err := v.Search(ctx, org, vault.Query{Expr: q.expr, Limit: 1000, Cursor: cur})
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
	if err := v.ExportBundle(ctx, org, vault.Query{Expr: "fw3"}, &b); err != nil {
		t.Fatal(err)
	}
	br, err := vault.VerifyBundle(&b, v.PublicKey())
	if err != nil {
		t.Fatalf("bundle: %v", err)
	}
	a.Bundle = br.Events
	return a
}

// WipeLocal removes, with the vault closed, the local block files the
// store also holds and the fetched-block cache: a node that lost its
// cache disk. It returns how many block files it removed.
func WipeLocal(t testing.TB, dir string, org int64, s vault.ObjectStore) int {
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
		if err := os.Remove(filepath.Join(dir, "org", fmt.Sprint(org), filepath.Base(o.Key))); err == nil {
			n++
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "org", fmt.Sprint(org), "cache")); err != nil {
		t.Fatal(err)
	}
	return n
}

// Size is the events CheckServes writes: nine blocks of 16 and five, so
// segments 0, 2, 4 and 6 are complete and 8 is being written.
const Size = 16*9 + 5

// CheckServes fills a local-only vault and one on store s alike, wipes the
// second's local copies, reopens it and checks that both answer alike,
// the second reading from the store. It returns the stored vault's
// directory and the events' base time.
func CheckServes(t *testing.T, s vault.ObjectStore, org int64) (string, time.Time) {
	t.Helper()
	base := time.Now().UTC().Truncate(time.Millisecond)
	local := Open(t, t.TempDir(), Opts(nil))
	Fill(t, local, org, base, 0, Size)
	dir := t.TempDir()
	v, err := vault.Open(dir, Opts(s))
	if err != nil {
		t.Fatal(err)
	}
	Fill(t, v, org, base, 0, Size)
	WaitUploaded(t, v, org)
	want := Collect(t, local, org, Size)
	if len(want.Rare) != 1 || want.VerifyEvents != Size {
		t.Fatalf("local answers: rare %v, verified %d events", want.Rare, want.VerifyEvents)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	WipeLocal(t, dir, org, s)
	v = Open(t, dir, Opts(s))
	got := Collect(t, v, org, Size)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the store:\n%+v\nlocal:\n%+v", got, want)
	}
	if st := v.Stats(); st.ObjectGets == 0 {
		t.Errorf("nothing was read from the store: %+v", st)
	}
	return dir, base
}
