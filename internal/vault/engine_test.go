package vault

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	v := openTest(t, t.TempDir())
	defer v.Close()
	const org = 3
	const n = 200
	fill(t, v, org, n)
	fill(t, v, org+1, 10) // another tenant must never show up
	all := make([]Event, n)
	for i := range all {
		all[i] = testEvent(i)
	}
	tests := []struct {
		q    string
		want func(ev *Event) bool
	}{
		{"", func(*Event) bool { return true }},
		{"severity<=3", func(e *Event) bool { return e.Severity <= 3 }},
		{"sev:err", func(e *Event) bool { return e.Severity == 3 }},
		{"host:FW1", func(e *Event) bool { return e.Host == "fw1" }},
		{"app:sshd facility>20", func(e *Event) bool { return e.App == "sshd" && e.Facility > 20 }},
		{`"denied tcp" NOT 10.0.3.3`, func(e *Event) bool { return !strings.Contains(e.Message, "10.0.3.3 ") }},
		{`connection (ssh OR vpn)`, func(e *Event) bool { return e.App == "vpn" }},
		{"port 1042", func(e *Event) bool { return strings.Contains(e.Message, "port 1042 ") }},
		{"-kernel source:2", func(e *Event) bool { return e.App != "kernel" && e.SourceID == 2 }},
		{"nomatchanywhere", func(*Event) bool { return false }},
		{`"tcp denied"`, func(*Event) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			var want []uint64
			for i := n - 1; i >= 0; i-- {
				if tc.want(&all[i]) {
					want = append(want, uint64(i))
				}
			}
			var got []uint64
			q := Query{Expr: tc.q, Limit: 7}
			for {
				p, err := v.Search(ctx, org, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range p.Events {
					if e.OrgID != org {
						t.Fatalf("event of org %d in org %d search", e.OrgID, org)
					}
					got = append(got, e.Seq)
				}
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if len(got) != len(want) {
				t.Fatalf("got %d events %v, want %d %v", len(got), got, len(want), want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("event %d: seq %d, want %d", i, got[i], want[i])
				}
			}
		})
	}
	// Time range and histogram.
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := v.Search(ctx, org, Query{From: t0.Add(50 * time.Second), To: t0.Add(60 * time.Second), Limit: 100})
	if err != nil || len(p.Events) != 10 || p.Events[0].Seq != 59 {
		t.Fatalf("time range: %d events, err %v", len(p.Events), err)
	}
	hist, err := v.Histogram(ctx, org, Query{From: t0, To: t0.Add(time.Duration(n) * time.Second)}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var sum uint64
	for _, b := range hist {
		sum += b.Count
	}
	if sum != n || hist[0].Count != 30 {
		t.Fatalf("histogram sum %d first %d: %+v", sum, hist[0].Count, hist)
	}
	hist, err = v.Histogram(ctx, org, Query{Expr: "app:vpn", From: t0, To: t0.Add(time.Hour)}, time.Hour)
	if err != nil || len(hist) != 1 || hist[0].Count != 66 {
		t.Fatalf("histogram app:vpn: %+v %v", hist, err)
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: `severity<=3 host:fw1 "denied tcp" (ssh OR vpn) NOT 10.0.0.1`,
			want: `(severity<=3 AND host:"fw1" AND "denied tcp" AND ("ssh" OR "vpn") AND NOT "10.0.0.1")`},
		{in: "a OR b c", want: `("a" OR ("b" AND "c"))`},
		{in: "-x", want: `NOT "x"`},
		{in: "user:root", want: `"user root"`},
		{in: `host:"my host"`, want: `host:"my host"`},
		{in: "", want: ""},
		{in: "(a", err: "not closed"},
		{in: "a)", err: "unexpected"},
		{in: `"abc`, err: "unterminated"},
		{in: "severity<=9", err: "outside"},
		{in: "facility:x", err: "not a number"},
		{in: "NOT", err: "nothing to negate"},
		{in: "AND a", err: "nothing on its left"},
		{in: "a OR", err: "expected a term"},
		{in: "host<3", err: "takes"},
		{in: "!!!", err: "no searchable"},
		{in: strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), err: "deeply"},
	}
	for _, tc := range tests {
		e, err := ParseQuery(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestVerifyClean(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := openTest(t, dir)
	const org = 1
	for range 5 {
		fill(t, v, org, 37)
		if _, err := v.Checkpoint(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := v.Verify(ctx, org, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Checkpoints != 5 || rep.Events != 185 {
		t.Fatalf("clean log: %+v %v", rep, rep.First)
	}
	v.Close()
}

// TestVerifyDetectsFlips flips one random byte in a segment, index or
// checkpoint file and checks Verify fails naming the right place.
func TestVerifyDetectsFlips(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	src := filepath.Join(base, "src")
	v := openTest(t, src)
	const org = 1
	for range 6 {
		fill(t, v, org, 41)
		if _, err := v.Checkpoint(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	orgDir := filepath.Join(src, "org", "1")
	var files []string
	for _, pat := range []string{"seg-*.dat", "seg-*.idx", "cp/*.note", "roots"} {
		m, _ := filepath.Glob(filepath.Join(orgDir, pat))
		files = append(files, m...)
	}
	r := rand.New(rand.NewPCG(7, 9))
	for i := range 120 {
		f := files[i%len(files)]
		rel, _ := filepath.Rel(orgDir, f)
		dst := filepath.Join(base, "copy")
		os.RemoveAll(dst)
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, "org", "1", rel)
		b, err := os.ReadFile(target)
		if err != nil {
			t.Fatal(err)
		}
		pos := r.IntN(len(b))
		b[pos] ^= byte(1 + r.IntN(255))
		if err := os.WriteFile(target, b, 0o640); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dst, keyFile), 0o600)
		v, err := Open(dst, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.Verify(ctx, org, nil)
		v.Close()
		if err != nil {
			// Opening may refuse damaged data; that also counts as detected.
			t.Logf("%s byte %d: verify error %v", rel, pos, err)
			continue
		}
		if rep.OK {
			t.Fatalf("flip of %s byte %d not detected", rel, pos)
		}
		first := rep.First
		switch {
		case strings.HasSuffix(rel, ".dat"), strings.HasSuffix(rel, ".idx"):
			seg := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(rel), ".dat"), ".idx")
			if first.Segment != seg && !strings.Contains(first.What, seg) {
				t.Fatalf("flip of %s byte %d reported at %s", rel, pos, first)
			}
			if want := frameBlock(t, f, seg, pos); first.Block != want {
				t.Fatalf("flip of %s byte %d (block %d) reported at %s", rel, pos, want, first)
			}
		case strings.HasPrefix(rel, "cp"):
			if first.Checkpoint != filepath.Base(rel) {
				t.Fatalf("flip of %s byte %d reported at %s", rel, pos, first)
			}
		default:
			if first.Block != int64(pos/32) {
				t.Fatalf("flip of roots byte %d reported at %s", pos, first)
			}
		}
	}
}

func TestPurgeAndHolds(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := testOpts
	opts.Now = func() time.Time { return now }
	v, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	const org = 5
	var cps [][]byte
	for range 10 {
		fill(t, v, org, 29) // events received in Jan 2026
		cp, err := v.Checkpoint(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp)
	}
	if _, err := v.Purge(ctx, org, now.Add(-MinRetention+time.Hour), nil); err == nil || !strings.Contains(err.Error(), "Art. 21(3)") {
		t.Fatalf("purge inside the retention period: %v", err)
	}
	// A hold on source 99 changes nothing; a hold on the first minute keeps segment 0.
	res, err := v.Purge(ctx, org, now.Add(-MinRetention), []Hold{
		{Sources: []int64{99}},
		{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC), Reason: "case 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.HeldSegments) != 1 || res.HeldSegments[0] != segName(0) || len(res.Segments) == 0 {
		t.Fatalf("purge result %+v", res)
	}
	rep, err := v.Verify(ctx, org, nil)
	if err != nil || !rep.OK || rep.PurgedBlocks == 0 {
		t.Fatalf("verify after purge: %+v %v %v", rep, rep.First, err)
	}
	h := rfc6962.DefaultHasher
	size := func(cp []byte) (uint64, [32]byte) {
		s, r, err := OpenCheckpoint(cp, v.PublicKey(), Origin(org))
		if err != nil {
			t.Fatal(err)
		}
		return s, r
	}
	// Consistency between every pair of checkpoints still proves.
	for i := range cps {
		for j := i; j < len(cps); j++ {
			a, ra := size(cps[i])
			b, rb := size(cps[j])
			p, err := v.ConsistencyProof(ctx, org, a, b)
			if err != nil {
				t.Fatalf("consistency %d..%d after purge: %v", a, b, err)
			}
			if err := proof.VerifyConsistency(h, a, b, p, ra[:], rb[:]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Kept events (held segment and recent ones) still have proofs.
	last, lroot := size(cps[len(cps)-1])
	for _, seq := range []uint64{0, 5, last - 1} {
		ev, err := v.Get(ctx, org, seq)
		if err != nil {
			t.Fatal(err)
		}
		p, err := v.InclusionProof(ctx, org, seq, last)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(h, seq, last, h.HashLeaf(LeafData(&ev)), p, lroot[:]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Get(ctx, org, 100); err == nil {
		t.Fatal("purged event still served")
	}
	info, err := v.Info(org)
	if err != nil {
		t.Fatal(err)
	}
	purged := 0
	for _, s := range info.Segments {
		if s.Purged {
			purged++
		}
	}
	if purged != len(res.Segments) || info.Size != 290 {
		t.Fatalf("info after purge: %+v", info)
	}
	// Survives reopen.
	v.Close()
	v2, err := Open(v.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	rep, err = v2.Verify(ctx, org, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify after reopen: %+v %v", rep.First, err)
	}
}

func TestBundle(t *testing.T) {
	ctx := context.Background()
	v := openTest(t, t.TempDir())
	defer v.Close()
	fill(t, v, 2, 150)
	var buf bytes.Buffer
	if err := v.ExportBundle(ctx, 2, Query{Expr: "app:vpn"}, &buf); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyBundle(bytes.NewReader(buf.Bytes()), v.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 50 || rep.TreeSize != 150 {
		t.Fatalf("bundle report %+v", rep)
	}
	// Any change to an event, proof or the checkpoint must fail.
	lines := strings.Split(buf.String(), "\n")
	tamper := []func([]string){
		func(l []string) { l[3] = strings.Replace(l[3], "denied", "allowed", 1) },
		func(l []string) { l[1] = strings.Replace(l[1], `"index":149`, `"index":148`, 1) },
		func(l []string) { l[5] = l[5][:len(l[5])-10] + `AAAAAA"]}` },
		func(l []string) { l[0] = strings.Replace(l[0], `\n150\n`, `\n151\n`, 1) },
		func(l []string) { copy(l[2:], l[3:]) },
		func(l []string) { l[len(l)-2] = "" },
	}
	for i, f := range tamper {
		l := append([]string(nil), lines...)
		f(l)
		if _, err := VerifyBundle(strings.NewReader(strings.Join(l, "\n")), v.PublicKey()); err == nil {
			t.Errorf("tamper %d not detected", i)
		}
	}
	other, _, _ := strings.Cut(v.PublicKey(), "+")
	_ = other
}

// frameBlock returns the block number whose frame in an undamaged .dat or
// .idx file contains byte pos.
func frameBlock(t *testing.T, path, seg string, pos int) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var first int64
	fmt.Sscanf(seg, "seg-%d", &first)
	magic := magicBlock
	if strings.HasSuffix(path, ".idx") {
		magic = magicIndex
	}
	off := 0
	for i := int64(0); off < len(b); i++ {
		_, n, err := readFrame(b[off:], magic)
		if err != nil {
			t.Fatal(err)
		}
		if pos < off+n {
			return first + i
		}
		off += n
	}
	t.Fatalf("byte %d beyond the frames of %s", pos, path)
	return -1
}
