package vault

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// locateFixture writes 116 events (7 blocks of 16 in 3 segments of 3
// blocks, 4 in the WAL) and a checkpoint, and returns the vault directory.
// Event i is testEvent(i): host fw(i%5), message "connection i from …".
func locateFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	v := openTest(t, dir)
	fill(t, v, 1, 7*16+4)
	if _, err := v.Checkpoint(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	v.Close()
	return dir
}

// rewriteLastBlock re-encodes block 2, the last block of segment 0, after
// change has altered its events: a well-formed block (frame and part
// checksums right, every event decodes) whose events differ from the
// sealed ones. Being the segment's last, it moves no other frame.
func rewriteLastBlock(t *testing.T, dir string, change func(evs []Event)) {
	t.Helper()
	path := filepath.Join(dir, "org", "1", segName(0)+".dat")
	dat, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range 2 {
		_, n, err := readFrame(dat[off:], magicBlock)
		if err != nil {
			t.Fatal(err)
		}
		off += n
	}
	payload, n, err := readFrame(dat[off:], magicBlock)
	if err != nil || off+n != len(dat) {
		t.Fatalf("block 2 of the fixture at %d: %v", off, err)
	}
	evs, err := decodeBlock(payload, 1, allCols, 16)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Seq != 32 {
		t.Fatalf("block 2 starts at event %d, want 32", evs[0].Seq)
	}
	change(evs)
	out := appendFrame(append([]byte(nil), dat[:off]...), magicBlock, encodeBlock(evs))
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// setMessage changes the message of the event with sequence number seq,
// keeping its length, as someone hiding a line would.
func setMessage(seq uint64, msg string) func([]Event) {
	return func(evs []Event) {
		for i := range evs {
			if evs[i].Seq == seq {
				if len(msg) != len(evs[i].Message) {
					panic("test message of another length")
				}
				evs[i].Message = msg
			}
		}
	}
}

func verifyCopy(t *testing.T, dir string) *VerifyReport {
	t.Helper()
	ro, err := OpenReadOnly(dir, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rep, err := ro.Verify(context.Background(), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Fatal("verify passed a changed block")
	}
	return rep
}

// TestVerifyNamesTheChangedEvent changes events inside a sealed block and
// re-encodes the block so that it is otherwise valid; verify must name the
// event by its sequence number, not only the block's 16. The expected
// numbers are worked out by hand from testEvent (hosts fw(i%5); parts of 2
// events in host order; locator groups of 4 consecutive events).
func TestVerifyNamesTheChangedEvent(t *testing.T) {
	for _, tc := range []struct {
		name        string
		change      func([]Event)
		first, last int64
		what        string // a phrase the first problem must say
	}{
		{"one event's message", setMessage(37, "connection 37 from 10.0.2.37 port 1037 allow  tcp"), 37, 37, "event 37"},
		{"the block's first event", setMessage(32, "connection 32 from 10.0.4.32 port 1032 allow  tcp"), 32, 32, "event 32"},
		{"the block's last event", setMessage(47, "connection 47 from 10.0.5.47 port 1047 allow  tcp"), 47, 47, "event 47"},
		// Two events of the group 36..39: the locator names the group and
		// says it cannot tell which.
		{"two events of one group", func(evs []Event) {
			setMessage(37, "connection 37 from 10.0.2.37 port 1037 allow  tcp")(evs)
			setMessage(38, "connection 38 from 10.0.3.38 port 1038 allow  tcp")(evs)
		}, 36, 39, "more than one"},
		// A swap keeps every event but moves two: both are named as a group.
		{"two events swapped", func(evs []Event) {
			evs[1].Message, evs[2].Message = evs[2].Message, evs[1].Message
		}, 32, 35, "more than one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := locateFixture(t)
			rewriteLastBlock(t, dir, tc.change)
			first := verifyCopy(t, dir).First
			if first.Segment != segName(0) || first.Block != 2 || first.Seq != tc.first || first.LastSeq != tc.last ||
				!strings.Contains(first.What, tc.what) {
				t.Fatalf("verify reported %s; want segment %s block 2 events %d..%d saying %q", first, segName(0), tc.first, tc.last, tc.what)
			}
		})
	}
}

// TestVerifyNamesTheDamagedPart damages the compressed bytes of one part of
// a block, so that the part no longer decodes: verify names that part's
// events, and no finer. By hand: block 2 holds events 32..47, hosts fw2
// (32, 37, 42, 47), fw3 (33, 38, 43), fw4 (34, 39, 44), fw0 (35, 40, 45)
// and fw1 (36, 41, 46) in order of first appearance; parts of 2 in that
// order make part 3 the events 43 and 34.
func TestVerifyNamesTheDamagedPart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fixFrame bool // recompute the frame checksum, as someone editing the file would
	}{{"frame checksum fails", false}, {"frame checksum recomputed", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := locateFixture(t)
			path := filepath.Join(dir, "org", "1", segName(0)+".dat")
			dat, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			off := 0
			for range 2 {
				_, n, _ := readFrame(dat[off:], magicBlock)
				off += n
			}
			payload, _, err := readFrame(dat[off:], magicBlock)
			if err != nil {
				t.Fatal(err)
			}
			_, _, _, ix, err := partTable(payload)
			if err != nil {
				t.Fatal(err)
			}
			loc := ix.locs[3]
			payload[loc.off+loc.n/2] ^= 0x41
			if tc.fixFrame {
				dat = appendFrame(dat[:off:off], magicBlock, payload)
			}
			if err := os.WriteFile(path, dat, 0o600); err != nil {
				t.Fatal(err)
			}
			first := verifyCopy(t, dir).First
			if first.Block != 2 || first.Seq != 34 || first.LastSeq != 43 || !strings.Contains(first.What, "part 3 (parts numbered 0–7)") ||
				!strings.Contains(first.What, "2 events: 34, 43") {
				t.Fatalf("verify reported %s; want block 2, part 3, events 34 and 43", first)
			}
		})
	}
}

// stripLocators rewrites every index entry of the organisation without its
// locator, as the version before locators wrote them (version 2).
func stripLocators(t *testing.T, dir string) {
	t.Helper()
	idx, _ := filepath.Glob(filepath.Join(dir, "org", "1", "seg-*.idx"))
	for _, f := range idx {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for off := 0; off < len(b); {
			p, n, err := readFrame(b[off:], magicIndex)
			if err != nil {
				t.Fatal(err)
			}
			m, err := decodeMeta(p)
			if err != nil || p[0] != 3 || m.loc == nil {
				t.Fatalf("entry at %d of %s: version %d, %v", off, f, p[0], err)
			}
			m.loc = nil
			out = appendFrame(out, magicIndex, m.encode())
			off += n
		}
		if err := os.WriteFile(f, out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVerifyOldEntriesWithoutLocator: segments indexed before locators
// verify as before, and a changed event there is located to its block.
func TestVerifyOldEntriesWithoutLocator(t *testing.T) {
	dir := locateFixture(t)
	stripLocators(t, dir)
	ro, err := OpenReadOnly(dir, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ro.Verify(context.Background(), 1, nil)
	ro.Close()
	if err != nil || !rep.OK || rep.Events != 116 {
		t.Fatalf("verify of entries without locators: %+v, %v; want intact, 116 events", rep, err)
	}
	w, err := Open(dir, testOpts) // and a writing open takes them
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Size(1); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rewriteLastBlock(t, dir, setMessage(37, "connection 37 from 10.0.2.37 port 1037 allow  tcp"))
	first := verifyCopy(t, dir).First
	if first.Block != 2 || first.Seq != 32 || first.LastSeq != 47 || !strings.Contains(first.What, "without a locator") {
		t.Fatalf("verify reported %s; want block 2, events 32..47, sealed without a locator", first)
	}
}

// rewriteLastEntry rewrites the index entry of block 2 (the last of segment
// 0) after edit has changed it, with a right frame checksum.
func rewriteLastEntry(t *testing.T, dir string, edit func(m *blockMeta, evs []Event)) {
	t.Helper()
	dat, err := os.ReadFile(filepath.Join(dir, "org", "1", segName(0)+".dat"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "org", "1", segName(0)+".idx")
	idx, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range 2 {
		_, n, _ := readFrame(idx[off:], magicIndex)
		off += n
	}
	p, _, err := readFrame(idx[off:], magicIndex)
	if err != nil {
		t.Fatal(err)
	}
	m, err := decodeMeta(p)
	if err != nil {
		t.Fatal(err)
	}
	payload, _, err := readFrame(dat[m.off:], magicBlock)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := decodeBlock(payload, 1, allCols, 16)
	if err != nil {
		t.Fatal(err)
	}
	edit(m, evs)
	if err := os.WriteFile(path, appendFrame(idx[:off:off], magicIndex, m.encode()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDoesNotTrustAChangedLocator: the locator only points; when it
// does not hash to the block root kept in the roots file, verify says so
// and names the block, not an event the locator might have been made to
// point to.
func TestVerifyDoesNotTrustAChangedLocator(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
		what   string
	}{
		{"an event changed and the locator's first group root", func(t *testing.T, dir string) {
			rewriteLastBlock(t, dir, setMessage(37, "connection 37 from 10.0.2.37 port 1037 allow  tcp"))
			rewriteLastEntry(t, dir, func(m *blockMeta, _ []Event) { m.loc[2+5] ^= 1 })
		}, "locator or the roots file was changed"},
		// Events and locator rewritten together agree with each other, as
		// when only the roots file changed: verify cannot tell which.
		{"an event changed and the locator rebuilt for it", func(t *testing.T, dir string) {
			rewriteLastBlock(t, dir, setMessage(37, "connection 37 from 10.0.2.37 port 1037 allow  tcp"))
			rewriteLastEntry(t, dir, func(m *blockMeta, evs []Event) {
				leaves := make([][32]byte, len(evs))
				for i := range evs {
					leaves[i] = LeafHash(LeafData(&evs[i]))
				}
				m.loc = buildLocator(denseLevels(leaves), locLevel(testOpts.BlockBits))
			})
		}, "or the events and the locator both"},
		{"the block's root in the roots file", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "org", "1", "roots")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[2*32+5] ^= 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "root in the roots file was changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := locateFixture(t)
			tc.change(t, dir)
			first := verifyCopy(t, dir).First
			if first.Block != 2 || first.Seq != 32 || first.LastSeq != 47 || !strings.Contains(first.What, tc.what) {
				t.Fatalf("verify reported %s; want block 2, events 32..47, saying %q", first, tc.what)
			}
		})
	}
}

// BenchmarkLocator measures what sealing a block of 16,384 events adds for
// its locator (the tree's levels are computed for the block root anyway).
func BenchmarkLocator(b *testing.B) {
	leaves := make([][32]byte, 1<<14)
	for i := range leaves {
		leaves[i] = LeafHash([]byte{byte(i), byte(i >> 8)})
	}
	lv := denseLevels(leaves)
	b.ReportAllocs()
	for b.Loop() {
		buildLocator(lv, locLevel(14))
	}
	b.ReportMetric(float64(len(buildLocator(lv, locLevel(14))))/(1<<14), "bytes/event")
}
