package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/mod/sumdb/note"
)

// ErrReadOnly is returned by every call that would write to a vault
// opened with OpenReadOnly.
var ErrReadOnly = errors.New("vault: opened read-only")

// OpenReadOnly opens an existing vault to read and verify it without
// writing a byte: every file is opened read-only, nothing half-written is
// cut, no block is sealed and no checkpoint signed; what Open would cut or
// refuse is reported by Verify instead. The block size is taken from the
// vault's layout file (opts.BlockBits is ignored). It takes a shared lock,
// so it refuses to run beside a process that has the vault open for
// writing, but several readers may run together.
func OpenReadOnly(dir string, opts Options) (*Vault, error) {
	lb, err := os.ReadFile(filepath.Join(dir, "layout"))
	if err != nil {
		return nil, fmt.Errorf("vault: no vault in %s: %w", dir, err)
	}
	var bits uint
	if _, err := fmt.Sscanf(string(lb), "ciiguard-vault 1\nblock-bits %d\n", &bits); err != nil || bits == 0 || bits > 20 {
		return nil, fmt.Errorf("vault: layout file of %s is %q: not one this version reads", dir, lb)
	}
	opts.BlockBits = bits
	if opts, err = withDefaults(opts); err != nil {
		return nil, err
	}
	lock, err := lockShared(dir)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("vault: read signing key: %w", err)
	}
	skey := strings.TrimSpace(string(kb))
	v := &Vault{dir: dir, opts: opts, logs: map[int64]*Log{}, stopped: map[int64]error{}, stop: make(chan struct{}), lock: lock, readOnly: true}
	if v.signer, err = note.NewSigner(skey); err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("vault: signing key in %s: %w", keyFile, err)
	}
	if v.vkey, err = verifierFromSigner(skey); err != nil {
		closeLock(lock)
		return nil, err
	}
	if v.verifier, err = note.NewVerifier(v.vkey); err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("vault: verifier key: %w", err)
	}
	return v, nil
}

func closeLock(f *os.File) {
	if f != nil {
		_ = f.Close() // a read-only handle: closing cannot lose data
	}
}

// lockShared takes a shared lock on dir/LOCK, opened read-only. A vault
// copied without its LOCK file has no writer to exclude: then no lock.
func lockShared(dir string) (*os.File, error) {
	f, err := os.Open(filepath.Join(dir, "LOCK"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vault: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("vault: lock %s: %w", dir, err)
	}
	return f, nil
}
