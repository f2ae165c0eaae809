package audit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"ciiguard/internal/audit"
)

type rec struct {
	Name string `json:"name"`
}

// TestDigestOfNoRecord checks that every spelling of "no record" digests to "" and a record
// to the SHA-256 of its JSON, computed here by hand.
func TestDigestOfNoRecord(t *testing.T) {
	sum := sha256.Sum256([]byte(`{"name":"a"}`))
	want := hex.EncodeToString(sum[:])
	var nilMap map[string]int
	var nilSlice []rec
	cases := []struct {
		name   string
		record any
		want   string
	}{
		{"nil", nil, ""},
		{"nil pointer", (*rec)(nil), ""},
		{"nil map", nilMap, ""},
		{"nil slice", nilSlice, ""},
		{"record", rec{"a"}, want},
		{"pointer to record", &rec{"a"}, want},
		{"empty record", rec{}, hexSum(`{"name":""}`)},
	}
	for _, c := range cases {
		if got := audit.Digest(c.record); got != c.want {
			t.Errorf("%s: Digest = %q, want %q", c.name, got, c.want)
		}
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
