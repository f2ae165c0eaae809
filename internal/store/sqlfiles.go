package store

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// sqlFile is a migration file's name: the version, then words, e.g. 002_sort_key.sql.
var sqlFile = regexp.MustCompile(`^(\d{3})_[a-z0-9_]+\.sql$`)

// SQLMigrations reads a module's migrations from the .sql files in dir of fsys (usually
// embedded): NNN_words.sql is version NNN, and its first line, a comment
// ("-- organisation profiles and system inventory"), is its name. goSteps are the
// module's steps that SQL cannot do (a Go function, such as computing a collation key),
// each with the version no file has. Versions, the files' and the Go steps' together, must
// run from 1 without gaps, so that a missing file is an error rather than a skipped step.
func SQLMigrations(fsys fs.FS, dir, module string, goSteps ...Migration) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", module, err)
	}
	byVersion := map[int]Migration{}
	for _, g := range goSteps {
		if g.Go == nil || g.Version < 1 || g.Module != module {
			return nil, fmt.Errorf("migrations of %s: step %d %q is not a Go step of this module", module, g.Version, g.Name)
		}
		if _, dup := byVersion[g.Version]; dup {
			return nil, fmt.Errorf("migrations of %s: two Go steps are version %d", module, g.Version)
		}
		byVersion[g.Version] = g
	}
	for _, e := range entries {
		m := sqlFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations of %s: %s is not named NNN_words.sql", module, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if want := nextFree(byVersion); v != want {
			return nil, fmt.Errorf("migrations of %s: %s is version %d, want %d (versions run from 1 without gaps)", module, e.Name(), v, want)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrations of %s: %w", module, err)
		}
		first, rest, _ := strings.Cut(string(b), "\n")
		name, ok := strings.CutPrefix(first, "-- ")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("migrations of %s: %s does not start with a '-- name' line", module, e.Name())
		}
		byVersion[v] = Migration{Module: module, Version: v, Name: strings.TrimSpace(name), SQL: strings.TrimSpace(rest)}
	}
	out := make([]Migration, 0, len(byVersion))
	for v := 1; v <= len(byVersion); v++ {
		m, ok := byVersion[v]
		if !ok {
			return nil, fmt.Errorf("migrations of %s: no file or Go step is version %d (versions run from 1 without gaps)", module, v)
		}
		out = append(out, m)
	}
	return out, nil
}

// nextFree is the lowest version from 1 up that no step in byVersion has: the version the
// next file (in name order) must have.
func nextFree(byVersion map[int]Migration) int {
	v := 1
	for {
		if _, taken := byVersion[v]; !taken {
			return v
		}
		v++
	}
}

// MustSQLMigrations is SQLMigrations for embedded files, which the tests of every module
// read at start-up: a bad file is a programming error, found before release.
func MustSQLMigrations(fsys fs.FS, dir, module string, goSteps ...Migration) []Migration {
	migs, err := SQLMigrations(fsys, dir, module, goSteps...)
	if err != nil {
		panic(err)
	}
	return migs
}
