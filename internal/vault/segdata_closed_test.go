package vault

import (
	"errors"
	"os"
	"testing"
)

// TestReadOfAClosedLocalSegmentFails checks that a search still reading a segment of a
// vault without an object store, when the log closes under it (an installation shutting
// down), gets an error, as a read of a closed file does: it must not go looking for the
// segment in an object store there is none of (that dereferenced nil and killed the process).
func TestReadOfAClosedLocalSegmentFails(t *testing.T) {
	path := t.TempDir() + "/seg.dat"
	if err := os.WriteFile(path, make([]byte, 64), 0o600); err != nil {
		t.Fatal(err)
	}
	l := &Log{v: &Vault{}}
	seg := &segment{blocks: []*blockMeta{{off: 0, flen: 64}}}
	d, _, err := l.openSegData(seg, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadAt(make([]byte, 8), 0); err != nil {
		t.Fatalf("read before close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadAt(make([]byte, 8), 0); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read after close: %v, want os.ErrClosed", err)
	}
}
