package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/audit"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// anchorNow does what a running server does every minute: anchor the audit trail's
// changed heads in the log vault, then sign the vault's checkpoint as its ticker does every second.
func anchorNow(t *testing.T, data, dsn string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{Data: data, DB: dsn}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, m := range a.Modules {
		if lm, ok := m.(*logs.Module); ok {
			n, err := audit.NewAnchorer(a.DB, lm, nil).Once(ctx)
			if err != nil || n != 1 {
				t.Fatalf("anchor: %d anchors, %v", n, err)
			}
			if _, err := lm.Vault().Checkpoint(ctx, 1); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no logs module")
}

// TestAuditVerifyDetectsTruncation replays issue 8 item 9 through the command line:
// deleting the newest audit entries and rewinding audit_head in SQL used to pass
// `ciiguard audit verify`; the anchors in the log vault now name the missing entries.
func TestAuditVerifyDetectsTruncation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		data, dsn := t.TempDir(), storetest.DSN(t, d)
		must := func(stdin string, args ...string) string {
			t.Helper()
			out, _, err := cli(t, stdin, append(args, "--data", data, "--db", dsn)...)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out
		}
		must("", "org", "add", "--kind", "operator", "--name-zh", "某某水务集团", "--name-en", "Some Water Group")
		must("a-long-enough-password\n", "user", "add", "--org", "1", "--email", "ops@water.example", "--name", "Ops", "--role", "admin")
		anchorNow(t, data, dsn) // anchors entry 2
		must("a-long-enough-password\n", "user", "add", "--org", "1", "--email", "a@water.example", "--name", "A", "--role", "analyst")
		must("a-long-enough-password\n", "user", "add", "--org", "1", "--email", "b@water.example", "--name", "B", "--role", "auditor")
		anchorNow(t, data, dsn) // anchors entry 4
		if out := must("", "audit", "verify"); !strings.Contains(out, "audit trail intact: 4 entries verified") || !strings.Contains(out, "2 anchors in the log vault agree; the newest holds entry 4") {
			t.Fatalf("verify before the attack: %q", out)
		}

		// The attack: delete the two newest entries and rewind the head to entry 2.
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.Exec(`DELETE FROM audit_log WHERE seq > 2`); err != nil {
				return err
			}
			_, err := tx.Exec(`UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The chain alone still holds: this is what `audit verify` checked before.
		if n, err := audit.Verify(context.Background(), db); err != nil || n != 2 {
			t.Fatalf("chain-only check after the attack: %d entries, %v; the attack should pass it", n, err)
		}
		db.Close()
		_, _, err = cli(t, "", "audit", "verify", "--data", data, "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), "audit chain broken at entry 3") || !strings.Contains(err.Error(), "the trail ends at entry 2, but the vault anchored entry 4") {
			t.Fatalf("verify after truncation: %v", err)
		}
	})
}
