package apptest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// A seeded installation is costly to make: every migration, the demo organisations and
// users, every module's demo records and the first evaluation of the findings take
// seconds of CPU. Each test binary makes it once per engine (a template) and every Start
// gets its own copy: the data directory copied file by file, the SQLite file with it, and
// on PostgreSQL a database created from the template's (CREATE DATABASE … TEMPLATE). A
// test therefore still has an installation no other test touches, in the state a fresh
// seeding leaves it, for a fraction of the cost.

// template is one engine's seeded installation, closed, ready to be copied.
type template struct {
	once   sync.Once
	data   string // the data directory; on SQLite it holds the store file (ciiguard.db)
	pg     string // on PostgreSQL, the name of the template database
	shared bool   // made in EnvTemplates for every test binary of the run: not this binary's to remove
	err    error
}

// templateKey names a template: its engine and the Beijing day it was seeded on. The demo
// writes dates relative to its day (due dates, trend points, "today"), and tests compare
// them with their own day: a template seeded before Beijing midnight (16:00 UTC) is not
// used by a test started after it, which gets one seeded on its own day.
type templateKey struct {
	d   store.Dialect
	day string
}

var (
	templatesMu sync.Mutex
	templates   = map[templateKey]*template{}
)

// seedDay is the Beijing day a template seeded now belongs to.
func seedDay() string { return time.Now().In(calendar.Shanghai).Format(time.DateOnly) }

// templateFor returns engine d's template of today (Beijing), seeding it on first use.
func templateFor(d store.Dialect) *template {
	templatesMu.Lock()
	k := templateKey{d, seedDay()}
	tpl := templates[k]
	if tpl == nil {
		tpl = &template{}
		templates[k] = tpl
	}
	templatesMu.Unlock()
	tpl.once.Do(func() {
		if dir := os.Getenv(EnvTemplates); dir != "" {
			tpl.err = tpl.share(dir, d, k.day)
			return
		}
		tpl.err = tpl.seed(d)
	})
	return tpl
}

// seed makes the template in a new temporary directory: see seedInto.
func (tpl *template) seed(d store.Dialect) error {
	dir, err := os.MkdirTemp("", "ciiguard-apptest-"+string(d)+"-")
	if err != nil {
		return fmt.Errorf("template data directory: %w", err)
	}
	return tpl.seedInto(dir, d)
}

// seedInto makes the template in the empty directory dir: a fresh installation on engine
// d, seeded with the demo, its findings evaluated, then closed so that its files and
// database can be copied.
func (tpl *template) seedInto(dir string, d store.Dialect) error {
	tpl.data = dir
	cfg := app.Config{Data: dir}
	if d == store.Postgres {
		name, dsn, err := storetest.CreatePostgres("")
		if err != nil {
			return err
		}
		tpl.pg, cfg.DB = name, dsn
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fmt.Errorf("open the template installation: %w", err)
	}
	if _, err := a.SeedDemo(ctx); err != nil {
		a.Close()
		return fmt.Errorf("seed the template installation: %w", err)
	}
	// Seeding queues evaluations in the background; a copy must start with the findings
	// they write, not with the closing installation's half-done work.
	if err := waitEvaluated(ctx, a); err != nil {
		a.Close()
		return err
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("close the template installation: %w", err)
	}
	return nil
}

// waitEvaluated waits until no organisation of a has an evaluation pending or running.
func waitEvaluated(ctx context.Context, a *app.App) error {
	var ev interface {
		WaitEvaluated(context.Context) error
	}
	for _, m := range a.Modules {
		if w, ok := m.(interface{ WaitEvaluated(context.Context) error }); ok {
			ev = w
		}
	}
	if ev == nil {
		return nil
	}
	var orgs []int64
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id FROM orgs ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			orgs = append(orgs, id)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("list the template's organisations: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for _, id := range orgs {
		if err := ev.WaitEvaluated(store.WithOrg(ctx, id)); err != nil {
			return fmt.Errorf("wait for organisation %d's demo findings: %w", id, err)
		}
	}
	return nil
}

// copyTo copies the template's data directory into dst (an empty directory) and returns
// the store DSN of the copy: the copied SQLite file, or a new PostgreSQL database made
// from the template database, dropped when the test ends.
func (tpl *template) copyTo(t testing.TB, dst string) (string, error) {
	if err := copyDir(tpl.data, dst); err != nil {
		return "", fmt.Errorf("copy the template's data directory: %w", err)
	}
	if tpl.pg != "" {
		return storetest.CloneDSN(t, tpl.pg), nil
	}
	return "sqlite:" + filepath.Join(dst, "ciiguard.db"), nil
}

// copyDir copies the regular files and directories under src into dst, keeping their
// permissions.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case e.IsDir():
			return os.MkdirAll(to, info.Mode().Perm())
		case e.Type().IsRegular():
			return copyFile(p, to, info.Mode().Perm())
		}
		return fmt.Errorf("%s: not a regular file or directory", p)
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Main runs a test binary's tests (m.Run) and then removes the seeded templates it made:
// their data directories and PostgreSQL databases. A package whose tests use Start calls
// it from TestMain: func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }.
func Main(m interface{ Run() int }) int {
	code := m.Run()
	templatesMu.Lock()
	defer templatesMu.Unlock()
	var errs []error
	for _, tpl := range templates {
		if tpl.shared {
			continue // the run's script removes EnvTemplates, and the cluster with its databases
		}
		if tpl.pg != "" {
			errs = append(errs, storetest.DropPostgres(tpl.pg))
		}
		if tpl.data != "" {
			errs = append(errs, os.RemoveAll(tpl.data))
		}
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, "apptest: remove the seeded templates:", err)
	}
	return code
}
