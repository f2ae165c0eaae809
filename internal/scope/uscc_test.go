package scope

import (
	"strings"
	"testing"
)

func TestValidateUSCC(t *testing.T) {
	cases := []struct {
		name, code string
		pos        int    // expected error position; -1 for a valid code
		reason     string // part of the reason
	}{
		{"demo code", DemoUSCC, -1, ""},
		{"published example", "91350100M000100Y43", -1, ""},
		{"state-owned company", "91110000600037341L", -1, ""},
		{"kernel placeholder", "91110000MA00000012", 17, "organisation code"},
		{"wrong final check", DemoUSCC[:17] + "0", 18, "check character"},
		{"too short", "9111000060003734", 0, "18 characters"},
		{"too long", DemoUSCC + "1", 0, "18 characters"},
		{"letter I not allowed", "91110000MA01GID87C", 14, "not allowed"},
		{"lower case", strings.ToLower(DemoUSCC), 9, "not allowed"},
		{"letter in division code", "9111A000MA01GRD87C", 5, "administrative division"},
		{"transposed organisation code", "91110000MA01GDR87C", 17, "organisation code"},
		{"full-width digit", "９1110000MA01GRD87C", 1, "not allowed"},
		{"empty", "", 0, "18 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateUSCC(c.code)
			if c.pos < 0 {
				if err != nil {
					t.Fatalf("%s: %v, want valid", c.code, err)
				}
				return
			}
			ue, ok := err.(*USCCError)
			if !ok {
				t.Fatalf("%s: error %v, want a *USCCError", c.code, err)
			}
			if ue.Position != c.pos || !strings.Contains(ue.Reason, c.reason) {
				t.Fatalf("%s: position %d %q, want position %d with %q", c.code, ue.Position, ue.Reason, c.pos, c.reason)
			}
		})
	}
}

func TestCompleteUSCCRoundTrip(t *testing.T) {
	for _, prefix := range []string{"91110000MA01GRD8", "12100000400000000"[:16], "52440300MJL00000", "93330100MA2AAAAA"} {
		code := CompleteUSCC(prefix)
		if err := ValidateUSCC(code); err != nil {
			t.Errorf("CompleteUSCC(%s) = %s: %v", prefix, code, err)
		}
	}
}

// FuzzUSCC checks that the validator never panics and that every code it accepts has both
// check characters right and a single changed character is always caught.
func FuzzUSCC(f *testing.F) {
	for _, s := range []string{DemoUSCC, "91350100M000100Y43", "", "91110000MA00000012", "ＡＢＣ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateUSCC(s) != nil || len(s) != 18 {
			return
		}
		if CompleteUSCC(s[:16]) != s {
			t.Fatalf("accepted %q but its check characters recompute to %q", s, CompleteUSCC(s[:16]))
		}
		for i := 0; i < 18; i++ {
			mut := []byte(s)
			mut[i] = usccChars[(strings.IndexByte(usccChars, s[i])+1)%len(usccChars)]
			if ValidateUSCC(string(mut)) == nil {
				t.Fatalf("accepted %q and also %q (character %d changed)", s, mut, i+1)
			}
		}
	})
}
