// Package cjkfont finds the CJK TrueType font that the PDF documents of ciiguard embed
// (incident reports, assessment reports), so that Chinese is drawn and can be extracted
// again. One font is configured per installation with the --cjk-font flag, which any
// module that renders PDFs declares through Flag; the flag is declared once however many
// modules ask.
package cjkfont

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
)

// Candidates are where Debian (fonts-wqy-microhei, fonts-wqy-zenhei,
// fonts-droid-fallback), Alpine and RHEL put a CJK TrueType font fpdf can embed. OpenType
// fonts with CFF outlines (Noto Sans CJK) cannot be embedded by fpdf and are not listed.
var Candidates = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
}

// ErrNoFont says no CJK font was found; a PDF export answers 503 naming the fix.
var ErrNoFont = errors.New("no CJK TrueType font for PDF reports: install fonts-wqy-microhei or set --cjk-font")

// Loader loads a font once: Path when set, else the first of Candidates that exists.
type Loader struct {
	// Path is the --cjk-font value; empty means the first candidate that exists. Set it
	// before the first Load.
	Path string
	once sync.Once
	font []byte
	err  error
}

// Default is the installation's font, configured by the --cjk-font flag.
var Default = &Loader{}

// Flag declares --cjk-font on fs, bound to Default, unless fs already has it: every
// module that renders PDFs calls it from its Flags.
func Flag(fs *flag.FlagSet) {
	if fs.Lookup("cjk-font") != nil {
		return
	}
	fs.StringVar(&Default.Path, "cjk-font", "", "TrueType font (.ttf, or .ttc: the first face) embedded in PDF reports; empty: the first of the usual Debian, Alpine and RHEL paths of WenQuanYi Micro Hei / Zen Hei and Droid Sans Fallback")
}

// Load returns the font's TrueType bytes (the first face of a collection), or ErrNoFont.
func (l *Loader) Load() ([]byte, error) {
	l.once.Do(func() {
		paths := Candidates
		if l.Path != "" {
			paths = []string{l.Path}
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			l.font, l.err = FirstFace(b)
			if l.err != nil {
				l.err = fmt.Errorf("font %s: %w", p, l.err)
			}
			return
		}
		l.err = ErrNoFont
	})
	return l.font, l.err
}

// FirstFace returns b when it is a TrueType font, or the first font of a TrueType
// collection (.ttc) rebuilt as a standalone font: its table directory with the tables it
// points to, copied after it. fpdf reads single fonts only.
func FirstFace(b []byte) ([]byte, error) {
	if len(b) < 12 {
		return nil, errors.New("too short to be a font")
	}
	if string(b[:4]) != "ttcf" {
		return b, nil
	}
	if binary.BigEndian.Uint32(b[8:12]) == 0 || len(b) < 16 {
		return nil, errors.New("font collection without fonts")
	}
	off := int(binary.BigEndian.Uint32(b[12:16]))
	if off+12 > len(b) {
		return nil, errors.New("font collection: first font out of range")
	}
	n := int(binary.BigEndian.Uint16(b[off+4 : off+6]))
	dirLen := 12 + 16*n
	if off+dirLen > len(b) {
		return nil, errors.New("font collection: table directory out of range")
	}
	out := make([]byte, dirLen, len(b))
	copy(out, b[off:off+dirLen])
	for i := range n {
		rec := out[12+16*i : 12+16*(i+1)]
		tOff, tLen := int(binary.BigEndian.Uint32(rec[8:12])), int(binary.BigEndian.Uint32(rec[12:16]))
		if tOff < 0 || tLen < 0 || tOff+tLen > len(b) {
			return nil, fmt.Errorf("font collection: table %q out of range", rec[:4])
		}
		binary.BigEndian.PutUint32(rec[8:12], uint32(len(out)))
		out = append(out, b[tOff:tOff+tLen]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
