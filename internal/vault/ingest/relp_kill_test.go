package ingest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest/rsyslogtest"
)

// The kill test runs the vault and its RELP listener in a child process (this test
// binary again, in TestRELPChildProcess), so that it can be killed with SIGKILL
// mid-write like a crashed server.
const relpChildEnv = "CIIGUARD_TEST_RELP_CHILD" // "vault dir|listen address"

// TestRELPChildProcess is the child's side: it opens the vault, listens for RELP on the
// given address and prints the vault's size every 50 ms until killed, or closes cleanly
// on SIGTERM. It does nothing in an ordinary run.
func TestRELPChildProcess(t *testing.T) {
	arg := os.Getenv(relpChildEnv)
	if arg == "" {
		t.Skip("the child process of TestRsyslogRELPKill9")
	}
	dir, addr, _ := strings.Cut(arg, "|")
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	l, err := ListenRELP(addr, anyone, v)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(2)
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	tick := time.NewTicker(50 * time.Millisecond)
	for {
		select {
		case <-term:
			l.Close()
			v.Close()
			fmt.Println("closed")
			os.Exit(0)
		case <-tick.C:
			n, _ := v.Size(testOrg)
			fmt.Printf("size %d acked %d\n", n, l.Stats().RELPAcked)
		}
	}
}

// relpChild is a running child process and the last size it reported.
type relpChild struct {
	cmd  *exec.Cmd
	size chan uint64
	done chan struct{}
}

func startRELPChild(t *testing.T, dir, addr string) *relpChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRELPChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), relpChildEnv+"="+dir+"|"+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &relpChild{cmd: cmd, size: make(chan uint64, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var n, acked uint64
			if _, err := fmt.Sscanf(sc.Text(), "size %d acked %d", &n, &acked); err == nil {
				select {
				case <-c.size:
				default:
				}
				c.size <- n
			}
		}
	}()
	return c
}

// waitSize waits until the child reports a vault of at least n events.
func (c *relpChild) waitSize(t *testing.T, n uint64, within time.Duration) uint64 {
	t.Helper()
	deadline := time.After(within)
	var last uint64
	for {
		select {
		case last = <-c.size:
			if last >= n {
				return last
			}
		case <-deadline:
			t.Fatalf("the vault holds %d events after %s; want %d", last, within, n)
		case <-c.done:
			t.Fatalf("the child process ended at %d events", last)
		}
	}
}

// settle waits until the child reports n events, or none more for quiet (then the count
// below names what is missing), at most within.
func (c *relpChild) settle(t *testing.T, n uint64, quiet, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	var last uint64
	changed := time.Now()
	for {
		select {
		case got := <-c.size:
			if got >= n {
				return
			}
			if got != last {
				last, changed = got, time.Now()
			} else if time.Since(changed) > quiet {
				return
			}
		case <-deadline:
			return
		case <-c.done:
			t.Fatalf("the child process ended at %d events", last)
		}
	}
}

func (c *relpChild) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	_ = c.cmd.Process.Signal(sig)
	<-c.done
	_ = c.cmd.Wait()
}

// TestRsyslogRELPKill9 sends numbered messages through a real rsyslog to the RELP
// listener with omrelp, kills the listener's process with SIGKILL three times while
// rsyslog is sending, starts it again on the same vault each time, and lets rsyslog resend what was not
// acknowledged. Every message must then be in the vault: rsyslog drops nothing it was not
// told was delivered, so a missing number is a message acknowledged before it was durable.
// Duplicates (stored, then killed before the acknowledgement left) are allowed and
// reported.
func TestRsyslogRELPKill9(t *testing.T) {
	const total = 30000
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	addr := rsyslogtest.FreeAddr(t)
	child := startRELPChild(t, vdir, addr)
	defer func() { _ = child.cmd.Process.Kill() }()
	rsyslogtest.WaitListening(t, addr, 10*time.Second)
	inAddr := rsyslogtest.Forward(t, addr)

	// Feed rsyslog over TCP in the background, paced a little so that the kills land
	// while messages are flowing.
	fed := rsyslogtest.Feed(t, inAddr, total, 10*time.Millisecond)

	// Kill when a quarter, a half and three quarters have arrived, each time starting
	// again on the same vault and port.
	for k := uint64(1); k <= 3; k++ {
		at := child.waitSize(t, total*k/4, 20*time.Second)
		child.stop(t, syscall.SIGKILL)
		t.Logf("killed with SIGKILL at %d events (last report)", at)
		child = startRELPChild(t, vdir, addr)
	}
	if err := <-fed; err != nil {
		t.Fatalf("feeding rsyslog: %v", err)
	}
	// rsyslog resends what was in flight when a session broke only after omrelp's 5 s
	// acknowledgement timeout and its 1 s resume interval: a quieter spell than that is not
	// the end of the stream (with 3 s, CI counted the last 108 messages missing).
	child.settle(t, total, 10*time.Second, 40*time.Second)
	child.stop(t, syscall.SIGTERM)

	missing, dups := rsyslogtest.Tally(t, vdir, testOrg, total)
	if len(missing) > 0 {
		t.Fatalf("%d of %d messages lost after the kill, first %v", len(missing), total, missing[:min(len(missing), 10)])
	}
	t.Logf("all %d messages stored; %d stored twice (resent after the kill)", total, dups)
}
