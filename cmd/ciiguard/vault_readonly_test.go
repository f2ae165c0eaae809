package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// snapshot records every file under dir: its bytes' digest, size, mode and mtime.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[p] = fmt.Sprintf("dir %v %v", st.Mode(), st.ModTime().UnixNano())
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%x %d %v %v", sha256.Sum256(b), len(b), st.Mode(), st.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVaultVerifyIsReadOnly leaves what a crash and damage leave — an incomplete last WAL
// frame, a torn roots tail, an unfinished checkpoint, a damaged index entry, a damaged WAL
// frame in a second organisation — and requires `ciiguard vault verify` (and pubkey,
// search, proof) to report the damage while every file's bytes, mode and mtime, and the
// set of files, stay as they were. Before, verify opened the vault for writing: it
// rewrote the WAL, cut the torn tails and removed the unfinished checkpoint.
func TestVaultVerifyIsReadOnly(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "vault")
	v, err := vault.Open(dir, vault.Options{BlockBits: 4, SegmentBlocks: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for org := int64(1); org <= 2; org++ {
		for b := range 8 {
			evs := make([]vault.Event, 5)
			for i := range evs {
				evs[i] = vault.Event{Host: "fw1", Message: fmt.Sprintf("org %d batch %d event %d", org, b, i)}
			}
			if _, err := v.Append(ctx, org, evs); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := v.Checkpoint(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	org1, org2 := filepath.Join(dir, "org", "1"), filepath.Join(dir, "org", "2")
	appendTo := func(p string, b []byte) {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
		f.Close()
	}
	appendTo(filepath.Join(org1, "wal"), []byte("CGW2\x10\x00"))
	appendTo(filepath.Join(org1, "roots"), []byte{1, 2, 3})
	appendTo(filepath.Join(org1, "cp", "00000000000000000099.note.tmp"), []byte("half"))
	flip := func(p string, at func(n int) int) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[at(len(b))] ^= 0x40
		if err := os.WriteFile(p, b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	flip(filepath.Join(org1, "seg-000000000000.idx"), func(n int) int { return n / 4 })
	flip(filepath.Join(org2, "wal"), func(n int) int { return n / 2 })
	old := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error { return os.Chtimes(p, old, old) })
	before := snapshot(t, data)

	out, _, err := cli(t, "", "vault", "verify", "--data", data)
	if err == nil {
		t.Fatalf("verify of a damaged vault passed:\n%s", out)
	}
	for _, want := range []string{"org 1: DAMAGED", "seg-000000000000", "org 2: DAMAGED", "vault repair --org 2"} {
		if !strings.Contains(out, want) {
			t.Fatalf("verify output lacks %q:\n%s", want, out)
		}
	}
	for _, args := range [][]string{{"vault", "pubkey"}, {"vault", "search", "--org", "1", "event"}, {"vault", "proof", "inclusion", "--org", "1", "--seq", "3"}} {
		if out, _, err := cli(t, "", append(args, "--data", data)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	after := snapshot(t, data)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed: %s -> %s", p, b, after[p])
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}
