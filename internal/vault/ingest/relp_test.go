package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

// relpClient is a hand-written RELP client for the tests: it writes frames as the
// protocol's grammar says and reads the server's answers.
type relpClient struct {
	t    *testing.T
	c    net.Conn
	r    *bufio.Reader
	txnr uint64
}

func dialRELP(t *testing.T, addr string) *relpClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return &relpClient{t: t, c: c, r: bufio.NewReader(c)}
}

func (rc *relpClient) send(cmd, data string) uint64 {
	rc.t.Helper()
	rc.txnr++
	frame := fmt.Sprintf("%d %s %d", rc.txnr, cmd, len(data))
	if data != "" {
		frame += " " + data
	}
	if _, err := rc.c.Write([]byte(frame + "\n")); err != nil {
		rc.t.Fatal(err)
	}
	return rc.txnr
}

// answer reads one frame from the server: its txnr, command and data.
func (rc *relpClient) answer() (uint64, string, string) {
	rc.t.Helper()
	f, err := readRELPFrame(rc.r)
	if err != nil {
		rc.t.Fatalf("read the server's answer: %v", err)
	}
	return f.txnr, f.cmd, string(f.data)
}

const relpOffer = "relp_version=0\nrelp_software=test,1\ncommands=syslog"

// TestRELPSession runs a session by hand: open, three messages sent at once, close. Each
// message is answered "200 OK" under its own transaction number, and when the answer
// arrives its event is already in the vault (durable: Append returned).
func TestRELPSession(t *testing.T) {
	v := newVault(t)
	l, err := ListenRELP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rc := dialRELP(t, l.Addr().String())
	open := rc.send("open", relpOffer)
	if n, cmd, data := rc.answer(); n != open || cmd != "rsp" || !strings.HasPrefix(data, "200 OK\n") || !strings.Contains(data, "commands=syslog") {
		t.Fatalf("open answered %d %s %q", n, cmd, data)
	}
	var sent []uint64
	for i := range 3 {
		sent = append(sent, rc.send("syslog", fmt.Sprintf("<13>1 2026-11-25T04:59:58Z fw01 relpapp - - - relp message %d", i)))
	}
	for i := range 3 {
		n, cmd, data := rc.answer()
		if n != sent[i] || cmd != "rsp" || data != "200 OK" {
			t.Fatalf("message %d answered %d %s %q; want %d rsp \"200 OK\"", i, n, cmd, data, sent[i])
		}
		if size, _ := v.Size(testOrg); size < uint64(i+1) {
			t.Fatalf("message %d acknowledged while the vault holds %d events", i, size)
		}
	}
	cl := rc.send("close", "")
	if n, cmd, _ := rc.answer(); n != cl || cmd != "rsp" {
		t.Fatalf("close answered %d %s", n, cmd)
	}
	evs := waitFor(t, v, `app:relpapp "relp message"`, 3)
	if evs[0].Format != vault.FormatRFC5424 || evs[0].Host != "fw01" || evs[0].SourceID != 77 {
		t.Fatalf("event %+v", evs[0])
	}
	if st := l.Stats(); st.RELPSessions != 1 || st.RELPAcked != 3 || st.Messages != 3 || st.RELPRefused != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestRELPBeforeOpen refuses a message sent before the session is open, and an open that
// does not offer the syslog command.
func TestRELPBeforeOpen(t *testing.T) {
	v := newVault(t)
	l, err := ListenRELP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rc := dialRELP(t, l.Addr().String())
	rc.send("syslog", "<13>Nov 25 04:59:58 h app: too early")
	if _, cmd, data := rc.answer(); cmd != "rsp" || !strings.HasPrefix(data, "500 ") {
		t.Fatalf("message before open answered %s %q; want 500", cmd, data)
	}
	rc.send("open", "relp_version=0\ncommands=other")
	if _, cmd, data := rc.answer(); cmd != "rsp" || !strings.HasPrefix(data, "500 ") {
		t.Fatalf("open without syslog answered %s %q; want 500", cmd, data)
	}
	if n, _ := v.Size(testOrg); n != 0 {
		t.Fatalf("%d events stored", n)
	}
}

// failingSink refuses every append, like a stopped organisation's log.
type failingSink struct{}

func (failingSink) Append(context.Context, int64, []vault.Event) (uint64, error) {
	return 0, errors.New("log stopped")
}

// TestRELPRefusedWhenNotStored answers 500 to a message the sink did not store, so the
// sender keeps it.
func TestRELPRefusedWhenNotStored(t *testing.T) {
	l, err := ListenRELP("127.0.0.1:0", anyone, failingSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rc := dialRELP(t, l.Addr().String())
	rc.send("open", relpOffer)
	rc.answer()
	n := rc.send("syslog", "<13>Nov 25 04:59:58 h app: not stored")
	if got, cmd, data := rc.answer(); got != n || cmd != "rsp" || !strings.HasPrefix(data, "500 ") {
		t.Fatalf("answered %d %s %q; want %d rsp 500", got, cmd, data, n)
	}
	if st := l.Stats(); st.RELPRefused != 1 || st.RELPAcked != 0 || st.AppendErrors != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestRELPUnknownSender answers an unregistered sender's first message 500, stores
// nothing, and hands the message to Unknown as the sample.
func TestRELPUnknownSender(t *testing.T) {
	v := newVault(t)
	l, err := ListenRELP("127.0.0.1:0", StaticResolver{}, v)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var samples []string
	l.Unknown = func(remote net.Addr, sample []byte) {
		mu.Lock()
		samples = append(samples, remote.(*net.TCPAddr).IP.String()+" "+string(sample))
		mu.Unlock()
	}
	defer l.Close()
	rc := dialRELP(t, l.Addr().String())
	rc.send("open", relpOffer)
	if _, _, data := rc.answer(); !strings.HasPrefix(data, "200 OK") {
		t.Fatalf("open: %q", data)
	}
	rc.send("syslog", "<13>Nov 25 04:59:58 fw9 app: who am i")
	if _, cmd, data := rc.answer(); cmd != "rsp" || !strings.HasPrefix(data, "500 ") || !strings.Contains(data, "not registered") {
		t.Fatalf("unknown sender's message answered %s %q; want 500 not registered", cmd, data)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Stats().UnknownSender == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(samples) != 1 || samples[0] != "127.0.0.1 <13>Nov 25 04:59:58 fw9 app: who am i" {
		t.Fatalf("unknown samples %q", samples)
	}
	if n, _ := v.Size(testOrg); n != 0 {
		t.Fatalf("%d events stored from an unknown sender", n)
	}
}

// TestParseRELPFrame checks the grammar against frames written by hand.
func TestParseRELPFrame(t *testing.T) {
	for _, c := range []struct {
		in      string
		txnr    uint64
		cmd     string
		data    string
		n       int
		wantErr error
	}{
		{"1 open 6 abcdef\n", 1, "open", "abcdef", 16, nil},
		{"12 syslog 3 a\nb\n", 12, "syslog", "a\nb", 16, nil},
		{"3 close 0\n", 3, "close", "", 10, nil},
		{"3 close 0 \n", 3, "close", "", 11, nil},
		{"999999999 rsp 6 200 OK\nrest", 999999999, "rsp", "200 OK", 23, nil},
		{"1 open 6 abc", 0, "", "", 0, errIncomplete},
		{"1 open 6 abcdef", 0, "", "", 0, errIncomplete},
		{"1 op", 0, "", "", 0, errIncomplete},
		{"", 0, "", "", 0, errIncomplete},
		{"1 open 6 abcdefX", 0, "", "", 0, errRELPFrame},
		{"x open 0\n", 0, "", "", 0, errRELPFrame},
		{"1234567890 open 0\n", 0, "", "", 0, errRELPFrame},
		{"1  open 0\n", 0, "", "", 0, errRELPFrame},
		{"1 open 999999 x\n", 0, "", "", 0, errRELPFrame},
		{"1 open -1\n", 0, "", "", 0, errRELPFrame},
		{"1 " + strings.Repeat("a", 33) + " 0\n", 0, "", "", 0, errRELPFrame},
	} {
		f, n, err := parseRELPFrame([]byte(c.in))
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%q: err %v, want %v", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || f.txnr != c.txnr || f.cmd != c.cmd || string(f.data) != c.data || n != c.n {
			t.Errorf("%q: %d %q %q %d %v; want %d %q %q %d", c.in, f.txnr, f.cmd, f.data, n, err, c.txnr, c.cmd, c.data, c.n)
		}
	}
}

// FuzzRELPFrame feeds arbitrary bytes to the frame parser: it never panics, never claims
// more bytes than it was given, a frame it accepts and writes back with appendRELP parses
// as the same frame, and reading the bytes through
// the buffered reader in any split agrees with parsing them at once.
func FuzzRELPFrame(f *testing.F) {
	for _, s := range []string{"1 open 6 abcdef\n", "3 close 0\n", "12 syslog 3 a\nb\n", "0 serverclose 0\n", "1 rsp 6 200 OK\n2 rsp 0\n", "9 x 99999999\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, n, err := parseRELPFrame(b)
		if err != nil {
			if !errors.Is(err, errIncomplete) && !errors.Is(err, errRELPFrame) {
				t.Fatalf("unexpected error kind %v", err)
			}
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("took %d of %d bytes", n, len(b))
		}
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		appendRELP(w, fr.txnr, fr.cmd, string(fr.data))
		w.Flush()
		back, m, err := parseRELPFrame(out.Bytes())
		if err != nil || m != out.Len() || back.txnr != fr.txnr || back.cmd != fr.cmd || !bytes.Equal(back.data, fr.data) {
			t.Fatalf("written back as %q, which parses as %+v %d %v; want %+v", out.String(), back, m, err, fr)
		}
		r := bufio.NewReaderSize(&oneByteReader{b: b}, relpReaderSize)
		rf, err := readRELPFrame(r)
		if err != nil || rf.txnr != fr.txnr || rf.cmd != fr.cmd || !bytes.Equal(rf.data, fr.data) {
			t.Fatalf("reader: %+v %v; parser: %+v", rf, err, fr)
		}
	})
}

// oneByteReader hands out its bytes one at a time, so a frame arrives in pieces.
type oneByteReader struct{ b []byte }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, fmt.Errorf("end: %w", errEOFTest)
	}
	p[0] = o.b[0]
	o.b = o.b[1:]
	return 1, nil
}

var errEOFTest = errors.New("no more bytes")
