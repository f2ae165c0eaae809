package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"
)

// cli runs the command line in-process and returns what it printed.
func cli(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestAdministrationCommands(t *testing.T) {
	data := t.TempDir()
	steps := []struct {
		stdin string
		args  []string
		want  string // in stdout
		fails string // in the error, when the step must fail
	}{
		{"", []string{"migrate", "--data", data}, "is up to date", ""},
		{"", []string{"org", "add", "--data", data, "--kind", "operator", "--name-zh", "某某水务集团", "--name-en", "Some Water Group"}, "organisation 1 Some Water Group (operator) added", ""},
		{"", []string{"org", "add", "--data", data, "--kind", "bank", "--name-en", "X"}, "", "kind: must be one of operator, regulator, supplier"},
		{"a-long-enough-password\n", []string{"user", "add", "--data", data, "--org", "1", "--email", "Ops@Water.example", "--name", "Ops", "--role", "admin"}, "user 1 ops@water.example (admin) added", ""},
		{"a-long-enough-password\n", []string{"user", "add", "--data", data, "--org", "1", "--email", "x@water.example", "--name", "X", "--role", "inspector"}, "", "role"},
		{"", []string{"user", "add", "--data", data, "--org", "1", "--email", "y@water.example", "--name", "Y", "--role", "admin"}, "", "no password on standard input"},
		{"another-long-password\n", []string{"user", "passwd", "--data", data, "--email", "ops@water.example"}, "password of ops@water.example changed", ""},
		{"", []string{"user", "disable", "--data", data, "--email", "ops@water.example"}, "disabled", ""},
		{"", []string{"user", "disable", "--data", data, "--email", "nobody@water.example"}, "", "not found"},
		{"", []string{"org", "list", "--data", data}, "某某水务集团", ""},
		{"", []string{"audit", "verify", "--data", data}, "audit trail intact", ""},
	}
	for _, s := range steps {
		out, _, err := cli(t, s.stdin, s.args...)
		switch {
		case s.fails != "" && (err == nil || !strings.Contains(err.Error(), s.fails)):
			t.Errorf("%v: error %v, want one containing %q", s.args, err, s.fails)
		case s.fails == "" && err != nil:
			t.Errorf("%v: %v", s.args, err)
		case s.fails == "" && !strings.Contains(out, s.want):
			t.Errorf("%v printed %q, want %q", s.args, out, s.want)
		}
	}
}

func TestEnvironmentVariablesSetFlags(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CIIGUARD_DATA", data)
	if out, _, err := cli(t, "", "org", "add", "--kind", "regulator", "--name-en", "Env Regulator"); err != nil || !strings.Contains(out, "added") {
		t.Fatalf("org add with CIIGUARD_DATA: %q %v", out, err)
	}
	out, _, err := cli(t, "", "org", "list", "--data", data)
	if err != nil || !strings.Contains(out, "Env Regulator") {
		t.Fatalf("the organisation did not land in CIIGUARD_DATA: %q %v", out, err)
	}
}

func TestCatalogCommands(t *testing.T) {
	out, _, err := cli(t, "", "catalog", "list", "--instrument", "CSL", "--json")
	var obs []struct{ ID string }
	if err != nil || json.Unmarshal([]byte(out), &obs) != nil || len(obs) < 10 {
		t.Fatalf("catalog list --json: %v, %d obligations", err, len(obs))
	}
	out, _, err = cli(t, "", "catalog", "show", "CSL-LOG-RETENTION")
	if err != nil || !strings.Contains(out, "2025 Art. 23(3)") || !strings.Contains(out, "六个月") {
		t.Fatalf("catalog show: %v\n%s", err, out)
	}
	if _, _, err := cli(t, "", "catalog", "show", "NO-SUCH"); err == nil {
		t.Fatal("showing an unknown obligation must fail")
	}
	out, _, err = cli(t, "", "catalog", "export", "--format", "oscal")
	if err != nil || !strings.Contains(out, `"catalog"`) {
		t.Fatalf("catalog export: %v", err)
	}
	if _, _, err := cli(t, "", "catalog", "export", "--format", "xml"); err == nil {
		t.Fatal("an unknown export format must fail")
	}
}

func TestHelpIsComplete(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"user", "add", "--help"}, {"catalog", "list", "--help"}} {
		_, stderr, err := cli(t, "", args...)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v, want help", args, err)
		}
		if !strings.Contains(stderr, "USAGE") {
			t.Errorf("%v: help text missing: %q", args, stderr)
		}
	}
}
