package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// walFixture writes n events of org 1 in batches (one WAL frame each),
// closes and reopens the vault once (which used to rewrite the WAL as a
// single frame) and returns the directory and the WAL's bytes.
func walFixture(t *testing.T, n int) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	v := openTest(t, dir)
	fill(t, v, 1, n)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v = openTest(t, dir)
	if got, err := v.Size(1); err != nil || got != uint64(n) {
		t.Fatalf("reopened: %d events, %v; want %d", got, err, n)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "org", "1", "wal"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, b
}

// TestWALFlipStopsTheLog flips bytes of every WAL frame — header and
// payload, first, middle and last frame — and requires that opening the
// log fails with a *WALDamageError naming the frame's offset and events,
// never a log that opens with fewer events. Before version 2 frames, open
// rewrote the WAL as one frame and cut a damaged last frame as torn: 40 of
// 40 flips of a single-frame WAL passed silently.
func TestWALFlipStopsTheLog(t *testing.T) {
	dir, wal := walFixture(t, 16+13) // one sealed block, 13 events in 4+ frames
	s := scanWAL(wal, 16)
	if len(s.frames) < 3 || len(s.bad) != 0 || s.torn != -1 {
		t.Fatalf("fixture WAL: %d frames, %d damaged, torn at %d; want 3 or more intact frames", len(s.frames), len(s.bad), s.torn)
	}
	flips := 0
	for fi, f := range s.frames {
		size := f.end - f.off
		for _, p := range []int{0, 3, 4, 8, 15, 16, 20, 24, 27, walHeader2, size / 2, size - 1} {
			pos := f.off + p
			for _, x := range []byte{0x01, 0x80, 0xff} {
				b := append([]byte(nil), wal...)
				b[pos] ^= x
				if err := os.WriteFile(filepath.Join(dir, "org", "1", "wal"), b, 0o640); err != nil {
					t.Fatal(err)
				}
				v := openTest(t, dir)
				n, err := v.Size(1)
				v.Close()
				flips++
				var de *WALDamageError
				if !errors.As(err, &de) {
					t.Fatalf("frame %d byte %d ^%#x: open gave size %d, err %v; want a *WALDamageError", fi, pos, x, n, err)
				}
				if de.Offset != int64(f.off) || de.FirstSeq != f.first || de.Org != 1 {
					t.Fatalf("frame %d (offset %d, events %d+%d) byte %d ^%#x: reported %+v", fi, f.off, f.first, f.count, pos, x, de)
				}
				last := fi == len(s.frames)-1
				if de.Known && de.Count != f.count || !de.Known && !last {
					t.Fatalf("frame %d (events %d+%d, last %v) byte %d ^%#x: reported %s", fi, f.first, f.count, last, pos, x, de.Lost())
				}
				if !strings.Contains(de.Error(), "vault repair") || !strings.Contains(de.OutageReason(), "offset") {
					t.Fatalf("error does not say where and what to do: %v", de)
				}
			}
		}
	}
	t.Logf("%d flips over %d frames: every one stopped the log, naming its frame", flips, len(s.frames))
}

// TestOpenDoesNotRewriteTheWAL requires that opening and closing a vault
// leaves the WAL's bytes and modification time as they were (open used to
// rewrite it as one frame every time).
func TestOpenDoesNotRewriteTheWAL(t *testing.T) {
	dir, before := walFixture(t, 16+9)
	path := filepath.Join(dir, "org", "1", "wal")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	v := openTest(t, dir)
	if n, err := v.Size(1); err != nil || n != 25 {
		t.Fatalf("size %d, %v; want 25", n, err)
	}
	v.Close()
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) || !st.ModTime().Equal(old) {
		t.Fatalf("open rewrote the WAL: %d bytes before, %d after, modified %v", len(before), len(after), st.ModTime())
	}
}

// TestIncompleteLastFrameIsCutAndLogged cuts a WAL inside its last frame
// (what a crash before the fsync leaves) and requires that open cuts only
// that frame, keeps the others, and logs the cut with the frame's range.
func TestIncompleteLastFrameIsCutAndLogged(t *testing.T) {
	dir, wal := walFixture(t, 16+13)
	s := scanWAL(wal, 16)
	last := s.frames[len(s.frames)-1]
	for _, cut := range []int{last.off + 2, last.off + walHeader2 - 1, last.off + walHeader2 + 1, last.end - 1} {
		if err := os.WriteFile(filepath.Join(dir, "org", "1", "wal"), wal[:cut], 0o640); err != nil {
			t.Fatal(err)
		}
		var logged bytes.Buffer
		opts := testOpts
		opts.Logger = slog.New(slog.NewTextHandler(&logged, nil))
		v, err := Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		n, err := v.Size(1)
		v.Close()
		if err != nil || n != last.first {
			t.Fatalf("cut at %d: size %d, %v; want %d (the frames before the last)", cut, n, err, last.first)
		}
		want := "offset=" + itoa(last.off)
		if cut >= last.off+walHeader2 {
			want += " bytes=" + itoa(cut-last.off) + " held=\"" + lostRange(last.first, last.count, true)
		}
		if !strings.Contains(logged.String(), want) {
			t.Fatalf("cut at %d: log %q does not contain %q", cut, logged.String(), want)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "org", "1", "wal"))
		if !bytes.Equal(got, wal[:last.off]) {
			t.Fatalf("cut at %d: WAL is %d bytes, want %d", cut, len(got), last.off)
		}
	}
}

// TestVersion1WALIsReadAndMigrated writes the tail in version 1 frames (as
// before this change), and requires that it is read, that appends add
// version 2 frames after it, and that the next seal leaves only version 2.
func TestVersion1WALIsReadAndMigrated(t *testing.T) {
	dir, wal := walFixture(t, 16+5)
	s := scanWAL(wal, 16)
	var v1 []byte
	for _, f := range s.frames {
		p := appendUvarints(nil, f.first, f.count)
		v1 = appendFrame(v1, magicWAL, append(p, f.payload...))
	}
	path := filepath.Join(dir, "org", "1", "wal")
	if err := os.WriteFile(path, v1, 0o640); err != nil {
		t.Fatal(err)
	}
	v := openTest(t, dir)
	if n, err := v.Size(1); err != nil || n != 21 {
		t.Fatalf("version 1 WAL: size %d, %v; want 21", n, err)
	}
	fillNext[v] = map[int64]int{1: 21}
	fill(t, v, 1, 3)
	v.Close()
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, v1) || len(scanWAL(b, 16).frames) <= len(s.frames) {
		t.Fatal("appending to a version 1 WAL did not keep it and add frames")
	}
	v = openTest(t, dir)
	fillNext[v] = map[int64]int{1: 24}
	fill(t, v, 1, 10) // seals block 1
	v.Close()
	b, _ = os.ReadFile(path)
	for _, f := range scanWAL(b, 32).frames {
		if f.version != 2 {
			t.Fatalf("after a seal the WAL still has a version %d frame", f.version)
		}
	}
	v = openTest(t, dir)
	defer v.Close()
	if rep, err := v.Verify(t0ctx(), 1, nil); err != nil || !rep.OK || rep.Size != 34 {
		t.Fatalf("verify after migration: %v %+v", err, rep)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func appendUvarints(b []byte, xs ...uint64) []byte {
	for _, x := range xs {
		b = binary.AppendUvarint(b, x)
	}
	return b
}

// TestSingleFrameWALFlipIsNotSilent is the outside damage test's case: 20
// events acknowledged, 4 of them in a WAL of one frame; a flipped byte
// anywhere in that frame must stop the log, not open it with 16 events.
// On the code before version 2 frames, every flip opened a log of 16.
func TestSingleFrameWALFlipIsNotSilent(t *testing.T) {
	dir, wal := walFixture(t, 20)
	path := filepath.Join(dir, "org", "1", "wal")
	for pos := 0; pos < len(wal); pos += 1 + len(wal)/40 {
		b := append([]byte(nil), wal...)
		b[pos] ^= 0x10
		if err := os.WriteFile(path, b, 0o640); err != nil {
			t.Fatal(err)
		}
		v := openTest(t, dir)
		n, err := v.Size(1)
		v.Close()
		if !errors.Is(err, ErrWALDamaged) {
			t.Fatalf("flip of WAL byte %d of %d: log opened with %d of 20 events (err %v)", pos, len(wal), n, err)
		}
	}
}
