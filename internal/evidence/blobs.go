// Package evidence is the capability that keeps evidence files — policies, test reports,
// notices, screenshots — stored once by SHA-256 content hash, so a record that cites
// evidence cites the hash and anyone can check the file is the one cited.
package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Blobs is a content-addressed file store on local disk: <dir>/<2 hex>/<64 hex>. Files are
// written to a temporary name, synced and renamed, so a crash never leaves a partial blob
// under a valid hash.
type Blobs struct{ dir string }

// NewBlobs returns a blob store in dir, creating it.
func NewBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence store %s: %w", dir, err)
	}
	return &Blobs{dir: dir}, nil
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSHA256 reports whether s is a lower-case hex SHA-256.
func ValidSHA256(s string) bool { return shaRE.MatchString(s) }

func (b *Blobs) path(sum string) string { return filepath.Join(b.dir, sum[:2], sum) }

// ErrTooLarge is returned when a file exceeds the size limit.
var ErrTooLarge = errors.New("file is larger than the limit")

// Put stores at most max bytes from r and returns their SHA-256 and size.
func (b *Blobs) Put(r io.Reader, max int64) (string, int64, error) {
	tmp, err := os.CreateTemp(b.dir, ".upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("evidence: create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, fmt.Errorf("evidence: write: %w", err)
	}
	if n > max {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("evidence: sync: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := b.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil // already stored: same bytes, same name
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("evidence: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("evidence: store %s: %w", sum, err)
	}
	return sum, n, nil
}

// Open opens the blob with hash sum.
func (b *Blobs) Open(sum string) (*os.File, error) {
	if !ValidSHA256(sum) {
		return nil, os.ErrNotExist
	}
	return os.Open(b.path(sum))
}
