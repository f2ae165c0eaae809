package vault

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestBundleLinesCannotBeDroppedReorderedOrDuplicated takes a verified bundle
// of 50 events and, for every event line, drops it, repeats it, and swaps it
// with its neighbour — each time also correcting the end record's plain
// count, as an attacker would — and edits the header's query; verify-bundle
// must refuse every one. Before the end record was signed, dropping a line
// and lowering the count passed (the outside test: 3 of 3).
func TestBundleLinesCannotBeDroppedReorderedOrDuplicated(t *testing.T) {
	v := openTest(t, t.TempDir())
	defer v.Close()
	fill(t, v, 2, 150)
	var buf bytes.Buffer
	if err := v.ExportBundle(t0ctx(), 2, Query{Expr: "app:vpn"}, &buf); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBundle(bytes.NewReader(buf.Bytes()), v.PublicKey()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	n := len(lines) - 2 // event lines
	if n != 50 {
		t.Fatalf("%d event lines, want 50", n)
	}
	recount := func(l []string, events int) []string {
		end := l[len(l)-1]
		end = strings.Replace(end, fmt.Sprintf(`"events":%d`, n), fmt.Sprintf(`"events":%d`, events), 1)
		return append(append([]string(nil), l[:len(l)-1]...), end)
	}
	tampered := 0
	check := func(what string, l []string) {
		t.Helper()
		tampered++
		if _, err := VerifyBundle(strings.NewReader(strings.Join(l, "\n")+"\n"), v.PublicKey()); err == nil {
			t.Errorf("%s: verify-bundle accepted it", what)
		}
	}
	for i := 1; i <= n; i++ {
		drop := append(append([]string(nil), lines[:i]...), lines[i+1:]...)
		check(fmt.Sprintf("line %d dropped", i+1), recount(drop, n-1))
		dup := append(append(append([]string(nil), lines[:i+1]...), lines[i]), lines[i+1:]...)
		check(fmt.Sprintf("line %d repeated", i+1), recount(dup, n+1))
		if i < n {
			sw := append([]string(nil), lines...)
			sw[i], sw[i+1] = sw[i+1], sw[i]
			check(fmt.Sprintf("lines %d and %d swapped", i+1, i+2), sw)
		}
	}
	hdr := append([]string(nil), lines...)
	hdr[0] = strings.Replace(hdr[0], `"query":"app:vpn"`, `"query":"app:sshd"`, 1)
	check("header query edited", hdr)
	t.Logf("%d tampered bundles, all refused", tampered)
}
