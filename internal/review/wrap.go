package review

import (
	"strings"
	"unicode"
)

// Punctuation that may not begin a line (closing marks, commas, stops) and that may not end
// one (opening marks), after the line-breaking rules of Chinese typesetting (避头尾).
const (
	noLineStart = "，。、；：！？）》」』】〕”’,.;:!?)]}%"
	noLineEnd   = "（《「『【〔“‘([{"
)

// wrap breaks text into lines no wider than width as measure measures them. A line breaks
// at a space (which is dropped) or between two characters of which one is a CJK
// character, never before closing punctuation nor after opening punctuation; a word wider
// than the line is cut where it must be. Every other character is kept: joining the lines
// gives the text back but the spaces broken at.
func wrap(text string, width float64, measure func(string) float64) []string {
	rs := []rune(text)
	var lines []string
	start := 0
	for start < len(rs) {
		// brk is the last place the line may break: before rs[brk].
		brk, w, i := -1, 0.0, start
		for ; i < len(rs); i++ {
			if i > start && canBreak(rs[i-1], rs[i]) {
				brk = i
			}
			w += measure(string(rs[i]))
			if w > width && i > start {
				break
			}
		}
		if i == len(rs) {
			lines = append(lines, strings.TrimRightFunc(string(rs[start:]), unicode.IsSpace))
			break
		}
		if brk <= start {
			brk = i // nowhere to break: cut the word
		}
		lines = append(lines, strings.TrimRightFunc(string(rs[start:brk]), unicode.IsSpace))
		start = brk
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
	}
	return lines
}

// canBreak reports whether a line may break between a and b.
func canBreak(a, b rune) bool {
	switch {
	case strings.ContainsRune(noLineStart, b), strings.ContainsRune(noLineEnd, a):
		return false
	case b == ' ' || a == ' ':
		return a != ' ' || b != ' '
	}
	return cjk(a) || cjk(b)
}

// cjk reports whether r is a Han character, kana, or CJK or full-width punctuation, between
// which Chinese text breaks without a space.
func cjk(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}
