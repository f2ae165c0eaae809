package pdftext

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"ciiguard/internal/kernel/cjkfont"
)

// one measures every character one unit wide, so that the lines below can be worked by hand.
func one(s string) float64 { return float64(utf8.RuneCountInString(s)) }

// TestWrap: lines worked by hand with every character one unit wide. Chinese breaks between
// any two characters but never before a comma nor after an opening bracket; English at
// spaces; a word longer than the line is cut; an explicit line break always starts a line.
// Every character but the spaces broken at is kept: fpdf's MultiCell, which the bid annex
// and the incident reports used first, lost "安" of "第2级的安全要求" at its break.
func TestWrap(t *testing.T) {
	for _, c := range []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"Chinese", "网络安全等级保护基本要求", 5, []string{"网络安全等", "级保护基本", "要求"}},
		{"Chinese with a digit", "第2级的安全要求，并配合", 5, []string{"第2级的安", "全要求，并", "配合"}},
		{"no comma begins a line", "甲乙丙丁，戊", 4, []string{"甲乙丙", "丁，戊"}},
		{"no bracket ends a line", "甲乙丙（丁戊", 4, []string{"甲乙丙", "（丁戊"}},
		{"English at spaces", "the bidder signs", 10, []string{"the bidder", "signs"}},
		{"a long word is cut", "abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"mixed", "CSL 2016 第23条", 6, []string{"CSL", "2016 第", "23条"}},
		{"Latin word inside Chinese", "利用VPN网关漏洞", 5, []string{"利用VPN", "网关漏洞"}},
		{"Latin word kept whole", "经CVE-2026-1攻击", 11, []string{"经CVE-2026-1", "攻击"}},
		{"runs of spaces", "ab    cd", 3, []string{"ab", "cd"}},
		{"explicit line breaks", "甲乙\n丙丁戊己\r\n\r庚", 3, []string{"甲乙", "丙丁戊", "己", "", "庚"}},
		{"trailing line break", "甲\n", 3, []string{"甲", ""}},
		{"short", "短", 5, []string{"短"}},
		{"empty", "", 5, nil},
		{"narrower than a glyph", "甲乙 c", 0.5, []string{"甲", "乙", "c"}},
		{"no width", "甲乙", 0, []string{"甲", "乙"}},
		{"negative width", "ab", -3, []string{"a", "b"}},
		{"unbreakable punctuation", "。。。。", 2, []string{"。。", "。。"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Wrap(c.text, c.width, one)
			if !slices.Equal(got, c.want) {
				t.Errorf("Wrap(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
			}
			for _, l := range got {
				if one(l) > max(c.width, 1) {
					t.Errorf("Wrap(%q): line %q is wider than %v", c.text, l, c.width)
				}
			}
		})
	}
}

// FuzzWrap: whatever the text and width, Wrap ends, every line but a one-character one fits
// the width, no line holds a line break, and the lines hold the text's characters in order:
// only white space may be dropped, and nothing is added (a byte that is not UTF-8 becomes
// U+FFFD).
func FuzzWrap(f *testing.F) {
	f.Add("网络安全等级保护基本要求，第2级的安全要求（GB/T 22239-2019）", 7.5)
	f.Add("the bidder signs the annex\nand returns it", 4.0)
	f.Add("　\t 甲\r\n\n乙。。。（", 0.1)
	f.Add("", 3.0)
	f.Add("abc", math.NaN())
	f.Add("ab cd", math.Inf(1))
	f.Fuzz(func(t *testing.T, text string, width float64) {
		// Chinese twice as wide as the rest, as in the CJK font; spaces narrower.
		measure := func(s string) float64 {
			w := 0.0
			for _, r := range s {
				switch {
				case cjk(r):
					w += 2
				case r == ' ':
					w += 0.5
				default:
					w++
				}
			}
			return w
		}
		lines := Wrap(text, width, measure)
		// Bytes that are not UTF-8 come out as U+FFFD, one for each, as Go converts them.
		text = string([]rune(text))
		for _, l := range lines {
			if strings.ContainsAny(l, "\r\n") {
				t.Fatalf("line %q holds a line break", l)
			}
			if utf8.RuneCountInString(l) > 1 && measure(l) > width {
				t.Fatalf("line %q (%v) is wider than %v", l, measure(l), width)
			}
		}
		noSpace := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		if got, want := noSpace(strings.Join(lines, "")), noSpace(text); got != want {
			t.Fatalf("Wrap(%q, %v) = %q: characters lost or added (%q, want %q)", text, width, lines, got, want)
		}
	})
}

// TestPara writes an indented Chinese paragraph and a short centred one into an A4 PDF with
// the CJK font and reads it back with pdftotext, an independent reader: the text is whole
// once white space is taken out, it spans several lines, and no word's box (-bbox, in
// points) leaves the space between the paragraph's X and the right margin.
func TestPara(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing in CI: scripts/install-test-deps.sh installs poppler-utils")
		}
		t.Skip("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
	}
	font, err := (&cjkfont.Loader{}).Load()
	if err != nil {
		t.Skipf("no CJK font (scripts/install-test-deps.sh installs fonts-wqy-microhei): %v", err)
	}
	const long = "攻击者利用VPN网关的未修补漏洞CVE-2026-12345进入内网，横向移动至SCADA历史数据库服务器并部署勒索软件，导致主要功能中断二十分钟，约一百二十万人的个人信息疑似泄露。"
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("cjk", "", font)
	p.SetMargins(20, 20, 30)
	p.AddPage()
	p.SetFont("cjk", "", 12)
	Para(p, "标题居中", 8, "C")
	p.SetX(50)
	Para(p, long, 6, "L")
	if err := p.Error(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "para.pdf")
	if err := p.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if text := strings.Join(strings.Fields(string(out)), ""); !strings.Contains(text, "标题居中"+long) {
		t.Errorf("the PDF lacks the paragraph whole; pdftotext read:\n%s", out)
	}
	if n := len(strings.Fields(string(out))); n < 4 { // the title and three lines or more
		t.Errorf("the paragraph took %d lines, want it wrapped over several:\n%s", n, out)
	}
	box, err := exec.Command("pdftotext", "-enc", "UTF-8", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	const mm = 72 / 25.4
	word := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`)
	words := word.FindAllStringSubmatch(string(box), -1)
	if len(words) == 0 {
		t.Fatalf("pdftotext -bbox found no words:\n%s", box)
	}
	for _, w := range words {
		xMin, _ := strconv.ParseFloat(w[1], 64)
		xMax, _ := strconv.ParseFloat(w[2], 64)
		if w[3] != "标题居中" && xMin < 50*mm-0.5 {
			t.Errorf("%q starts at %.1f mm, left of the paragraph's X (50 mm)", w[3], xMin/mm)
		}
		if xMax > (210-30)*mm+0.5 {
			t.Errorf("%q ends at %.1f mm, into the right margin (180 mm)", w[3], xMax/mm)
		}
	}
}
