package stix

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadBundle: the streaming reader yields the objects of testdata/valid/bundle.json
// in order, and refuses each broken bundle naming where it broke.
func TestReadBundle(t *testing.T) {
	in, err := os.ReadFile("testdata/valid/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	id, n, err := ReadBundle(bytes.NewReader(in), func(o Object) error {
		types = append(types, o.ObjectType())
		return nil
	})
	if err != nil || id != "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d" || n != 2 || strings.Join(types, ",") != "indicator,campaign" {
		t.Fatalf("read %s, %d objects %v, err %v", id, n, types, err)
	}
	for _, c := range []struct{ name, in, says string }{
		{"not a bundle", `{"type":"report","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3"}`, `type is "report"`},
		{"no type", `{"id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}`, "type is required"},
		{"bad id", `{"type":"bundle","id":"bundle--x","objects":[]}`, "bundle id"},
		{"second object broken", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"url","id":"url--c1477287-23ac-5971-a010-5c287877fa60","value":"http://a"},{"type":"url"}]}`, "objects[1]"},
		{"cut short", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"url",`, "objects[0]"},
		{"trailing data", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"} {}`, "after the bundle"},
		{"an array", `[]`, "expected"},
	} {
		_, _, err := ReadBundle(strings.NewReader(c.in), func(Object) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.says)
		}
	}
	stop := errors.New("enough")
	_, n, err = ReadBundle(bytes.NewReader(in), func(Object) error { return stop })
	if !errors.Is(err, stop) || n != 0 {
		t.Errorf("fn's error: got %v after %d objects", err, n)
	}
}

// BenchmarkReadBundle reads a bundle of 10,000 indicators as a feed import would.
func BenchmarkReadBundle(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`)
	for i := range 10000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-%012x","created":"2026-03-01T08:00:00.000Z","modified":"2026-03-01T08:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.%d.%d']","pattern_type":"stix","valid_from":"2026-03-01T08:00:00Z"}`, i, i/256%256, i%256)
	}
	buf.WriteString(`]}`)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		_, n, err := ReadBundle(bytes.NewReader(data), func(o Object) error {
			_, err := ParsePattern(o.(*Indicator).Pattern)
			return err
		})
		if err != nil || n != 10000 {
			b.Fatal(n, err)
		}
	}
}

// FuzzReadBundle: any input is read or refused, never a panic.
func FuzzReadBundle(f *testing.F) {
	in, _ := os.ReadFile("testdata/valid/bundle.json")
	f.Add(string(in))
	f.Add(`{"type":"bundle","objects":[{}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = ReadBundle(strings.NewReader(s), func(o Object) error {
			_ = Validate(o)
			return nil
		})
	})
}
