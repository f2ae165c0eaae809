package vault

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TestConcurrentUse runs appenders, searches, proofs, checkpoints (also
// from the background ticker) and verification at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	opts := testOpts
	opts.CheckpointInterval = 5 * time.Millisecond
	v, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	const org = 4
	fill(t, v, org, 50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var errs atomic.Int64
	report := func(err error) {
		if err != nil {
			errs.Add(1)
			t.Error(err)
		}
	}
	run := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					f()
				}
			}
		}()
	}
	for range 3 {
		run(func() { fill(t, v, org, 13) })
	}
	run(func() {
		_, err := v.Search(ctx, org, Query{Expr: "denied OR host:fw2", Limit: 50})
		report(err)
	})
	run(func() {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := v.Histogram(ctx, org, Query{From: t0, To: t0.Add(time.Hour)}, time.Minute)
		report(err)
	})
	run(func() {
		cp, err := v.Checkpoint(ctx, org)
		if err != nil {
			report(err)
			return
		}
		size, root, err := OpenCheckpoint(cp, v.PublicKey(), Origin(org))
		if err != nil {
			report(err)
			return
		}
		ev, err := v.Get(ctx, org, size/2)
		if err != nil {
			report(err)
			return
		}
		p, err := v.InclusionProof(ctx, org, size/2, size)
		if err != nil {
			report(err)
			return
		}
		h := rfc6962.DefaultHasher
		report(proof.VerifyInclusion(h, size/2, size, h.HashLeaf(LeafData(&ev)), p, root[:]))
	})
	run(func() {
		rep, err := v.Verify(ctx, org, nil)
		if err == nil && !rep.OK {
			t.Errorf("verify during appends: %v", rep.First)
		}
		report(err)
	})
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()
	rep, err := v.Verify(ctx, org, nil)
	if err != nil || !rep.OK {
		t.Fatalf("final verify: %v %v", err, rep.First)
	}
	if rep.Checkpoints < 2 {
		t.Fatalf("only %d checkpoints", rep.Checkpoints)
	}
}
