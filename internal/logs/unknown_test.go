package logs_test

import (
	"bufio"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestUnknownSenderRegisteredFromSourcesPage sends from an unregistered address over UDP
// and TCP, and requires what a security manager needs to find and fix it: the sources
// page lists the address per transport with its count and the line it sent (in English
// and Chinese), a "register" link fills in the form, and after one registration the
// address's messages are stored over UDP, TCP and RELP (sent by a real rsyslog with
// omrelp) under that one source. The listeners' counters are Prometheus metrics for the
// installation's operations role. Before, the unknown sender was only counted inside the
// listener, its TCP connection was reset unread, and no page or metric showed it.
func TestUnknownSenderRegisteredFromSourcesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		m := module(t, env)
		if err := m.Listen(logs.ListenerConfig{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", RELP: "127.0.0.1:0"}); err != nil {
			t.Fatal(err)
		}
		ls := m.Listeners()
		udpAddr, tcpAddr, relpAddr := ls[0].Addr().String(), ls[1].Addr().String(), ls[2].Addr().String()
		sendUDP := func(line string) {
			c, err := net.Dial("udp", udpAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprint(c, line)
		}
		sendTCP := func(line string) {
			c, err := net.Dial("tcp", tcpAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprint(c, line+"\n")
		}
		udpLine := "<13>Dec  2 08:00:00 fw-new kernel: unknownprobe DROP IN=eth0 SRC=203.0.113.9 <b>"
		tcpLine := "<13>Dec  2 08:00:01 fw-new sshd: unknownprobe over tcp"
		sendUDP(udpLine)
		sendTCP(tcpLine)
		waitUnknown := func(n uint64) {
			deadline := time.Now().Add(10 * time.Second)
			for ls[0].Stats().UnknownSender+ls[1].Stats().UnknownSender < n {
				if time.Now().After(deadline) {
					t.Fatalf("the listeners counted %d and %d unknown senders; want %d", ls[0].Stats().UnknownSender, ls[1].Stats().UnknownSender, n)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		waitUnknown(2)

		admin := env.Login(t, "admin@grid.demo")
		org := orgOf(t, env, "admin@grid.demo")
		_, page := admin.Do("GET", "/vault/sources", nil, nil)
		section := between(t, page, `<section id="unknown-senders">`, `</section>`)
		for _, want := range []string{"Senders not registered", "127.0.0.1", ">UDP<", ">TCP<", html.EscapeString(udpLine), html.EscapeString(tcpLine),
			`href="/vault/sources?sender=127.0.0.1#add">Register</a>`} {
			if !strings.Contains(section, want) {
				t.Errorf("the sources page's unknown senders do not show %q:\n%s", want, section)
			}
		}
		if res, _ := admin.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		_, page = admin.Do("GET", "/vault/sources", nil, nil)
		section = between(t, page, `<section id="unknown-senders">`, `</section>`)
		for _, want := range []string{"未登记的发送方", "拒收次数", ">登记</a>"} {
			if !strings.Contains(section, want) {
				t.Errorf("the Chinese page's unknown senders do not show %q", want)
			}
		}
		// The API says the same to the roles that register sources; an analyst, who
		// cannot register, sees neither the list nor the section.
		var list struct {
			Unknown []logs.UnknownSender `json:"unknown_senders"`
			Shown   bool
		}
		_, body := admin.Do("GET", "/api/v1/vault/unknown-senders", nil, nil)
		decode(t, body, &list)
		got := map[string]string{}
		for _, u := range list.Unknown {
			got[u.Address+" "+u.Transport] = fmt.Sprintf("%d %s", u.Count, u.Sample)
		}
		if len(list.Unknown) != 2 || !list.Shown || got["127.0.0.1 udp"] != "1 "+udpLine || got["127.0.0.1 tcp"] != "1 "+tcpLine {
			t.Fatalf("GET /api/v1/vault/unknown-senders: %s", body)
		}
		an := env.Login(t, "analyst@grid.demo")
		if res, _ := an.Do("GET", "/api/v1/vault/unknown-senders", nil, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("analyst reads the unknown senders: %d, want 403", res.StatusCode)
		}
		if _, p := an.Do("GET", "/vault/sources", nil, nil); strings.Contains(p, "unknown-senders") {
			t.Error("the analyst's sources page lists unknown senders")
		}

		// "Register" fills in the form; submitting it registers the address once.
		_, page = admin.Do("GET", "/vault/sources?sender=127.0.0.1", nil, nil)
		if !strings.Contains(page, `name="sender" type="text" value="127.0.0.1"`) {
			t.Fatalf("the register link does not fill in the sender:\n%s", between(t, page, `id="add"`, `</form>`))
		}
		res, _ := admin.Do("POST", "/vault/sources", url.Values{"_csrf": {admin.CSRF}, "name": {"fw-new"}, "kind": {"syslog"}, "sender": {"127.0.0.1"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("register fw-new: %d", res.StatusCode)
		}
		_, body = admin.Do("GET", "/api/v1/vault/unknown-senders", nil, nil)
		decode(t, body, &list)
		if len(list.Unknown) != 0 {
			t.Errorf("a registered address is still listed as unknown: %s", body)
		}
		n0 := size(t, env, org)
		sendUDP("<13>Dec  2 08:01:00 fw-new kernel: knownprobe over udp")
		sendTCP("<13>Dec  2 08:01:00 fw-new kernel: knownprobe over tcp")
		relpSent := sendViaRsyslogRELP(t, relpAddr, 50)
		want := n0 + 2 + uint64(relpSent)
		deadline := time.Now().Add(15 * time.Second)
		for size(t, env, org) < want {
			if time.Now().After(deadline) {
				t.Fatalf("the vault holds %d events; want %d (UDP, TCP and %d over RELP)", size(t, env, org), want, relpSent)
			}
			time.Sleep(50 * time.Millisecond)
		}
		var found struct {
			Events []struct {
				SourceID int64 `json:"source_id"`
			}
		}
		_, body = admin.Do("GET", "/api/v1/vault/search?limit=1000&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&q=knownprobe", nil, nil)
		decode(t, body, &found)
		if len(found.Events) != 2+relpSent {
			t.Fatalf("search knownprobe: %d events, want %d", len(found.Events), 2+relpSent)
		}
		for _, e := range found.Events {
			if e.SourceID != found.Events[0].SourceID || e.SourceID == 0 {
				t.Fatalf("events of one address under several sources: %s", body)
			}
		}

		// The counters as Prometheus reads them, for the installation's operations role.
		ops := env.Login(t, "ops@ciiguard.demo")
		res, body = ops.Do("GET", "/metrics", nil, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/metrics as operations: %d", res.StatusCode)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("Prometheus cannot parse the scrape: %v", err)
		}
		value := func(name, transport string) float64 {
			for _, mm := range fams[name].GetMetric() {
				lt := ""
				for _, l := range mm.GetLabel() {
					if l.GetName() == "transport" {
						lt = l.GetValue()
					}
				}
				if lt == transport {
					return mm.GetCounter().GetValue()
				}
			}
			t.Errorf("no sample %s{transport=%q}", name, transport)
			return -1
		}
		for _, c := range []struct {
			name, transport string
			min, max        float64
		}{
			{"ciiguard_syslog_unknown_sender_total", "udp", 1, 1},
			{"ciiguard_syslog_unknown_sender_total", "tcp", 1, 1},
			{"ciiguard_syslog_unknown_sender_total", "relp", 0, 0},
			{"ciiguard_syslog_messages_total", "udp", 1, 1},
			{"ciiguard_syslog_messages_total", "relp", float64(relpSent), float64(relpSent)},
			{"ciiguard_syslog_udp_dropped_total", "udp", 0, 0},
			{"ciiguard_syslog_append_errors_total", "tcp", 0, 0},
			{"ciiguard_syslog_unparsed_total", "tcp", 0, 0},
			{"ciiguard_syslog_relp_acked_total", "", float64(relpSent), float64(relpSent)},
			{"ciiguard_syslog_relp_sessions_total", "", 1, 10},
		} {
			if v := value(c.name, c.transport); v < c.min || v > c.max {
				t.Errorf("%s{transport=%q} = %v, want %v..%v", c.name, c.transport, v, c.min, c.max)
			}
		}
		if res, _ := admin.Do("GET", "/metrics", nil, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("a tenant administrator reads /metrics: %d, want 403", res.StatusCode)
		}

		// An installation that does not show unknown senders lists none, on the page
		// or in the API.
		// Another loopback address is not registered: listed while the list is on.
		other, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).Dial("tcp", tcpAddr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(other, "<13>Dec  2 08:02:00 fw-other kernel: hidden\n")
		other.Close()
		waitUnknown(3)
		_, body = admin.Do("GET", "/api/v1/vault/unknown-senders", nil, nil)
		decode(t, body, &list)
		if len(list.Unknown) != 1 || list.Unknown[0].Address != "127.0.0.2" {
			t.Fatalf("127.0.0.2 is not listed: %s", body)
		}
		m.SetShowUnknown(false)
		_, body = admin.Do("GET", "/api/v1/vault/unknown-senders", nil, nil)
		list.Shown = true
		decode(t, body, &list)
		if list.Shown || len(list.Unknown) != 0 || !strings.Contains(body, `"unknown_senders": []`) {
			t.Errorf("with the list off: %s", body)
		}
		if _, p := admin.Do("GET", "/vault/sources", nil, nil); strings.Contains(p, "unknown-senders") {
			t.Error("with the list off, the sources page still has the section")
		}
	})
}

// between returns the part of s from the first start to the following end, or fails.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no %q in the page", start)
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		t.Fatalf("no %q after %q", end, start)
	}
	return s[i : i+j+len(end)]
}

// sendViaRsyslogRELP has a real rsyslog forward n messages to addr with omrelp and
// returns n once rsyslog has read them; it skips the test's RELP part (returning 0) when
// rsyslog or its RELP module is not installed.
func sendViaRsyslogRELP(t *testing.T, addr string, n int) int {
	t.Helper()
	rsyslogd, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Log("rsyslogd not installed (scripts/install-test-deps.sh); RELP not tested here")
		return 0
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so"); err != nil {
		t.Log("rsyslog-relp not installed (scripts/install-test-deps.sh); RELP not tested here")
		return 0
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inAddr := l.Addr().String()
	l.Close()
	_, inPort, _ := net.SplitHostPort(inAddr)
	_, relpPort, _ := net.SplitHostPort(addr)
	conf := fmt.Sprintf(`
global(workDirectory=%q)
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" address="127.0.0.1" port="%s")
action(type="omrelp" target="127.0.0.1" port="%s" action.resumeRetryCount="-1" action.resumeInterval="1")
`, dir, inPort, relpPort)
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
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("rsyslogd output:\n%s", out.String())
		}
	})
	var c net.Conn
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err = net.Dial("tcp", inAddr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslog does not listen on %s: %v\n%s", inAddr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	w := bufio.NewWriter(c)
	for i := range n {
		fmt.Fprintf(w, "<134>1 2026-12-02T08:00:00Z fw-new relpapp - - - knownprobe over relp %d\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return n
}
