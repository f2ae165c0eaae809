package web

import "testing"

// TestFormatNum checks counts against figures written by hand as a Chinese and an English
// reader write them.
func TestFormatNum(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{LangEN, 8600000, "8,600,000"},
		{LangZH, 8600000, "860万"},
		{LangZH, 120000000, "1.2亿"},
		{LangZH, 12345, "12,345"},
		{LangZH, 15000, "1.5万"},
		{LangEN, 999, "999"},
		{LangEN, 1000, "1,000"},
		{LangEN, -1234567, "-1,234,567"},
		{LangZH, 0, "0"},
	} {
		if got := FormatNum(c.lang, c.n); got != c.want {
			t.Errorf("FormatNum(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// TestFormatSize checks sizes in MiB against values worked out by hand.
func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{1 << 20, "1.0 MiB"}, {25 << 20, "25.0 MiB"}, {3*(1<<20) + (1 << 19), "3.5 MiB"},
	} {
		if got := FormatSize(c.n); got != c.want {
			t.Errorf("FormatSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestViewSizeInChinese: below one KiB a Chinese page writes the unit out (字节), as a
// Chinese reader would, instead of the letter B.
func TestViewSizeInChinese(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{{LangZH, 27, "27 字节"}, {LangEN, 27, "27 B"}, {LangZH, 1536, "1.5 KiB"}, {LangZH, 50 << 20, "50.0 MiB"}} {
		if got := (&View{Lang: c.lang}).Size(c.n); got != c.want {
			t.Errorf("Size(%d) in %s = %q, want %q", c.n, c.lang, got, c.want)
		}
	}
}
