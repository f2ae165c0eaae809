package vault

import (
	"errors"
	"testing"
)

// TestReadOnlyRefusesWritesAndWriters checks that a read-only vault refuses
// appends, checkpoints and repairs, that it cannot open beside a writer, and
// that a writer cannot open beside it.
func TestReadOnlyRefusesWritesAndWriters(t *testing.T) {
	dir := t.TempDir()
	v := openTest(t, dir)
	fill(t, v, 1, 20)
	if _, err := OpenReadOnly(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only open beside a writer: %v, want ErrLocked", err)
	}
	v.Close()
	ro, err := OpenReadOnly(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := Open(dir, testOpts); !errors.Is(err, ErrLocked) {
		t.Fatalf("writer beside a reader: %v, want ErrLocked", err)
	}
	ro2, err := OpenReadOnly(dir, Options{})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	ro2.Close()
	if n, err := ro.Size(1); err != nil || n != 20 {
		t.Fatalf("size %d, %v", n, err)
	}
	if _, err := ro.Append(t0ctx(), 1, []Event{{Message: "x"}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("append: %v", err)
	}
	if _, err := ro.Checkpoint(t0ctx(), 1); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("checkpoint: %v", err)
	}
	if _, err := ro.Repair(1, nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("repair: %v", err)
	}
	if rep, err := ro.Verify(t0ctx(), 1, nil); err != nil || !rep.OK || rep.Size != 20 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}
