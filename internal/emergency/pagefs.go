package emergency

import (
	"bytes"
	"io"
	"io/fs"
	"strings"
	"time"
)

// pageFS serves the embedded files with templates/shared.html appended to every page
// template (templates/page_*.html): the web kernel parses each page on its own, and
// several of this capability's pages show the same parts (a list of systems, a plan's
// state, the systems' checkboxes).
type pageFS struct{ fs.FS }

func (p pageFS) Open(name string) (fs.File, error) {
	if !strings.HasPrefix(name, "templates/page_") {
		return p.FS.Open(name)
	}
	page, err := fs.ReadFile(p.FS, name)
	if err != nil {
		return nil, err
	}
	shared, err := fs.ReadFile(p.FS, "templates/shared.html")
	if err != nil {
		return nil, err
	}
	b := append(append(page, '\n'), shared...)
	return &memFile{Reader: bytes.NewReader(b), name: name[strings.LastIndex(name, "/")+1:], size: int64(len(b))}, nil
}

// memFile is a file read from memory.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Size() int64                { return f.size }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }

var _ io.ReaderAt = (*memFile)(nil)
