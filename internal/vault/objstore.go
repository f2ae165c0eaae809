package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ObjectStore keeps the vault's sealed data outside the node: segments,
// their indexes, block roots and checkpoints (see the package comment,
// "Object storage"). Keys are slash-separated paths relative to the store's
// own root or prefix. Implementations must be safe for concurrent use.
type ObjectStore interface {
	// Put stores size bytes from r under key. With a non-zero retainUntil
	// the object is written once and locked (S3 Object Lock, compliance
	// mode) until then: Put fails with ErrObjectExists if key exists, and
	// nobody can delete or replace the stored version before retainUntil.
	// A zero retainUntil writes an unlocked object, replacing any earlier.
	Put(ctx context.Context, key string, r io.Reader, size int64, retainUntil time.Time) error
	// Get returns the whole object; ErrObjectNotFound if there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetRange returns n bytes from offset off; io.EOF (wrapped) when the
	// object is shorter.
	GetRange(ctx context.Context, key string, off, n int64) ([]byte, error)
	// List returns the objects whose keys start with prefix, by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Delete removes the object with every stored version of it. It fails —
	// never silently — while any version is locked; the error carries the
	// store's answer.
	Delete(ctx context.Context, key string) error
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key  string
	Size int64
}

var (
	// ErrObjectNotFound is returned by Get for a missing key.
	ErrObjectNotFound = errors.New("object not found")
	// ErrObjectExists is returned by a locked Put whose key exists.
	ErrObjectExists = errors.New("object exists")
)

// DirStore is an ObjectStore in a local directory, one file per key. It
// cannot lock anything — whoever may write the directory may delete the
// files — so it serves tests and a mounted file system; only an S3 store
// with Object Lock keeps an administrator from removing logs.
type DirStore struct{ Root string }

func (d DirStore) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("object key %q: not a relative path", key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

// Put implements ObjectStore.
func (d DirStore) Put(_ context.Context, key string, r io.Reader, size int64, retainUntil time.Time) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if !retainUntil.IsZero() {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("put %s: %w", key, ErrObjectExists)
		}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, size))
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if int64(len(b)) != size {
		return fmt.Errorf("put %s: read %d of %d bytes", key, len(b), size)
	}
	if err := writeFileSync(p+".tmp", b); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get implements ObjectStore.
func (d DirStore) Get(_ context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", key, ErrObjectNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return b, nil
}

// GetRange implements ObjectStore.
func (d DirStore) GetRange(_ context.Context, key string, off, n int64) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", key, ErrObjectNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer f.Close()
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("get %s at %d+%d: %w", key, off, n, err)
	}
	return buf, nil
}

// List implements ObjectStore.
func (d DirStore) List(_ context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := filepath.WalkDir(d.Root, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() || strings.HasSuffix(p, ".tmp") {
			return nil
		}
		rel, err := filepath.Rel(d.Root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: fi.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete implements ObjectStore.
func (d DirStore) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
