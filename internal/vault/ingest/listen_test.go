package ingest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

const testOrg = 9

func newVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.Open(t.TempDir(), vault.Options{BlockBits: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

var anyone = StaticResolver{Default: &[2]int64{testOrg, 77}}

// waitFor polls the vault until a search for q returns want events.
func waitFor(t *testing.T, v *vault.Vault, q string, want int) []vault.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := v.Search(context.Background(), testOrg, vault.Query{Expr: q, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) >= want {
			return p.Events
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q: %d events after 10s, want %d", q, len(p.Events), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTCPFraming(t *testing.T) {
	v := newVault(t)
	l, err := ListenTCP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	m1 := "<14>1 2026-11-25T04:59:58Z h app - - - octet one\nwith newline"
	m2 := "<14>Nov 25 04:59:58 h app: newline two"
	fmt.Fprintf(c, "%d %s%s\n", len(m1), m1, m2)
	for i := range 500 {
		fmt.Fprintf(c, "<13>Nov 25 04:59:58 h app: burst %d\n", i)
	}
	fmt.Fprintf(c, "junk that is not syslog\n")
	c.Close()
	evs := waitFor(t, v, "", 503)
	if got := waitFor(t, v, `"octet one"`, 1); !strings.Contains(got[0].Message, "with newline") || got[0].SourceID != 77 {
		t.Fatalf("octet-counted message: %+v", got[0])
	}
	waitFor(t, v, `"newline two"`, 1)
	waitFor(t, v, "burst", 500)
	if evs[0].Format != vault.FormatRaw || l.Stats().Unparsed != 1 || l.Stats().Messages != 503 {
		t.Fatalf("raw line: %+v stats %+v", evs[0], l.Stats())
	}
}

func TestUnknownSenderDropped(t *testing.T) {
	v := newVault(t)
	l, err := ListenTCP("127.0.0.1:0", StaticResolver{}, v)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	samples := make(chan string, 4)
	l.Unknown = func(remote net.Addr, sample []byte) { samples <- remote.String() + " " + string(sample) }
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "<13>Nov 25 04:59:58 h app: hello\n")
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for l.Stats().UnknownSender == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Stats().UnknownSender != 1 {
		t.Fatalf("stats %+v", l.Stats())
	}
	// The first line is read before the connection is closed, and handed on as the
	// unknown sender's sample (before, the connection was closed unread).
	if got, want := <-samples, c.LocalAddr().String()+" <13>Nov 25 04:59:58 h app: hello"; got != want {
		t.Fatalf("unknown sender's sample %q, want %q", got, want)
	}
	if n, _ := v.Size(testOrg); n != 0 {
		t.Fatalf("%d events stored from an unknown sender", n)
	}
}

func needBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install util-linux rsyslog rsyslog-gnutls); skipping the real-sender test", name)
	}
	return p
}

func TestLogger(t *testing.T) {
	logger := needBinary(t, "logger")
	v := newVault(t)
	tcp, err := ListenTCP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := ListenUDP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	tport := fmt.Sprint(tcp.Addr().(*net.TCPAddr).Port)
	uport := fmt.Sprint(udp.Addr().(*net.UDPAddr).Port)
	runs := []struct {
		args []string
		tag  string
		fmt  string
	}{
		{[]string{"--tcp", "--octet-count", "-n", "127.0.0.1", "-P", tport, "--rfc5424"}, "tcp5424oc", vault.FormatRFC5424},
		{[]string{"--tcp", "-n", "127.0.0.1", "-P", tport, "--rfc3164"}, "tcp3164nl", vault.FormatRFC3164},
		{[]string{"--tcp", "--octet-count", "-n", "127.0.0.1", "-P", tport, "--rfc3164"}, "tcp3164oc", vault.FormatRFC3164},
		{[]string{"-d", "-n", "127.0.0.1", "-P", uport, "--rfc5424"}, "udp5424", vault.FormatRFC5424},
		{[]string{"-d", "-n", "127.0.0.1", "-P", uport, "--rfc3164"}, "udp3164", vault.FormatRFC3164},
	}
	for _, r := range runs {
		args := append(r.args, "-t", r.tag, "-p", "auth.warning", "denied tcp from 10.1.2.3 via", r.tag)
		if out, err := exec.Command(logger, args...).CombinedOutput(); err != nil {
			t.Fatalf("logger %v: %v %s", args, err, out)
		}
		evs := waitFor(t, v, "app:"+r.tag, 1)
		ev := evs[0]
		if ev.Format != r.fmt || ev.Severity != 4 || ev.Facility != 4 || !strings.Contains(ev.Message, "denied tcp from 10.1.2.3") || ev.Host == "" {
			t.Errorf("%s: %+v", r.tag, ev)
		}
	}
}

// testPKI writes a CA and a server certificate for localhost/127.0.0.1.
func testPKI(t *testing.T, dir string) *tls.Config {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ciiguard test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pemFile("ca.pem", "CERTIFICATE", caDER)
	// rsyslog's gtls driver verifies the server against ca.pem.
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

func TestRsyslog(t *testing.T) {
	rsyslogd := needBinary(t, "rsyslogd")
	logger := needBinary(t, "logger")
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"); err != nil {
		t.Skip("rsyslog-gnutls is not installed; skipping the rsyslog TLS test")
	}
	v := newVault(t)
	dir := t.TempDir()
	tcp, err := ListenTCP("127.0.0.1:0", anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	tl, err := ListenTLS("127.0.0.1:0", testPKI(t, dir), anyone, v)
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	sock := filepath.Join(dir, "in.sock")
	conf := fmt.Sprintf(`
global(workDirectory=%q DefaultNetstreamDriverCAFile=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q CreatePath="on")
action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1"
       StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost" template="RSYSLOG_SyslogProtocol23Format")
`, dir, filepath.Join(dir, "ca.pem"), sock, tcp.Addr().(*net.TCPAddr).Port, tl.Addr().(*net.TCPAddr).Port)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rsyslogd, "-n", "-f", confPath, "-i", filepath.Join(dir, "pid"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("rsyslogd output:\n%s", out.String())
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd did not create its socket: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range 20 {
		if o, err := exec.Command(logger, "-u", sock, "-t", "viarsyslog", "-p", "local4.err", fmt.Sprintf("vpn login failed user%d", i)).CombinedOutput(); err != nil {
			t.Fatalf("logger: %v %s", err, o)
		}
	}
	// Each message arrives twice: once over TCP, once over TLS.
	evs := waitFor(t, v, `app:viarsyslog "login failed"`, 40)
	for _, ev := range evs {
		if ev.Format != vault.FormatRFC5424 || ev.Severity != 3 || ev.Facility != 20 {
			t.Fatalf("event %+v", ev)
		}
	}
	if tl.Stats().Messages != 20 || tcp.Stats().Messages != 20 {
		t.Fatalf("tls %+v tcp %+v", tl.Stats(), tcp.Stats())
	}
}

// blockingSink stalls every Append until released, like a vault whose
// disk cannot keep up.
type blockingSink struct{ release chan struct{} }

func (s blockingSink) Append(ctx context.Context, org int64, evs []vault.Event) (uint64, error) {
	<-s.release
	return 0, nil
}

func TestUDPDropsCountedUnderBackPressure(t *testing.T) {
	sink := blockingSink{release: make(chan struct{})}
	l, err := ListenUDP("127.0.0.1:0", anyone, sink)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	// Keep sending (paced so the socket buffer is not what overflows)
	// until the listener's own queue is full and it counts drops.
	sent := 0
	deadline := time.Now().Add(10 * time.Second)
	for l.Stats().UDPDropped == 0 && time.Now().Before(deadline) {
		for range 1000 {
			fmt.Fprintf(c, "<13>Nov 25 04:59:58 h app: datagram %d", sent)
			sent++
		}
		time.Sleep(2 * time.Millisecond)
	}
	c.Close()
	st := l.Stats()
	close(sink.release)
	l.Close()
	if st.UDPDropped == 0 {
		t.Fatalf("no drops counted with a stalled sink: %+v", st)
	}
	if st.Messages < udpQueue {
		t.Fatalf("dropped before the queue of %d was full: %+v", udpQueue, st)
	}
	t.Logf("sent %d, received %d, dropped %d", sent, st.Messages, st.UDPDropped)
}

// TestUnknownSenderNotReset has an unregistered sender write 256 KB of lines and then
// wait for the server's end of the connection: it must see an orderly close, not a reset
// (before, the server closed the connection unread and the kernel answered the unread
// data with a reset: the "reset after its first 4 KB" of issue 16).
func TestUnknownSenderNotReset(t *testing.T) {
	v := newVault(t)
	l, err := ListenTCP("127.0.0.1:0", StaticResolver{}, v)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	line := "<13>Nov 25 04:59:58 h app: " + strings.Repeat("x", 100) + "\n"
	for range 256 << 10 / len(line) {
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	_ = c.(*net.TCPConn).CloseWrite()
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("the server ended the connection with %d bytes, %v; want an orderly close (EOF)", n, err)
	}
	if n, _ := v.Size(testOrg); n != 0 {
		t.Fatalf("%d events stored from an unknown sender", n)
	}
}
