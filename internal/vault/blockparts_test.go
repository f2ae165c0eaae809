package vault

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// TestVersion1BlocksStayReadable: payloads and index entries written
// before blocks had parts (version 1) still decode, their index entries
// re-encode byte for byte (Verify compares them), and a search on one
// never skips the block for a long number, which version 1 left out of
// its filter.
func TestVersion1BlocksStayReadable(t *testing.T) {
	evs := make([]Event, 64)
	for i := range evs {
		evs[i] = testEvent(i)
		if err := normalize(&evs[i], 1, time.Now()); err != nil {
			t.Fatal(err)
		}
		evs[i].Seq = uint64(i)
	}
	evs[9].Message = "session 73104882 closed"
	old := encodeColumns(evs) // the version 1 payload
	got, err := decodeBlock(old, 1, allCols, 64)
	if err != nil || len(got) != 64 || got[9].Message != evs[9].Message {
		t.Fatalf("version 1 payload: %v, %d events", err, len(got))
	}
	lm := buildMetaLike(evs, nil, 0, 0, []byte{1})
	lm.flen = int64(frameHeader + len(old))
	entry := lm.encode()
	if entry[0] != 1 {
		t.Fatalf("legacy entry written as version %d", entry[0])
	}
	m, err := decodeMeta(entry)
	if err != nil {
		t.Fatal(err)
	}
	if !m.legacy || len(m.parts) != 1 {
		t.Fatalf("version 1 entry: legacy=%v parts=%d", m.legacy, len(m.parts))
	}
	if !bytes.Equal(m.encode(), entry) {
		t.Fatal("version 1 entry does not re-encode byte for byte")
	}
	for q, want := range map[string]bool{"73104882": true, "99999999": true, "nosuchword": false, "session": true} {
		e, err := ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.mayMatch(partView{m, &m.parts[0]}); got != want {
			t.Errorf("legacy block, %q: may match %v, want %v", q, got, want)
		}
	}
	// The same block in the new format: eight parts, every token indexed.
	bm := buildMeta(evs, 0)
	bm.flen = 100
	nm, err := decodeMeta(bm.encode())
	if err != nil {
		t.Fatal(err)
	}
	if nm.legacy || len(nm.parts) != 8 {
		t.Fatalf("version 2 entry: %d parts", len(nm.parts))
	}
	e, _ := ParseQuery("73104882")
	at := slices.Index(hostOrder(evs), 9) / 8 // parts are cut in host order
	for i := range nm.parts {
		if got := e.mayMatch(partView{nm, &nm.parts[i]}); got != (i == at) {
			t.Errorf("part %d: may match %v", i, got)
		}
	}
	parts, err := decodeBlock(encodeBlock(evs), 1, allCols, 64)
	if err != nil || len(parts) != 64 || parts[63].Seq != 63 || parts[9].Message != evs[9].Message {
		t.Fatalf("version 2 payload: %v, %d events", err, len(parts))
	}
}
