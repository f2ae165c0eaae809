package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrLocked is returned by Open when another process has the vault open: two writers
// would each run crash recovery and cut off what the other is appending.
var ErrLocked = errors.New("vault: another process has this vault open (stop the server, or work on a copy)")

// lockDir takes an exclusive advisory lock on dir/LOCK for the life of the process's
// handle; the kernel releases it if the process dies, so a crash never leaves it stuck.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("vault: lock %s: %w", dir, err)
	}
	return f, nil
}
