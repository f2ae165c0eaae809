package vault

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestVerifyFindsEveryDamagedBlockOfASegment damages two blocks of one
// segment (the first and the last of three) and requires verify to name both:
// a damaged block frame must not hide the blocks after it in its segment,
// whether the damage is in the first block's payload or in its header's
// length (then only the index says where the next block starts).
func TestVerifyFindsEveryDamagedBlockOfASegment(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first int // byte of block 0's frame flipped
	}{
		{"payload", frameHeader + 40},
		{"length field", 5},
	} {
		t.Run(tc.name, func(t *testing.T) { verifyTwoDamagedBlocks(t, tc.first) })
	}
}

func verifyTwoDamagedBlocks(t *testing.T, first int) {
	dir := t.TempDir()
	v := openTest(t, dir)
	const org = 1
	fill(t, v, org, 7*16+4) // 7 blocks of 16 in 3 segments of 3 blocks
	if _, err := v.Checkpoint(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	v.Close()
	seg := filepath.Join(dir, "org", "1", segName(0)+".dat")
	dat, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	// The frames of the first segment, from the undamaged bytes.
	var offs []int
	for off := 0; off < len(dat); {
		_, n, err := readFrame(dat[off:], magicBlock)
		if err != nil {
			t.Fatalf("fixture frame at %d: %v", off, err)
		}
		offs = append(offs, off)
		off += n
	}
	if len(offs) != 3 {
		t.Fatalf("fixture segment holds %d blocks, want 3", len(offs))
	}
	dat[offs[0]+first] ^= 0x20
	dat[offs[2]+frameHeader+40] ^= 0x20
	if err := os.WriteFile(seg, dat, 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(dir, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rep, err := ro.Verify(context.Background(), org, nil)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []int64
	for _, p := range rep.Problems {
		if p.Segment != "" && !slices.Contains(blocks, p.Block) {
			blocks = append(blocks, p.Block)
		}
	}
	if !slices.Equal(blocks, []int64{0, 2}) {
		t.Fatalf("damaged blocks named: %v, want [0 2]; problems: %+v", blocks, rep.Problems)
	}
	// Block 1, undamaged, is verified: its 16 events count.
	if rep.Events != 7*16+4-2*16 {
		t.Fatalf("events verified: %d, want %d (all but the two damaged blocks)", rep.Events, 7*16+4-2*16)
	}
}
