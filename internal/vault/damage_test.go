package vault

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestDamageEveryFileKind is the outside damage test in the suite (with
// TestVerifyNamesTheChangedEvent and TestVerifyNamesTheDamagedPart for
// edits that keep a block well formed): for every kind of file — WAL frames in every position, segments, indexes, roots,
// checkpoints, the key and the layout — it flips bytes at positions chosen
// deterministically (both ends, fixed fractions and a seeded sample; every
// header field and the middle and end of each WAL frame) in a copy of a small
// vault, and requires detection with the right location: the read-only
// verify names the block, checkpoint or WAL frame (with its events), a
// writing open of a damaged WAL stops with a *WALDamageError for that frame,
// and a damaged key or layout is refused at open naming the file. A flip
// that passes silently fails the test.
func TestDamageEveryFileKind(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	v := openTest(t, src)
	const org = 1
	for range 4 {
		fill(t, v, org, 29) // 116 events: 7 blocks of 16 in 3 segments, 4 in the WAL
		if _, err := v.Checkpoint(t0ctx(), org); err != nil {
			t.Fatal(err)
		}
	}
	fill(t, v, org, 11) // 127: 15 in the WAL, in several frames
	v.Close()
	orgDir := filepath.Join(src, "org", "1")

	type target struct {
		rel string // path under the vault directory
		pos []int
	}
	var targets []target
	r := rand.New(rand.NewPCG(16, 6))
	sample := func(n int) []int {
		ps := []int{0, 1, n / 7, n / 3, n / 2, 2 * n / 3, n - 2, n - 1}
		for range 6 {
			ps = append(ps, r.IntN(n))
		}
		sort.Ints(ps)
		return ps
	}
	for _, pat := range []string{"org/1/seg-*.dat", "org/1/seg-*.idx", "org/1/roots", "org/1/cp/*.note", keyFile, "layout"} {
		m, _ := filepath.Glob(filepath.Join(src, pat))
		if len(m) == 0 {
			t.Fatalf("no file %s in the fixture", pat)
		}
		for _, f := range m {
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(src, f)
			targets = append(targets, target{rel, sample(int(st.Size()))})
		}
	}
	wal, err := os.ReadFile(filepath.Join(orgDir, "wal"))
	if err != nil {
		t.Fatal(err)
	}
	frames := scanWAL(wal, 7*16).frames
	if len(frames) < 3 {
		t.Fatalf("fixture WAL has %d frames; want at least 3", len(frames))
	}
	var walPos []int
	for _, f := range frames {
		for _, p := range []int{0, 5, 9, 17, 21, 25, walHeader2 + 1, (f.end - f.off) / 2, f.end - f.off - 1} {
			walPos = append(walPos, f.off+p)
		}
	}
	targets = append(targets, target{"org/1/wal", walPos})

	flips := 0
	dst := filepath.Join(base, "copy")
	for _, tg := range targets {
		orig, err := os.ReadFile(filepath.Join(src, tg.rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, pos := range tg.pos {
			os.RemoveAll(dst)
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			os.Chmod(filepath.Join(dst, keyFile), 0o600)
			b := append([]byte(nil), orig...)
			b[pos] ^= byte(1 + (pos*7)%255)
			if err := os.WriteFile(filepath.Join(dst, tg.rel), b, 0o600); err != nil {
				t.Fatal(err)
			}
			where := fmt.Sprintf("%s byte %d of %d", tg.rel, pos, len(b))
			if err := damageFound(t, dst, src, tg.rel, pos, frames); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			flips++
		}
	}
	t.Logf("%d flips over %d files, 0 silent", flips, len(targets))
}

// damageFound opens the damaged copy dir read-only and, for the WAL, for
// writing, and says what is wrong with how the damage was reported (nil:
// found, at the right place).
func damageFound(t *testing.T, dir, src, rel string, pos int, frames []walFrame) error {
	t.Helper()
	name := filepath.Base(rel)
	ro, err := OpenReadOnly(dir, Options{})
	if err != nil {
		if (name == keyFile || name == "layout") && strings.Contains(err.Error(), name) {
			return nil // refused at open, naming the file
		}
		if name == keyFile && strings.Contains(err.Error(), "key") {
			return nil
		}
		return fmt.Errorf("read-only open: %v", err)
	}
	rep, err := ro.Verify(t0ctx(), 1, nil)
	ro.Close()
	if err != nil {
		return fmt.Errorf("verify error: %v", err)
	}
	if rep.OK {
		return errors.New("verify passed: the damage was not detected")
	}
	first := rep.First
	switch {
	case name == "wal":
		var f walFrame
		for _, fr := range frames {
			if pos >= fr.off && pos < fr.end {
				f = fr
			}
		}
		if first.Seq != int64(f.first) || !strings.Contains(first.What, fmt.Sprintf("offset %d", f.off)) {
			return fmt.Errorf("verify reported %s; want the frame at offset %d (events from %d)", first, f.off, f.first)
		}
		w, err := Open(dir, testOpts)
		if err != nil {
			return fmt.Errorf("writing open: %v", err)
		}
		_, err = w.Size(1)
		w.Close()
		var de *WALDamageError
		if !errors.As(err, &de) || de.Offset != int64(f.off) || de.FirstSeq != f.first {
			return fmt.Errorf("writing open: %v; want a *WALDamageError for the frame at offset %d", err, f.off)
		}
	case strings.HasSuffix(name, ".dat"), strings.HasSuffix(name, ".idx"):
		seg := strings.TrimSuffix(strings.TrimSuffix(name, ".dat"), ".idx")
		want := frameBlock(t, filepath.Join(src, rel), seg, pos)
		if first.Segment != seg || first.Block != want {
			return fmt.Errorf("verify reported %s; want segment %s block %d", first, seg, want)
		}
		if !strings.HasSuffix(name, ".dat") {
			break
		}
		if lo, hi, ok := partEvents(t, filepath.Join(src, rel), pos); ok &&
			(first.Seq != lo || first.LastSeq != hi || !strings.Contains(first.What, "part ")) {
			return fmt.Errorf("verify reported %s; want the events of the damaged part, %d..%d", first, lo, hi)
		}
	case name == "roots":
		if first.Block != int64(pos/32) {
			return fmt.Errorf("verify reported %s; want block %d", first, pos/32)
		}
	case strings.HasSuffix(name, ".note"):
		if first.Checkpoint != name {
			return fmt.Errorf("verify reported %s; want checkpoint %s", first, name)
		}
	case name == keyFile:
		if first.Checkpoint == "" {
			return fmt.Errorf("verify reported %s; want the checkpoints failing with the changed key", first)
		}
	default:
		return fmt.Errorf("verify reported %s for a file it does not name", first)
	}
	return nil
}

// partEvents returns the first and last sequence number of the events of
// the block part whose compressed bytes hold byte pos of an undamaged
// segment file; ok is false when pos lies in a frame header or part table.
func partEvents(t *testing.T, path string, pos int) (lo, hi int64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(b); {
		payload, n, err := readFrame(b[off:], magicBlock)
		if err != nil {
			t.Fatal(err)
		}
		if pos < off+n {
			first, count, per, ix, err := partTable(payload)
			if err != nil {
				t.Fatal(err)
			}
			for i, loc := range ix.locs {
				at := off + frameHeader + int(loc.off)
				if pos < at || pos >= at+int(loc.n) {
					continue
				}
				s := uint64(i) * per
				pos := ix.order[s:min(s+per, count)]
				lo, hi = int64(first+uint64(slices.Min(pos))), int64(first+uint64(slices.Max(pos)))
				return lo, hi, true
			}
			return 0, 0, false
		}
		off += n
	}
	return 0, 0, false
}
