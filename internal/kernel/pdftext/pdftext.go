// Package pdftext breaks text into lines that fit a width in an fpdf document, for the PDFs
// of every capability. fpdf v0.9.0's own breaker (MultiCell, SplitText) treats the place
// where it breaks Chinese text, which has no spaces, as a space and drops the character
// there; the lines made here keep every character but the spaces broken at.
package pdftext

import (
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Punctuation that may not begin a line (closing marks, commas, stops) and that may not end
// one (opening marks), after the line-breaking rules of Chinese typesetting (避头尾).
const (
	noLineStart = "，。、；：！？）》」』】〕”’,.;:!?)]}%"
	noLineEnd   = "（《「『【〔“‘([{"
)

// Wrap breaks text into lines no wider than width as measure measures them (fpdf's
// GetStringWidth at the font in use). Each explicit line break ("\n", "\r\n" or "\r")
// starts a new line. A line breaks at a space, which is dropped, or between two characters
// of which one is a CJK character, never before closing punctuation nor after opening
// punctuation; a word wider than the line is cut where it must be, and a width narrower
// than one glyph gives one glyph a line. White space at the end of a line is dropped; every
// other character is kept (a byte that is not UTF-8 becomes U+FFFD). Empty text has no
// lines.
func Wrap(text string, width float64, measure func(string) float64) []string {
	if text == "" {
		return nil
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = wrapPara(lines, []rune(para), width, measure)
	}
	return lines
}

// wrapPara appends the lines of one paragraph (text without line breaks) to lines; an empty
// paragraph is one empty line.
func wrapPara(lines []string, rs []rune, width float64, measure func(string) float64) []string {
	if len(rs) == 0 {
		return append(lines, "")
	}
	start := 0
	for start < len(rs) {
		// brk is the last place the line may break: before rs[brk].
		brk, w, i := -1, 0.0, start
		for ; i < len(rs); i++ {
			if i > start && canBreak(rs[i-1], rs[i]) {
				brk = i
			}
			w += measure(string(rs[i]))
			// i > start: a line holds at least one character, so the loop ends however
			// narrow the width.
			if w > width && i > start {
				break
			}
		}
		if i == len(rs) {
			return append(lines, strings.TrimRightFunc(string(rs[start:]), unicode.IsSpace))
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

// Para writes text at the current position in lines of height h, aligned by align ("L",
// "C" or "R") between the current X and the right margin, in place of fpdf's MultiCell.
// Each line starts at the X the paragraph started at, and its text fits inside the cell's
// padding as MultiCell's does; the position ends at the left margin below the last line
// (empty text writes nothing and leaves it). fpdf's automatic page break applies between
// lines.
func Para(p *fpdf.Fpdf, text string, h float64, align string) {
	x := p.GetX()
	pageW, _ := p.GetPageSize()
	_, _, right, _ := p.GetMargins()
	width := pageW - right - x
	for _, l := range Wrap(text, width-2*p.GetCellMargin(), p.GetStringWidth) {
		p.SetX(x)
		p.CellFormat(width, h, l, "", 1, align, false, 0, "")
	}
}
