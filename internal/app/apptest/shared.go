package apptest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ciiguard/internal/app"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// EnvTemplates names a directory in which the test binaries of one run of the suite share
// their seeded templates: the first binary to need an engine's template seeds it there
// (under a file lock, while the others wait), and every other binary copies it instead
// of seeding its own. `go test ./...` runs a dozen packages that start installations, each
// once per engine, so this saves all but two of the seedings. scripts/with-postgres.sh
// (and so make test) sets it to a directory it makes for the run and removes afterwards;
// the PostgreSQL template databases live in that run's throwaway cluster.
//
// The directory is for one build of the code: a template seeded by another build would
// hold another build's demo. The key below separates engines, PostgreSQL servers and
// schemas, which catches a reused directory after a migration changed, not after a demo
// change; so do not set it by hand for longer than one run.
const EnvTemplates = "CIIGUARD_TEST_TEMPLATES"

// share points tpl at engine d's template in the shared directory dir, seeding it there
// first if no other test binary has.
func (tpl *template) share(dir string, d store.Dialect, day string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%s: %w", EnvTemplates, err)
	}
	key := sharedKey(d, day)
	unlock, err := lockFile(filepath.Join(dir, key+".lock"))
	if err != nil {
		return fmt.Errorf("%s: lock the %s template: %w", EnvTemplates, d, err)
	}
	defer unlock()
	home := filepath.Join(dir, key)
	ready := filepath.Join(home, "ready")
	tpl.shared = true
	if b, err := os.ReadFile(ready); err == nil {
		tpl.data, tpl.pg = filepath.Join(home, "data"), strings.TrimSpace(string(b))
		return nil
	}
	// No ready mark: nothing there, or what a binary that died while seeding left.
	if err := os.RemoveAll(home); err != nil {
		return fmt.Errorf("%s: remove an unfinished template: %w", EnvTemplates, err)
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		return fmt.Errorf("%s: %w", EnvTemplates, err)
	}
	if err := tpl.seedInto(filepath.Join(home, "data"), d); err != nil {
		if tpl.pg != "" {
			_ = storetest.DropPostgres(tpl.pg)
		}
		return err
	}
	// The mark is written last and atomically: a reader sees a whole template or none.
	tmp := ready + ".tmp"
	if err := os.WriteFile(tmp, []byte(tpl.pg+"\n"), 0o600); err != nil {
		return fmt.Errorf("%s: mark the template ready: %w", EnvTemplates, err)
	}
	if err := os.Rename(tmp, ready); err != nil {
		return fmt.Errorf("%s: mark the template ready: %w", EnvTemplates, err)
	}
	return nil
}

// sharedKey names engine d's template of the Beijing day day in the shared directory:
// the engine, on PostgreSQL the server (a template database exists in one cluster only),
// the day (templateKey says why), and the schema every module migrates to.
func sharedKey(d store.Dialect, day string) string {
	h := sha256.New()
	fmt.Fprintf(h, "day %s\n", day)
	if d == store.Postgres {
		fmt.Fprintf(h, "server %s\n", os.Getenv(storetest.EnvPostgres))
	}
	for _, m := range app.Modules() {
		for _, mig := range m.Migrations() {
			fmt.Fprintf(h, "%s %d %s\n%s\n", mig.Module, mig.Version, mig.Name, mig.SQL)
		}
	}
	return string(d) + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}
