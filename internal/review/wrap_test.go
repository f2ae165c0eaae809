package review

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// TestWrap: lines worked by hand with every character one unit wide. Chinese breaks
// between any two characters but never before a comma; English at spaces; a word longer
// than the line is cut. Every character but the spaces broken at is kept — fpdf's
// MultiCell, which the PDF used first, lost "安" of "第2级的安全要求" at its break.
func TestWrap(t *testing.T) {
	one := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
	for _, c := range []struct {
		text  string
		width float64
		want  []string
	}{
		{"网络安全等级保护基本要求", 5, []string{"网络安全等", "级保护基本", "要求"}},
		{"第2级的安全要求，并配合", 5, []string{"第2级的安", "全要求，并", "配合"}},
		{"甲乙丙丁，戊", 4, []string{"甲乙丙", "丁，戊"}},
		{"甲乙丙（丁戊", 4, []string{"甲乙丙", "（丁戊"}},
		{"the bidder signs", 10, []string{"the bidder", "signs"}},
		{"abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"CSL 2016 第23条", 6, []string{"CSL", "2016 第", "23条"}},
		{"短", 5, []string{"短"}},
		{"", 5, nil},
	} {
		got := wrap(c.text, c.width, one)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
		}
		for _, l := range got {
			if one(l) > c.width {
				t.Errorf("wrap(%q): line %q is wider than %v", c.text, l, c.width)
			}
		}
	}
}
