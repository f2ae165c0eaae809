package kernel_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sqlInGo lists the Go files allowed to hold schema SQL, and why: the store's own
// bookkeeping table. (A module's SQL step after a Go step is a file too: the Go steps fill
// the versions the files leave out.)
var sqlInGo = map[string]string{
	"store/migrate.go": "the schema_migrations table the migrations are recorded in",
}

// TestMigrationsAreSQLFiles: a module's schema is in embedded .sql files (read with
// store.SQLMigrations), not in Go strings, except the steps listed in sqlInGo. Before the
// auth, audit and holidays migrations moved to files, it failed naming those three files;
// before scope's step 4 did, it failed naming scope/migrations.go.
func TestMigrationsAreSQLFiles(t *testing.T) {
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, ".."+string(filepath.Separator)))
		if strings.Contains(string(b), "CREATE TABLE") && sqlInGo[rel] == "" {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("schema SQL in Go files (move it to the module's migrations/*.sql): %v", found)
	}
}
