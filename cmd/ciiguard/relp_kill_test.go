package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/vault/ingest/rsyslogtest"
)

// serveChildEnv holds the arguments (one a line) of a ciiguard command that
// TestServeChildProcess runs in a child process, so that a test can kill a whole server
// with SIGKILL.
const serveChildEnv = "CIIGUARD_TEST_SERVE_CHILD"

// TestServeChildProcess is the child's side of TestRELPSurvivesKill9: the CLI's run with
// the given arguments, stopped by SIGTERM or killed. It does nothing in an ordinary run.
func TestServeChildProcess(t *testing.T) {
	args := os.Getenv(serveChildEnv)
	if args == "" {
		t.Skip("the child process of TestRELPSurvivesKill9")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := run(ctx, strings.Split(args, "\n"), strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// TestRELPSurvivesKill9 runs the whole server (`ciiguard serve --syslog-relp`) in a child
// process with a syslog source registered for 127.0.0.1, has a real rsyslog send 20,000
// numbered messages to it with omrelp, kills the server with SIGKILL twice while they
// flow, starts it again on the same data directory each time, and lets rsyslog resend what was not
// acknowledged. Every number must be in the organisation's log afterwards: rsyslog only
// forgets a message once the server answered 200, so a missing number is an
// acknowledgement given before the message was durable.
func TestRELPSurvivesKill9(t *testing.T) {
	const total = 20000
	data := t.TempDir()
	if _, _, err := cli(t, "", "org", "add", "--data", data, "--kind", "operator", "--name-zh", "测试电力", "--name-en", "Test Power", "--uscc", "91110000MA00000012"); err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery staple"
	if _, _, err := cli(t, password+"\n", "user", "add", "--data", data, "--org", "1", "--email", "admin@test.cn", "--name", "Admin", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	httpAddr, relpAddr := rsyslogtest.FreeAddr(t), rsyslogtest.FreeAddr(t)
	args := []string{"serve", "--data", data, "--addr", httpAddr, "--syslog-relp", relpAddr}
	server := startServe(t, args)
	defer server.kill()
	rsyslogtest.WaitListening(t, httpAddr, 30*time.Second)
	base := "http://" + httpAddr
	c := signIn(t, base, "admin@test.cn", password)
	if res, body := c.do(t, "POST", "/api/v1/vault/sources", `{"name":"rsyslog","kind":"syslog","sender":"127.0.0.1"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("register 127.0.0.1: %d %s", res.StatusCode, body)
	}

	inAddr := rsyslogtest.Forward(t, relpAddr)
	fed := rsyslogtest.Feed(t, inAddr, total, 15*time.Millisecond)

	// The lines carry rsyslog's clock: count them over two days either side of now.
	window := url.Values{"from": {time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}}.Encode()
	stored := func() uint64 {
		res, body := c.do(t, "GET", "/api/v1/vault/histogram?q=relpkill&"+window, "")
		if res.StatusCode != http.StatusOK {
			return 0
		}
		var h struct{ Total uint64 }
		_ = json.Unmarshal([]byte(body), &h)
		return h.Total
	}
	// Kill at a third and at two thirds, starting again on the same data each time.
	for k := uint64(1); k <= 2; k++ {
		deadline := time.Now().Add(20 * time.Second)
		for stored() < total*k/3 {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d messages stored after 20 s, before kill %d", stored(), total, k)
			}
			time.Sleep(20 * time.Millisecond)
		}
		before := stored()
		server.kill()
		t.Logf("killed the server with SIGKILL with %d messages stored", before)
		server = startServe(t, args)
		rsyslogtest.WaitListening(t, httpAddr, 30*time.Second)
		c = signIn(t, base, "admin@test.cn", password)
	}
	if err := <-fed; err != nil {
		t.Fatalf("feeding rsyslog: %v", err)
	}
	last, since := uint64(0), time.Now()
	for n := stored(); n < total && time.Since(since) < 5*time.Second; n = stored() {
		if n != last {
			last, since = n, time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	server.stop(t)

	missing, dups := rsyslogtest.Tally(t, filepath.Join(data, "vault"), 1, total)
	if len(missing) > 0 {
		t.Fatalf("%d of %d messages lost across the kill, first %v", len(missing), total, missing[:min(len(missing), 10)])
	}
	t.Logf("all %d messages stored; %d stored twice (resent after the kill)", total, dups)
}

// servedChild is a ciiguard command running in a child process.
type servedChild struct{ cmd *exec.Cmd }

func startServe(t *testing.T, args []string) *servedChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveChildEnv+"="+strings.Join(args, "\n"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return &servedChild{cmd: cmd}
}

func (s *servedChild) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

func (s *servedChild) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the server did not stop cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Fatal("the server did not stop within 30 s of SIGTERM")
	}
}

// webClient is a signed-in browser session: cookies and the CSRF token of its pages.
type webClient struct {
	base, csrf string
	http       *http.Client
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func signIn(t *testing.T, base, email, password string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &webClient{base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	get := func(path string) string {
		res, err := c.http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	m := csrfInput.FindStringSubmatch(get("/login"))
	if m == nil {
		t.Fatal("the login page has no form token")
	}
	res, err := c.http.PostForm(base+"/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	if m = csrfInput.FindStringSubmatch(get("/")); m == nil {
		t.Fatal("signed in, but the dashboard has no CSRF token")
	}
	c.csrf = m[1]
	return c
}

func (c *webClient) do(t *testing.T, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
