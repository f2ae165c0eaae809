package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
)

// TestVaultRepairCommand damages the middle of three WAL frames (events 5–11 of 21) and
// runs the operator's path: `vault verify` refuses, naming the damage and the repair
// command; `vault repair` prints its steps and exactly "LOST events 5–11 (7)", keeps the
// damaged bytes, and records the loss in the audit trail; `vault verify` then passes and
// `audit verify` still holds. Before, there was no repair command.
func TestVaultRepairCommand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		data, dsn := t.TempDir(), storetest.DSN(t, d)
		run := func(args ...string) (string, error) {
			t.Helper()
			out, _, err := cli(t, "", append(args, "--data", data, "--db", dsn)...)
			return out, err
		}
		if _, err := run("org", "add", "--kind", "operator", "--name-zh", "某某水务集团", "--name-en", "Some Water Group"); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a, err := app.Open(ctx, app.Config{Data: data, DB: dsn}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range a.Modules {
			if lm, ok := m.(*logs.Module); ok {
				for b, n := range []int{5, 7, 9} {
					evs := make([]vault.Event, n)
					for i := range evs {
						evs[i] = vault.Event{Host: "fw1", Message: fmt.Sprintf("batch %d event %d", b, i)}
					}
					if _, err := lm.Vault().Append(ctx, 1, evs); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		a.Close()
		wal := filepath.Join(data, "vault", "org", "1", "wal")
		b, err := os.ReadFile(wal)
		if err != nil {
			t.Fatal(err)
		}
		second := strings.Index(string(b[4:]), "CGW2") + 4 // the second frame's header
		b[second+40] ^= 0x08
		if err := os.WriteFile(wal, b, 0o640); err != nil {
			t.Fatal(err)
		}

		if out, err := run("vault", "verify", "--org", "1"); err == nil || !strings.Contains(out, "vault repair --org 1") || !strings.Contains(out, "events 5–11 (7)") {
			t.Fatalf("verify of the damaged log: %q, %v", out, err)
		}
		out, err := run("vault", "repair", "--org", "1")
		if err != nil {
			t.Fatalf("repair: %v\n%s", err, out)
		}
		for _, want := range []string{"damaged: ", "kept the WAL as it was", "org 1: LOST events 5–11 (7): frame fails its checksum", "repaired: 21 events, 7 placeholders", "recorded in the audit trail"} {
			if !strings.Contains(out, want) {
				t.Fatalf("repair output lacks %q:\n%s", want, out)
			}
		}
		if m, _ := filepath.Glob(filepath.Join(data, "vault", "org", "1", "quarantine", "*.damaged")); len(m) != 1 {
			t.Fatalf("quarantine: %v", m)
		}
		if out, err := run("vault", "verify", "--org", "1"); err != nil || !strings.Contains(out, "intact: 21 events") {
			t.Fatalf("verify after repair: %q, %v", out, err)
		}
		if out, err := run("audit", "verify"); err != nil || !strings.Contains(out, "audit trail intact") {
			t.Fatalf("audit verify after repair: %q, %v", out, err)
		}
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var detail string
		if err := db.SQL().QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE entity = 'log_vault' AND org_id = 1`).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(detail, "lost events 5–11 (7)") || !strings.Contains(detail, "quarantine") {
			t.Fatalf("audit entry: %q", detail)
		}
		if out, _ := run("vault", "repair", "--org", "1"); !strings.Contains(out, "not damaged; nothing changed") {
			t.Fatalf("second repair: %q", out)
		}
	})
}
