package logs

import (
	"context"
	"flag"
	"strings"
	"testing"

	"ciiguard/internal/kernel"
	"ciiguard/internal/vault"
)

// nopFrames stands for the PostgreSQL frame store the application gives on PostgreSQL.
type nopFrames struct{ vault.FrameStore }

// TestSharedWALNeeds: --vault-shared-wal is refused at start, naming what it lacks,
// unless object storage and a PostgreSQL store are there; the error is the flag's, not
// a vault failure later.
func TestSharedWALNeeds(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		frames vault.FrameStore
		want   string
	}{
		{"no object storage", []string{"--vault-shared-wal"}, nopFrames{}, "--vault-shared-wal needs --vault-s3"},
		{"SQLite", []string{"--vault-shared-wal", "--vault-s3", "s3://b/p"}, nil, "--vault-shared-wal needs a PostgreSQL store"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := New()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			m.Flags(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			err := m.Provision(context.Background(), kernel.Deps{DataDir: t.TempDir(), VaultFrames: c.frames})
			if m.v != nil {
				defer m.v.Close()
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("Provision with %v: %v; want a refusal starting %q", c.args, err, c.want)
			}
		})
	}
}
