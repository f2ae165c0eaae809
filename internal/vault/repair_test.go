package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepairQuarantinesAndNamesTheLoss damages a middle WAL frame and the
// last frame's header, repairs, and requires: the report names exactly the
// lost sequence numbers, the WAL as it was and the damaged bytes are kept in
// quarantine, every other event keeps its number and content, each lost
// number holds a placeholder saying so, and the log opens and verifies.
func TestRepairQuarantinesAndNamesTheLoss(t *testing.T) {
	for _, tc := range []struct {
		name      string
		frame     int // -1: last
		at        int // byte offset inside the frame
		wantKnown bool
	}{
		{"middle frame payload", 1, walHeader2 + 5, true},
		{"middle frame header", 1, 9, true},
		{"last frame header", -1, 9, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, wal := walFixture(t, 16+13)
			v := openTest(t, dir)
			want, err := allEvents(v, 1)
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			s := scanWAL(wal, 16)
			fi := tc.frame
			if fi < 0 {
				fi = len(s.frames) - 1
			}
			f := s.frames[fi]
			b := append([]byte(nil), wal...)
			b[f.off+tc.at] ^= 0x04
			path := filepath.Join(dir, "org", "1", "wal")
			if err := os.WriteFile(path, b, 0o640); err != nil {
				t.Fatal(err)
			}
			v = openTest(t, dir)
			defer v.Close()
			if _, err := v.Size(1); err == nil {
				t.Fatal("damaged WAL opened")
			}
			var lines []string
			rep, err := v.Repair(1, func(s string) { lines = append(lines, s) })
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Losses) != 1 || rep.Losses[0].First != f.first || rep.Losses[0].Known != tc.wantKnown ||
				tc.wantKnown && rep.Losses[0].Count != f.count {
				t.Fatalf("losses %+v; want events %d+%d known=%v", rep.Losses, f.first, f.count, tc.wantKnown)
			}
			kept, err := os.ReadFile(rep.Quarantine[0])
			if err != nil || !bytes.Equal(kept, b) {
				t.Fatalf("quarantine %s does not keep the WAL as it was: %v", rep.Quarantine[0], err)
			}
			if dmg, err := os.ReadFile(rep.Quarantine[1]); err != nil || !bytes.Contains(b, dmg) || len(dmg) == 0 {
				t.Fatalf("quarantine %s does not keep the damaged bytes: %d bytes, %v", rep.Quarantine[1], len(dmg), err)
			}
			if !strings.Contains(strings.Join(lines, "\n"), "lost: "+rep.Losses[0].String()) {
				t.Fatalf("progress does not name the loss: %q", lines)
			}
			got, err := allEvents(v, 1)
			if err != nil {
				t.Fatal(err)
			}
			wantSize := uint64(len(want))
			if !tc.wantKnown {
				wantSize = f.first
			}
			if uint64(len(got)) != wantSize || rep.Size != wantSize {
				t.Fatalf("after repair %d events (report %d); want %d", len(got), rep.Size, wantSize)
			}
			for i := range got {
				seq := uint64(i)
				lost := seq >= f.first && seq < f.first+f.count
				if lost && (got[i].MsgID != "wal-loss" || got[i].SourceID != 0 || !strings.Contains(got[i].Message, "lost")) {
					t.Fatalf("event %d: %+v; want a placeholder", seq, got[i])
				}
				if !lost && !bytes.Equal(LeafData(&got[i]), LeafData(&want[i])) {
					t.Fatalf("event %d changed by the repair", seq)
				}
			}
			if rep, err := v.Verify(t0ctx(), 1, nil); err != nil || !rep.OK {
				t.Fatalf("verify after repair: %v %+v", err, rep.First)
			}
			fill(t, v, 1, 20) // the log takes appends and seals again
			if rep2, err := v.Repair(1, nil); err != nil || len(rep2.Losses) != 0 {
				t.Fatalf("second repair of an intact log: %+v %v", rep2, err)
			}
		})
	}
}
