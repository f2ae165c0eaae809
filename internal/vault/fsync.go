package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for fsync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

func truncatePath(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) && size == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s to cut torn tail: %w", filepath.Base(path), err)
	}
	defer f.Close()
	if err := truncateSync(f, size); err != nil {
		return fmt.Errorf("cut torn tail of %s: %w", filepath.Base(path), err)
	}
	return nil
}
