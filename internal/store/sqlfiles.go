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
// ("-- organisation profiles and system inventory"), is its name. Versions must run from 1
// without gaps, so that a missing file is an error rather than a skipped step.
func SQLMigrations(fsys fs.FS, dir, module string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", module, err)
	}
	var out []Migration
	for _, e := range entries {
		m := sqlFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations of %s: %s is not named NNN_words.sql", module, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if v != len(out)+1 {
			return nil, fmt.Errorf("migrations of %s: %s is version %d, want %d (versions run from 1 without gaps)", module, e.Name(), v, len(out)+1)
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
		out = append(out, Migration{Module: module, Version: v, Name: strings.TrimSpace(name), SQL: strings.TrimSpace(rest)})
	}
	return out, nil
}

// MustSQLMigrations is SQLMigrations for embedded files, which the tests of every module
// read at start-up: a bad file is a programming error, found before release.
func MustSQLMigrations(fsys fs.FS, dir, module string) []Migration {
	migs, err := SQLMigrations(fsys, dir, module)
	if err != nil {
		panic(err)
	}
	return migs
}
