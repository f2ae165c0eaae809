package incidents

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
)

// fontCandidates are where Debian (fonts-wqy-microhei, fonts-wqy-zenhei,
// fonts-droid-fallback), Alpine and RHEL put a CJK TrueType font fpdf can embed. OpenType fonts
// with CFF outlines (Noto Sans CJK) cannot be embedded by fpdf and are not listed.
var fontCandidates = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
}

// pdfConfig is the PDF reports' font, loaded once.
type pdfConfig struct {
	fontPath string // --cjk-font; empty: the first candidate that exists
	once     sync.Once
	font     []byte
	err      error
}

// errNoFont says no CJK font was found; PDF export answers 503 naming the fix.
var errNoFont = errors.New("no CJK TrueType font for PDF reports: install fonts-wqy-microhei or set --cjk-font")

// load returns the font's TrueType bytes (the first face of a collection).
func (c *pdfConfig) load() ([]byte, error) {
	c.once.Do(func() {
		paths := fontCandidates
		if c.fontPath != "" {
			paths = []string{c.fontPath}
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			c.font, c.err = firstFace(b)
			if c.err != nil {
				c.err = fmt.Errorf("font %s: %w", p, c.err)
			}
			return
		}
		c.err = errNoFont
	})
	return c.font, c.err
}

// firstFace returns b when it is a TrueType font, or the first font of a TrueType collection
// (.ttc) rebuilt as a standalone font: its table directory with the tables it points to,
// copied after it. fpdf reads single fonts only.
func firstFace(b []byte) ([]byte, error) {
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
