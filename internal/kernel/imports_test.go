package kernel_test

import (
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// notCapabilities are the packages under internal/ that are not capabilities: the shared
// kernel's parts, the engines, the composition root and test helpers. Every other
// directory under internal/ is a capability, so a new one is covered without editing
// this list.
var notCapabilities = map[string]bool{
	"app": true, "kernel": true, "store": true, "storetest": true, "auth": true, "audit": true,
	"web": true, "problem": true, "calendar": true, "catalog": true, "rules": true, "vault": true,
	"stix": true, // the STIX 2.1 engine (types, patterns) the threat capability builds on
}

// TestNoCapabilityImportsAnother reads the import lists of every package under internal/
// (build files, not tests): a capability may import the kernel and the engines but no
// other capability, and no kernel part or engine may import a capability (that would be
// a back door from one capability to another). Only the composition root (internal/app)
// knows them all.
func TestNoCapabilityImportsAnother(t *testing.T) {
	const root = "ciiguard/internal/"
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	caps := map[string]bool{}
	for _, d := range dirs {
		if d.IsDir() && !notCapabilities[d.Name()] {
			caps[d.Name()] = true
		}
	}
	if len(caps) < 6 {
		t.Fatalf("found only %d capabilities under internal/ (%v): is the test looking in the right place?", len(caps), caps)
	}
	// top names the directory under internal/ that a package lives in.
	top := func(path string) string {
		rest, ok := strings.CutPrefix(path, root)
		if !ok {
			return ""
		}
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	var bad []string
	err = filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" || d.Name() == "templates" || d.Name() == "messages" {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel("..", path)
		self := strings.Split(filepath.ToSlash(rel), "/")[0]
		if self == "app" {
			return nil
		}
		for _, imp := range pkg.Imports {
			other := top(imp)
			if other == "" || other == self || !caps[other] {
				continue
			}
			if caps[self] {
				bad = append(bad, "capability "+self+" ("+filepath.ToSlash(rel)+") imports capability "+other)
			} else {
				bad = append(bad, "kernel part or engine "+self+" ("+filepath.ToSlash(rel)+") imports capability "+other)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b + ": ask the kernel's registry for what it needs, by interface (see docs/capabilities.md)")
	}
}
