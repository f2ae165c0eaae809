package incidents

import (
	"testing"
	"time"
)

// FuzzParseChinaTime: whatever a form or API client sends as a time, parsing never panics,
// and what it accepts is a whole minute that prints back in China time to the same minute.
func FuzzParseChinaTime(f *testing.F) {
	for _, s := range []string{"2026-12-01T09:00", "2026-12-01 09:00", "2026-12-01T09:00:59", "2026-12-01T01:00:00Z", "2026-02-30T09:00", "", "９:００", "2026-12-01T24:00", "+99999-01-01T00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := ParseChinaTime(s)
		if !ok {
			return
		}
		if tm.Second() != 0 || tm.Nanosecond() != 0 {
			t.Fatalf("%q parsed to %v, not a whole minute", s, tm)
		}
		back, ok := ParseChinaTime(tm.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04"))
		if !ok || !back.Equal(tm) {
			t.Fatalf("%q → %v → %v", s, tm, back)
		}
	})
}

// TestParseChinaTime: a person's time is China time; an API client's RFC 3339 keeps its zone.
func TestParseChinaTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		utc  string
		fine bool
	}{
		{"2026-12-01T09:00", "2026-12-01T01:00:00Z", true},
		{"2026-12-01 00:30", "2026-11-30T16:30:00Z", true},
		{"2026-12-01T09:00:59", "2026-12-01T01:00:00Z", true},
		{"2026-12-01T09:00:00+08:00", "2026-12-01T01:00:00Z", true},
		{"2026-12-01T01:00:00Z", "2026-12-01T01:00:00Z", true},
		{"2026-02-30T09:00", "", false},
		{"yesterday", "", false},
	} {
		got, ok := ParseChinaTime(c.in)
		if ok != c.fine || (ok && got.UTC().Format(time.RFC3339) != c.utc) {
			t.Errorf("%q: %v %v, want %s %v", c.in, got.UTC(), ok, c.utc, c.fine)
		}
	}
}
