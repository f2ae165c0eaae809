package appstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// Android's binary XML (AXML), the form AndroidManifest.xml takes inside an APK: a chunk
// of type RES_XML_TYPE holding a string pool, a resource-id map and a flat sequence of
// namespace and element nodes (frameworks/base/libs/androidfw/include/androidfw/
// ResourceTypes.h). This reader takes only what the security review needs and refuses
// anything that does not add up — offsets out of bounds, sizes that do not fit, more
// strings or nodes than MaxAXMLStrings or MaxAXMLNodes — instead of guessing.
const (
	chunkStringPool  = 0x0001
	chunkXML         = 0x0003
	chunkStartNS     = 0x0100
	chunkEndNS       = 0x0101
	chunkStartElem   = 0x0102
	chunkEndElem     = 0x0103
	chunkCDATA       = 0x0104
	chunkResourceMap = 0x0180

	typeReference = 0x01
	typeString    = 0x03
	typeIntDec    = 0x10
	typeIntHex    = 0x11
	typeBoolean   = 0x12

	utf8Flag = 1 << 8

	// MaxAXMLStrings and MaxAXMLNodes bound what a manifest may hold.
	MaxAXMLStrings = 1 << 16
	MaxAXMLNodes   = 1 << 16
	// maxString bounds one string's length in characters.
	maxString = 1 << 14
)

// The framework resource ids of the attributes read, used when an APK's string pool has
// no attribute names (obfuscated builds strip them).
const (
	attrName          = 0x01010003
	attrVersionCode   = 0x0101021b
	attrVersionName   = 0x0101021c
	attrMinSdk        = 0x0101020c
	attrTargetSdk     = 0x01010270
	androidNamespace  = "http://schemas.android.com/apk/res/android"
	errAXMLTruncation = "truncated"
)

// XMLAttr is one attribute of a parsed element. Value is the string form; Int is the
// number for integer and boolean values.
type XMLAttr struct {
	NS, Name string
	ResID    uint32
	Value    string
	Int      int64
	IsInt    bool
}

// XMLElement is one start tag with its depth (the manifest is depth 1).
type XMLElement struct {
	Name  string
	Depth int
	Attrs []XMLAttr
}

// Attr returns the attribute with name (or framework resource id resID) in the android
// namespace or none, and whether it is there.
func (e XMLElement) Attr(name string, resID uint32) (XMLAttr, bool) {
	for _, a := range e.Attrs {
		if (a.ResID != 0 && a.ResID == resID) || (a.Name == name && (a.NS == "" || a.NS == androidNamespace)) {
			return a, true
		}
	}
	return XMLAttr{}, false
}

// AXMLError says why a binary XML document was refused and where.
type AXMLError struct {
	Offset int
	Reason string
}

func (e *AXMLError) Error() string {
	return fmt.Sprintf("binary XML at byte %d: %s", e.Offset, e.Reason)
}

func axmlErr(off int, format string, args ...any) error {
	return &AXMLError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// ParseAXML reads the start tags of a binary XML document in order.
func ParseAXML(b []byte) ([]XMLElement, error) {
	if len(b) < 8 {
		return nil, axmlErr(0, errAXMLTruncation)
	}
	le := binary.LittleEndian
	if t := le.Uint16(b); t != chunkXML {
		return nil, axmlErr(0, "not binary XML (chunk type 0x%04x)", t)
	}
	hdr, size := int(le.Uint16(b[2:])), int(le.Uint32(b[4:]))
	if hdr < 8 || size < hdr || size > len(b) {
		return nil, axmlErr(0, "document size %d does not fit the %d bytes given", size, len(b))
	}
	var (
		strs   []string
		resMap []uint32
		out    []XMLElement
		depth  int
		nodes  int
	)
	str := func(i uint32) string {
		if i == 0xffffffff || int64(i) >= int64(len(strs)) {
			return ""
		}
		return strs[i]
	}
	for off := hdr; off < size; {
		if size-off < 8 {
			return nil, axmlErr(off, errAXMLTruncation)
		}
		typ, chdr, csize := le.Uint16(b[off:]), int(le.Uint16(b[off+2:])), int(le.Uint32(b[off+4:]))
		if chdr < 8 || csize < chdr || csize > size-off {
			return nil, axmlErr(off, "chunk size %d (header %d) does not fit", csize, chdr)
		}
		c := b[off : off+csize]
		if nodes++; nodes > MaxAXMLNodes {
			return nil, axmlErr(off, "more than %d chunks", MaxAXMLNodes)
		}
		switch typ {
		case chunkStringPool:
			if strs != nil {
				return nil, axmlErr(off, "a second string pool")
			}
			var err error
			if strs, err = parseStringPool(c); err != nil {
				return nil, axmlErr(off, "string pool: %v", err)
			}
		case chunkResourceMap:
			n := (csize - chdr) / 4
			resMap = make([]uint32, n)
			for i := range resMap {
				resMap[i] = le.Uint32(c[chdr+4*i:])
			}
		case chunkStartElem:
			if chdr < 16 || csize < chdr+20 {
				return nil, axmlErr(off, "start tag too short")
			}
			ext := c[chdr:]
			nameIdx := le.Uint32(ext[4:])
			attrStart, attrSize, count := int(le.Uint16(ext[8:])), int(le.Uint16(ext[10:])), int(le.Uint16(ext[12:]))
			if attrSize < 20 || attrStart+attrSize*count > len(ext) {
				return nil, axmlErr(off, "attributes do not fit the start tag")
			}
			depth++
			el := XMLElement{Name: str(nameIdx), Depth: depth}
			for i := 0; i < count; i++ {
				a := ext[attrStart+i*attrSize:]
				ns, name, raw := le.Uint32(a), le.Uint32(a[4:]), le.Uint32(a[8:])
				dataType, data := a[15], le.Uint32(a[16:])
				at := XMLAttr{NS: str(ns), Name: str(name)}
				if int64(name) < int64(len(resMap)) {
					at.ResID = resMap[name]
				}
				switch dataType {
				case typeString:
					at.Value = str(data)
				case typeIntDec, typeIntHex:
					at.Int, at.IsInt, at.Value = int64(int32(data)), true, fmt.Sprint(int32(data))
				case typeBoolean:
					at.IsInt = true
					if data != 0 {
						at.Int, at.Value = 1, "true"
					} else {
						at.Value = "false"
					}
				case typeReference:
					at.Value = fmt.Sprintf("@0x%08x", data)
				default:
					at.Value = str(raw)
				}
				el.Attrs = append(el.Attrs, at)
			}
			out = append(out, el)
		case chunkEndElem:
			if depth == 0 {
				return nil, axmlErr(off, "end tag without a start tag")
			}
			depth--
		case chunkStartNS, chunkEndNS, chunkCDATA:
		default:
			// Unknown chunks are skipped by their size, as Android's own parser does.
		}
		off += csize
	}
	if len(out) == 0 {
		return nil, axmlErr(hdr, "no elements")
	}
	return out, nil
}

// parseStringPool reads a string pool chunk c (its header included).
func parseStringPool(c []byte) ([]string, error) {
	le := binary.LittleEndian
	if len(c) < 28 {
		return nil, errors.New(errAXMLTruncation)
	}
	hdr := int(le.Uint16(c[2:]))
	count, flags, start := int(le.Uint32(c[8:])), le.Uint32(c[16:]), int(le.Uint32(c[20:]))
	if count > MaxAXMLStrings {
		return nil, fmt.Errorf("%d strings, more than %d", count, MaxAXMLStrings)
	}
	if hdr < 28 || hdr+4*count > len(c) || start > len(c) || start < hdr+4*count {
		return nil, errors.New("string offsets do not fit")
	}
	out := make([]string, count)
	for i := range out {
		at := start + int(le.Uint32(c[hdr+4*i:]))
		if at < start || at >= len(c) {
			return nil, fmt.Errorf("string %d starts outside the pool", i)
		}
		var err error
		if flags&utf8Flag != 0 {
			out[i], err = utf8String(c[at:])
		} else {
			out[i], err = utf16String(c[at:])
		}
		if err != nil {
			return nil, fmt.Errorf("string %d: %w", i, err)
		}
	}
	return out, nil
}

// utf8String reads a UTF-8 pool entry: the length in characters, then in bytes (each one
// byte, or two with the high bit set on the first), the bytes, a NUL.
func utf8String(b []byte) (string, error) {
	_, n1, ok := len8(b)
	if !ok {
		return "", errors.New(errAXMLTruncation)
	}
	blen, n2, ok := len8(b[n1:])
	if !ok || n1+n2+blen > len(b) || blen > 4*maxString {
		return "", errors.New("length does not fit")
	}
	return string(b[n1+n2 : n1+n2+blen]), nil
}

func len8(b []byte) (int, int, bool) {
	if len(b) < 1 {
		return 0, 0, false
	}
	if b[0]&0x80 == 0 {
		return int(b[0]), 1, true
	}
	if len(b) < 2 {
		return 0, 0, false
	}
	return int(b[0]&0x7f)<<8 | int(b[1]), 2, true
}

// utf16String reads a UTF-16 pool entry: the length in code units (one unit, or two with
// the high bit set on the first), the units, a NUL unit.
func utf16String(b []byte) (string, error) {
	le := binary.LittleEndian
	if len(b) < 2 {
		return "", errors.New(errAXMLTruncation)
	}
	n, at := int(le.Uint16(b)), 2
	if n&0x8000 != 0 {
		if len(b) < 4 {
			return "", errors.New(errAXMLTruncation)
		}
		n, at = (n&0x7fff)<<16|int(le.Uint16(b[2:])), 4
	}
	if n > maxString || at+2*n > len(b) {
		return "", errors.New("length does not fit")
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = le.Uint16(b[at+2*i:])
	}
	return string(utf16.Decode(u)), nil
}
