package problem

import (
	"strings"
	"testing"
)

// TestText holds the shared text check to a hand-written table of what a name field must
// accept and refuse, with the reason a user would read.
func TestText(t *testing.T) {
	zh199 := strings.Repeat("a", 199) + "中"
	cases := []struct {
		name     string
		in       string
		required bool
		max      int
		reason   string // "" when accepted
	}{
		{"empty optional", "", false, 10, ""},
		{"empty required", "", true, 10, "is required"},
		{"ascii at limit", "abcdefghij", true, 10, ""},
		{"ascii over", "abcdefghijk", true, 10, "must be at most 10 characters, not 11"},
		{"chinese counted in characters", strings.Repeat("中", 10), true, 10, ""}, // 30 bytes
		{"chinese over", strings.Repeat("中", 11), true, 10, "must be at most 10 characters, not 11"},
		{"199 ascii plus chinese at 200", zh199, true, 200, ""},
		{"300 chinese over 200", strings.Repeat("网", 300), true, 200, "must be at most 200 characters, not 300"},
		{"nul", "a\x00b", true, 10, "must not contain a NUL character"},
		{"lone continuation byte", "a\x80", true, 10, "is not valid UTF-8 text"},
		{"cut multibyte", "中"[:2], true, 10, "is not valid UTF-8 text"},
		{"overlong encoding", "\xc0\xaf", true, 10, "is not valid UTF-8 text"},
		{"surrogate half", "\xed\xa0\x80", true, 10, "is not valid UTF-8 text"},
		{"replacement char is text", "\uFFFD", true, 10, ""},
	}
	for _, tc := range cases {
		v := &Invalid{}
		ok := v.Text("name", tc.in, tc.required, tc.max)
		got := ""
		if len(v.Fields) > 0 {
			got = v.Fields[0].Reason
		}
		if got != tc.reason || ok != (tc.reason == "") || len(v.Fields) > 1 {
			t.Errorf("%s: ok %v, fields %v; want reason %q", tc.name, ok, v.Fields, tc.reason)
		}
		if len(v.Fields) == 1 && v.Fields[0].Field != "name" {
			t.Errorf("%s: field %q, want name", tc.name, v.Fields[0].Field)
		}
	}
}

// FuzzText checks the text check against an independent oracle: a value is accepted
// exactly when decoding it rune by rune and encoding it again gives the same bytes (valid
// UTF-8), it holds no zero byte, and it decodes to at most max runes.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a", "中文名称", "a\x00", "\xff", "\xed\xa0\x80", strings.Repeat("中", 50), "e\u0301"} {
		f.Add(s, uint8(20))
	}
	f.Fuzz(func(t *testing.T, s string, max uint8) {
		runes := []rune(s)
		valid := string(runes) == s
		noNUL := !strings.Contains(s, "\x00")
		want := valid && noNUL && len(runes) <= int(max)
		v := &Invalid{}
		got := v.Text("f", s, false, int(max))
		if got != want {
			t.Fatalf("Text(%q, max %d) = %v, want %v (valid %v, NUL-free %v, %d runes)", s, max, got, want, valid, noNUL, len(runes))
		}
		if got != (v.Err() == nil) {
			t.Fatalf("Text(%q) reported %v but recorded %v", s, got, v.Fields)
		}
	})
}
