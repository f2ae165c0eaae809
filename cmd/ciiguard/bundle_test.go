package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// TestMain removes the seeded installations apptest copies for a test.
func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// reproduction has the demo regulator's inspector open an inspection of the grid operator
// (one system, its evidence, its logs), read three minutes of logs, and download the
// reproduction bundle; it returns the bundle's bytes and the inspection's number.
func reproduction(t *testing.T) ([]byte, string) {
	t.Helper()
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "inspector@regulator.demo")
	hdr := map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": "application/json"}
	_, body := c.Do("GET", "/api/v1/oversight/registry?q="+url.QueryEscape("电网"), nil, nil)
	var reg struct{ Entries []struct{ ID int64 } }
	if err := json.Unmarshal([]byte(body), &reg); err != nil || len(reg.Entries) != 1 {
		t.Fatalf("the grid in the registry: %v %s", err, body)
	}
	now := time.Now().In(calendar.Shanghai) // the period under inspection is in Beijing days
	const ref = "示能监安检〔2026〕77号"
	in := fmt.Sprintf(`{"entry_id":%d,"ref":%q,"areas":["systems","evidence","logs"],"systems":["调度自动化系统（D5000）"],"period_from":%q,"period_to":%q,"ends_at":%q}`,
		reg.Entries[0].ID, ref, now.AddDate(0, 0, -1).Format("2006-01-02"), now.Format("2006-01-02"), now.Add(time.Hour).Format(time.RFC3339))
	res, body := c.Do("POST", "/api/v1/oversight/inspections", nil, hdr, in)
	var x struct{ ID int64 }
	if res.StatusCode != 201 || json.Unmarshal([]byte(body), &x) != nil {
		t.Fatalf("open: %d %s", res.StatusCode, body)
	}
	q := url.Values{"from": {now.Add(-2 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(-117 * time.Minute).Format(time.RFC3339)}}
	if res, body := c.Do("GET", fmt.Sprintf("/api/v1/oversight/inspections/%d/logs?%s", x.ID, q.Encode()), nil, nil); res.StatusCode != 200 {
		t.Fatalf("read logs: %d %s", res.StatusCode, body)
	}
	res, bundle := c.Do("GET", fmt.Sprintf("/api/v1/oversight/inspections/%d/bundle", x.ID), nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("reproduce: %d %s", res.StatusCode, bundle)
	}
	return []byte(bundle), ref
}

// verifyFile runs `ciiguard bundle verify` on b with args before the file.
func verifyFile(t *testing.T, b []byte, args ...string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inspection.ndjson")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), append(append([]string{"bundle", "verify"}, args...), path), strings.NewReader(""), &out, &errb)
	return out.String(), err
}

var (
	fingerprintRE = regexp.MustCompile(`signed by installation key ([0-9a-f]{64})`)
	countsRE      = regexp.MustCompile(`(\d+) records, (\d+) evidence files, (\d+) log events with inclusion proofs`)
)

// TestBundleVerify: `ciiguard bundle verify` accepts an inspection's reproduction as
// downloaded, with and without the installation key's fingerprint, and refuses it with a
// wrong fingerprint, with one line dropped (each line in turn), and with one byte changed
// (some 400 bytes spread over the file, and the last before the final newline).
func TestBundleVerify(t *testing.T) {
	t.Parallel()
	b, ref := reproduction(t)
	out, err := verifyFile(t, b)
	if err != nil {
		t.Fatalf("the reproduction as downloaded: %v", err)
	}
	m := fingerprintRE.FindStringSubmatch(out)
	counts := countsRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, ref) || counts == nil || counts[1] == "0" || counts[3] == "0" {
		t.Fatalf("verify printed %q; want the inspection %s, its records, the log events read and the key", out, ref)
	}
	if _, err := verifyFile(t, b, "--key", m[1]); err != nil {
		t.Errorf("with the key's fingerprint: %v", err)
	}
	if _, err := verifyFile(t, b, "--key", strings.Repeat("0", 64)); err == nil {
		t.Error("a wrong fingerprint verifies")
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty string after the last newline
	if len(lines) < 4 {
		t.Fatalf("the bundle has %d lines; want a header, records, events and the end", len(lines))
	}
	for i := range lines {
		dropped := bytes.Join(append(append([][]byte{}, lines[:i]...), lines[i+1:]...), nil)
		if _, err := verifyFile(t, dropped); err == nil || !strings.Contains(err.Error(), "does NOT verify") {
			t.Errorf("line %d of %d dropped: %v; want it refused", i+1, len(lines), err)
		}
	}
	checked := 0
	step := len(b)/400 | 1
	for i := 0; i < len(b); i += step {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		if _, err := verifyFile(t, c); err == nil {
			t.Errorf("byte %d changed (%q → %q): the bundle still verifies", i, b[i], c[i])
		}
		checked++
	}
	c := bytes.Clone(b)
	c[len(c)-2] ^= 0x01
	if _, err := verifyFile(t, c); err == nil {
		t.Error("the end record's last byte changed: the bundle still verifies")
	}
	t.Logf("%d lines dropped, %d single bytes changed, each refused", len(lines), checked)
}
