package cjkfont_test

import (
	"bytes"
	"testing"

	"ciiguard/internal/kernel/cjkfont"
)

// TestFirstFace: a TrueType collection's first face is rebuilt as a standalone font whose
// tables are those of the collection (checked on a hand-made two-table collection).
func TestFirstFace(t *testing.T) {
	// ttcf header (1 font at offset 16), then an offset table with two tables: "AAAA" (3
	// bytes "abc") and "BBBB" (4 bytes "wxyz"), stored after the directory.
	var b []byte
	be32 := func(v uint32) { b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)) }
	be16 := func(v uint16) { b = append(b, byte(v>>8), byte(v)) }
	b = append(b, "ttcf"...)
	be32(0x00010000)
	be32(1)
	be32(16)
	be32(0x00010000)
	be16(2)
	be16(32)
	be16(1)
	be16(0)
	dataAt := uint32(16 + 12 + 32)
	b = append(b, "AAAA"...)
	be32(0)
	be32(dataAt)
	be32(3)
	b = append(b, "BBBB"...)
	be32(0)
	be32(dataAt + 4)
	be32(4)
	b = append(b, "abc\x00wxyz"...)
	out, err := cjkfont.FirstFace(b)
	if err != nil {
		t.Fatal(err)
	}
	// Standalone: directory (12+32 bytes), then "abc" padded to 4, then "wxyz".
	want := append(append([]byte{}, b[16:16+12+32]...), "abc\x00wxyz"...)
	want[12+8], want[12+9], want[12+10], want[12+11] = 0, 0, 0, 44
	want[28+8], want[28+9], want[28+10], want[28+11] = 0, 0, 0, 48
	if !bytes.Equal(out, want) {
		t.Errorf("rebuilt font\n%q\nwant\n%q", out, want)
	}
	if _, err := cjkfont.FirstFace([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\xff\xff")); err == nil {
		t.Error("a collection pointing outside the file was accepted")
	}
}
