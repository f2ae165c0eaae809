package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
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
	var list struct {
		Obligations []struct {
			ID string `json:"id"`
		} `json:"obligations"`
	}
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Obligations) < 10 {
		t.Fatalf("catalog list --json: %v, %d obligations", err, len(list.Obligations))
	}
	out, _, err = cli(t, "", "catalog", "show", "CSL-LOG-RETENTION")
	if err != nil || !strings.Contains(out, "2025 Art. 23(3)") || !strings.Contains(out, "六个月") {
		t.Fatalf("catalog show: %v\n%s", err, out)
	}
	// The penalty in force since 2026-01-01 is CSL 2025 Art. 61(1): "可以处一万元以上五万元以下罚款；
	// 拒不改正或者导致危害网络安全等后果的，处五万元以上五十万元以下罚款".
	for _, want := range []string{"CSL 2025 Art. 61(1) (formerly CSL 2016 Art. 59(1))", "order: 10000–50000 RMB", "refused_or_harm: 50000–500000 RMB"} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog show lacks %q:\n%s", want, out)
		}
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

// lockedBuffer is a stderr that a running server writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCapabilityFlags checks that a capability's own flags (the log vault's syslog
// listeners and search time limit, the frameworks' size limit) are listed by --help and reach the capability from the command line and
// from CIIGUARD_* variables alike.
func TestCapabilityFlags(t *testing.T) {
	for _, cmd := range []string{"serve", "demo"} {
		_, stderr, _ := cli(t, "", cmd, "--help")
		for _, f := range []string{"-syslog-udp", "-syslog-tcp", "-syslog-tls", "-syslog-relp", "-syslog-show-unknown", "-syslog-tls-cert", "-syslog-tls-key", "-search-timeout", "-framework-max-controls"} {
			if !strings.Contains(stderr, f+" ") && !strings.Contains(stderr, f+"=") { // a boolean flag shows its default after "="
				t.Errorf("%s --help does not list %s", cmd, f)
			}
		}
	}
	// A TLS listener without its certificate: the logs capability refuses to start, which
	// shows that the address reached it.
	want := "--syslog-tls needs --syslog-tls-cert and --syslog-tls-key"
	if _, _, err := cli(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--syslog-tls", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serve --syslog-tls without a certificate: %v, want %q", err, want)
	}
	// The search time limit and the framework size limit are the logs' and the frameworks'
	// own flags: a bad value, from the command line or the environment, stops start-up
	// naming the flag.
	if _, _, err := cli(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--search-timeout", "0s"); err == nil || !strings.Contains(err.Error(), "--search-timeout") {
		t.Errorf("serve --search-timeout 0s: %v, want a refusal naming --search-timeout", err)
	}
	t.Setenv("CIIGUARD_FRAMEWORK_MAX_CONTROLS", "0")
	if _, _, err := cli(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "--framework-max-controls") {
		t.Errorf("serve with CIIGUARD_FRAMEWORK_MAX_CONTROLS=0: %v, want a refusal naming --framework-max-controls", err)
	}
	t.Setenv("CIIGUARD_FRAMEWORK_MAX_CONTROLS", "")
	t.Setenv("CIIGUARD_SYSLOG_TLS", "127.0.0.1:0")
	if _, _, err := cli(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serve with CIIGUARD_SYSLOG_TLS and no certificate: %v, want %q", err, want)
	}
	t.Setenv("CIIGUARD_SYSLOG_TLS", "")
	// A UDP and a RELP listener from the environment open once the server starts.
	t.Setenv("CIIGUARD_SYSLOG_UDP", "127.0.0.1:0")
	t.Setenv("CIIGUARD_SYSLOG_RELP", "127.0.0.1:0")
	var errb lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, &errb)
	}()
	deadline := time.After(60 * time.Second)
	for !strings.Contains(errb.String(), "msg=serving") {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errb.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve did not start within a minute:\n%s", errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(errb.String(), "syslog listener") || !strings.Contains(errb.String(), "transport=udp") || !strings.Contains(errb.String(), "transport=relp") {
		t.Fatalf("no UDP and RELP syslog listeners opened from CIIGUARD_SYSLOG_UDP and CIIGUARD_SYSLOG_RELP:\n%s", errb.String())
	}
}
