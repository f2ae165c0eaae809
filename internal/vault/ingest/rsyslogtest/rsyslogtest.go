// Package rsyslogtest runs a real rsyslogd that forwards over RELP (omrelp), feeds it
// numbered messages and tallies which of them a vault stored: the harness the RELP kill -9
// tests of the ingest package and of the ciiguard command share. Tests only.
package rsyslogtest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// Word is in every message Feed writes, to search them by.
const Word = "relpkill"

// Forward starts rsyslogd, until the test ends, forwarding every message it receives on a
// TCP input to relpAddr over RELP with a queue that resends until acknowledged, and returns
// the input's address once it listens. It skips the test without rsyslogd or omrelp
// (scripts/install-test-deps.sh installs both); its output is logged if the test fails.
func Forward(t testing.TB, relpAddr string) string {
	t.Helper()
	rsyslogd, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd is not installed (scripts/install-test-deps.sh)")
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so"); err != nil {
		t.Skip("rsyslog-relp is not installed (scripts/install-test-deps.sh)")
	}
	inAddr := FreeAddr(t)
	_, relpPort, _ := net.SplitHostPort(relpAddr)
	_, inPort, _ := net.SplitHostPort(inAddr)
	dir := t.TempDir()
	conf := fmt.Sprintf(`
global(workDirectory=%q)
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" address="127.0.0.1" port="%s")
action(type="omrelp" target="127.0.0.1" port="%s" timeout="5" conn.timeout="2"
       queue.type="LinkedList" queue.size="100000" action.resumeRetryCount="-1" action.resumeInterval="1")
`, dir, inPort, relpPort)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := exec.Command(rsyslogd, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslog.pid"))
	var out strings.Builder
	rs.Stdout, rs.Stderr = &out, &out
	if err := rs.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = rs.Process.Kill()
		_ = rs.Wait()
		if t.Failed() {
			t.Logf("rsyslogd output:\n%s", out.String())
		}
	})
	WaitListening(t, inAddr, 10*time.Second)
	return inAddr
}

// Feed writes messages 1 to total ("relpseq=N") to rsyslog's input in the background,
// pausing after every 500 so that kills land while messages flow, then closes the
// connection; the channel says how the writing ended.
func Feed(t testing.TB, inAddr string, total int, pause time.Duration) <-chan error {
	t.Helper()
	in, err := net.Dial("tcp", inAddr)
	if err != nil {
		t.Fatal(err)
	}
	fed := make(chan error, 1)
	go func() {
		defer in.Close()
		w := bufio.NewWriter(in)
		for i := 1; i <= total; i++ {
			fmt.Fprintf(w, "<134>1 2026-12-02T08:00:00Z fw01 %s - - - relpseq=%d end\n", Word, i)
			if i%500 == 0 {
				if err := w.Flush(); err != nil {
					fed <- err
					return
				}
				time.Sleep(pause)
			}
		}
		fed <- w.Flush()
	}()
	return fed
}

var seqRE = regexp.MustCompile(`relpseq=(\d+) end`)

// Tally reads the organisation's fed messages from the vault in dir, read-only, and
// returns the numbers missing and how many were stored more than once (resent after a
// kill). A message without a number in 1..total fails the test.
func Tally(t testing.TB, dir string, org int64, total int) (missing []int, dups int) {
	t.Helper()
	v, err := vault.OpenReadOnly(dir, vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	seen := make([]int, total+1)
	for cursor := ""; ; {
		p, err := v.Search(context.Background(), org, vault.Query{Expr: Word, Limit: 10000, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Events {
			m := seqRE.FindStringSubmatch(ev.Message)
			if m == nil {
				t.Fatalf("event without a sequence number: %q", ev.Message)
			}
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > total {
				t.Fatalf("sequence number %d out of range", n)
			}
			seen[n]++
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	for i := 1; i <= total; i++ {
		if seen[i] == 0 {
			missing = append(missing, i)
		}
		dups += max(seen[i]-1, 0)
	}
	return missing, dups
}

// FreeAddr is a loopback TCP address nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitListening waits until something accepts connections on addr.
func WaitListening(t testing.TB, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after %s: %v", addr, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
