package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// testOpts uses tiny blocks and segments so tests cross many boundaries.
var testOpts = Options{BlockBits: 4, SegmentBlocks: 3, Logger: slog.New(slog.DiscardHandler)}

func testEvent(i int) Event {
	return Event{
		SourceID: int64(i%3 + 1),
		Received: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Host:     fmt.Sprintf("fw%d", i%5),
		App:      []string{"sshd", "kernel", "vpn"}[i%3],
		Facility: i % 24, Severity: i % 8,
		Message: fmt.Sprintf("connection %d from 10.0.%d.%d port %d denied tcp", i, i%7, i%250, 1000+i),
		Format:  FormatRFC3164,
	}
}

var (
	fillMu   sync.Mutex
	fillNext = map[*Vault]map[int64]int{}
)

// fill appends n test events; numbering continues per vault and org so
// events are distinct in time across calls.
func fill(t testing.TB, v *Vault, org int64, n int) {
	t.Helper()
	ctx := context.Background()
	fillMu.Lock()
	if fillNext[v] == nil {
		fillNext[v] = map[int64]int{}
	}
	base := fillNext[v][org]
	fillNext[v][org] = base + n
	fillMu.Unlock()
	for i := 0; i < n; {
		k := min(n-i, 1+i%7)
		evs := make([]Event, k)
		for j := range evs {
			evs[j] = testEvent(base + i + j)
		}
		first, err := v.Append(ctx, org, evs)
		if err != nil {
			t.Fatal(err)
		}
		_ = first
		i += k
	}
}

func openTest(t testing.TB, dir string) *Vault {
	t.Helper()
	v, err := Open(dir, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAppendProofsIndependent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := openTest(t, dir)
	const org = 7
	var cps [][]byte
	total := 0
	for _, n := range []int{1, 2, 5, 16, 17, 40, 100, 3} {
		fill(t, v, org, n)
		total += n
		cp, err := v.Checkpoint(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp)
	}
	if st, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("signing key file: %v %v", st.Mode(), err)
	}
	if !strings.HasPrefix(v.PublicKey(), "ciiguard-vault+") {
		t.Fatalf("verifier key %q", v.PublicKey())
	}
	// Reopen: everything must come back from disk.
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v = openTest(t, dir)
	defer v.Close()
	if sz, _ := v.Size(org); sz != uint64(total) {
		t.Fatalf("size %d, want %d", sz, total)
	}
	type sr struct {
		size uint64
		root [32]byte
	}
	var trees []sr
	for _, cp := range cps {
		size, root, err := OpenCheckpoint(cp, v.PublicKey(), Origin(org))
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, sr{size, root})
	}
	h := rfc6962.DefaultHasher
	for _, tr := range trees {
		for seq := uint64(0); seq < tr.size; seq++ {
			ev, err := v.Get(ctx, org, seq)
			if err != nil {
				t.Fatal(err)
			}
			p, err := v.InclusionProof(ctx, org, seq, tr.size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(h, seq, tr.size, h.HashLeaf(LeafData(&ev)), p, tr.root[:]); err != nil {
				t.Fatalf("inclusion %d in %d: %v", seq, tr.size, err)
			}
		}
	}
	for i, a := range trees {
		for _, b := range trees[i:] {
			p, err := v.ConsistencyProof(ctx, org, a.size, b.size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(h, a.size, b.size, p, a.root[:], b.root[:]); err != nil {
				t.Fatalf("consistency %d..%d: %v", a.size, b.size, err)
			}
		}
	}
	// Random extra sizes, not only checkpoint sizes.
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := 1 + r.Uint64N(uint64(total))
		a := r.Uint64N(b + 1)
		ra, _ := v.RootHash(ctx, org, a)
		rb, _ := v.RootHash(ctx, org, b)
		p, err := v.ConsistencyProof(ctx, org, a, b)
		if err != nil {
			t.Fatal(err)
		}
		if a > 0 {
			if err := proof.VerifyConsistency(h, a, b, p, ra[:], rb[:]); err != nil {
				t.Fatalf("consistency %d..%d: %v", a, b, err)
			}
		}
	}
}

func t0ctx() context.Context { return context.Background() }

func TestOpenRefusesASecondOpener(t *testing.T) {
	dir := t.TempDir()
	v, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open while the first is open: %v, want ErrLocked", err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	v2.Close()
}
