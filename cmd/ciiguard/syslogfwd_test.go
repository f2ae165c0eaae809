package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/logs"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest/rsyslogtest"
)

// TestSyslogThroughNonWriter runs two `ciiguard serve` nodes on one PostgreSQL store and
// one MinIO bucket with --vault-shared-wal; node 1 writes the organisation's log and
// node 2, which does not, has the syslog listeners. A sender writes numbered lines over a
// plain TCP connection to node 2, and a real rsyslog forwards numbered lines to node 2
// over RELP (omrelp): every line must be found by a search on node 1, the writer. The
// internal route itself: a batch signed with the cluster's key is stored once; the same
// request again, one signed with another key and one a minute old are 401; signed
// correctly but sent to node 2, it is 503 naming node 1's URL.
func TestSyslogThroughNonWriter(t *testing.T) {
	cs := startClusterStore(t, "转发电力", "Forward Power")
	began, db, password := cs.began, cs.db, clusterPassword

	tcpAddr, relpAddr := rsyslogtest.FreeAddr(t), rsyslogtest.FreeAddr(t)
	nodes := clusterNodes(t, cs, 2, "fwd", 3*time.Second, func(n *clusterNode) []string {
		if n.name == "node-2" {
			return []string{"--syslog-tcp", tcpAddr, "--syslog-relp", relpAddr}
		}
		return nil
	})
	nodes[0].start(t)
	rsyslogtest.WaitListening(t, strings.TrimPrefix(nodes[0].url, "http://"), 60*time.Second)
	web := signIn(t, nodes[0].url, "admin@test.cn", password)
	// Node 1 becomes the writer: the first to touch the organisation's log.
	res, body := web.do(t, "POST", "/api/v1/vault/sources", `{"name":"http","kind":"http"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register an HTTP source: %d %s", res.StatusCode, body)
	}
	var created struct{ Token string }
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Token == "" {
		t.Fatalf("the source's token: %v in %s", err, body)
	}
	req, _ := http.NewRequest("POST", nodes[0].url+"/api/v1/vault/events", strings.NewReader(`{"message":"first on the writer"}`+"\n"))
	req.Header.Set("Authorization", "Bearer "+created.Token)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("ingest through node 1: %v %v", res, err)
	}
	if res, body := web.do(t, "POST", "/api/v1/vault/sources", `{"name":"syslog","kind":"syslog","sender":"127.0.0.1"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("register 127.0.0.1: %d %s", res.StatusCode, body)
	}
	var holder string
	if err := db.QueryRow(`SELECT holder FROM cluster_leases WHERE name = 'vault:org:1'`).Scan(&holder); err != nil || holder != nodes[0].name {
		t.Fatalf("the writer lease is held by %q (%v), want node 1", holder, err)
	}
	keyPath := filepath.Join(nodes[0].data, "vault", "vault.key")
	copyKey(t, keyPath, nodes[1].data)
	nodes[1].start(t)
	rsyslogtest.WaitListening(t, strings.TrimPrefix(nodes[1].url, "http://"), 60*time.Second)
	rsyslogtest.WaitListening(t, tcpAddr, 10*time.Second)
	t.Logf("two nodes listening after %v", time.Since(began).Round(time.Millisecond))

	// Plain TCP to node 2, newline framed, no timestamp (stored at reception time).
	const tcpLines, relpLines = 500, 2000
	conn, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(conn)
	for i := 1; i <= tcpLines; i++ {
		fmt.Fprintf(w, "<134>1 - fw02 fwdtcp - - - fwdtcp seq=%d end\n", i)
		if i%100 == 0 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// RELP from a real rsyslog to node 2 (skipped without rsyslog and omrelp).
	relp := false
	t.Run("rsyslog", func(t *testing.T) {
		inAddr := rsyslogtest.Forward(t, relpAddr)
		relp = true
		if err := <-rsyslogtest.Feed(t, inAddr, relpLines, 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		waitAll(t, web, rsyslogtest.Word, `relpseq=(\d+) end`, relpLines)
	})
	waitAll(t, web, "fwdtcp", `seq=(\d+) end`, tcpLines)
	t.Logf("every syslog line sent to node 2 is found on node 1 (RELP through rsyslog: %v) after %v", relp, time.Since(began).Round(time.Millisecond))

	// The internal route: what is signed and fresh is taken once.
	key, err := vault.NodeKeyFromFile(keyPath, logs.NodeKeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	leaf := vault.LeafData(&vault.Event{OrgID: 1, SourceID: 1, Received: time.Now().UTC().Truncate(time.Millisecond),
		Time: time.Now().UTC().Truncate(time.Millisecond), Facility: -1, Severity: -1, Message: "nodeauth direct", Format: vault.FormatRaw})
	batch := append(binary.AppendUvarint(nil, uint64(len(leaf))), leaf...)
	post := func(base string, key []byte, at time.Time, again *http.Request) (*http.Request, int, http.Header) {
		r, _ := http.NewRequest("POST", base+logs.NodeAppendPath, bytes.NewReader(batch))
		if again != nil {
			r.Header = again.Header.Clone()
		} else {
			logs.SignNodeRequest(r, key, 1, batch, at)
		}
		r.Header.Set("Content-Type", logs.NodeAppendType)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return r, res.StatusCode, res.Header
	}
	first, code, _ := post(nodes[0].url, key, time.Now(), nil)
	if code != http.StatusOK {
		t.Fatalf("a signed batch to the writer: %d", code)
	}
	for _, c := range []struct {
		name  string
		key   []byte
		at    time.Time
		again *http.Request
	}{
		{"the same request again", nil, time.Time{}, first},
		{"another key", bytes.Repeat([]byte{1}, 32), time.Now(), nil},
		{"a minute and a half old", key, time.Now().Add(-90 * time.Second), nil},
	} {
		if _, code, _ := post(nodes[0].url, c.key, c.at, c.again); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", c.name, code)
		}
	}
	if _, code, h := post(nodes[1].url, key, time.Now(), nil); code != http.StatusServiceUnavailable || h.Get(logs.WriterURLHeader) != nodes[0].url {
		t.Errorf("a signed batch to node 2, not the writer: %d, writer %q; want 503 naming %s", code, h.Get(logs.WriterURLHeader), nodes[0].url)
	}
	if err := db.QueryRow(`SELECT holder FROM cluster_leases WHERE name = 'vault:org:1'`).Scan(&holder); err != nil || holder != nodes[0].name {
		t.Errorf("the writer lease is held by %q (%v) at the end, want node 1 still: the lines were not all forwarded", holder, err)
	}
	if got := searchSeq(t, web, "nodeauth", `(direct)`); got["direct"] != 1 {
		t.Errorf("the directly signed event is stored %d times, want once", len(got))
	}
	t.Logf("the whole test took %v", time.Since(began).Round(time.Millisecond))
}

// copyKey gives a node's data directory the first node's vault signing key.
func copyKey(t *testing.T, from, data string) {
	t.Helper()
	key, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(data, "vault"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "vault", "vault.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitAll waits up to 30 s for a search of word on c to find every number 1..total that
// pattern's group reads from the messages.
func waitAll(t *testing.T, c *webClient, word, pattern string, total int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := searchSeq(t, c, word, pattern)
		var missing []int
		for i := 1; i <= total; i++ {
			if got[strconv.Itoa(i)] == 0 {
				missing = append(missing, i)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d lines not found on the writer after 30 s, first %v", word, len(missing), total, missing[:min(10, len(missing))])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// searchSeq pages through a search for word (events of the last and next three days) and
// counts each value of pattern's group in the messages.
func searchSeq(t *testing.T, c *webClient, word, pattern string) map[string]int {
	t.Helper()
	re := regexp.MustCompile(pattern)
	out := map[string]int{}
	vals := url.Values{"q": {word}, "limit": {"1000"},
		"from": {time.Now().Add(-72 * time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}}
	for {
		res, body := c.do(t, "GET", "/api/v1/vault/search?"+vals.Encode(), "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("search on %s: %d %s", c.base, res.StatusCode, body)
		}
		var page struct {
			Events []struct{ Message string }
			Next   string
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			if m := re.FindStringSubmatch(e.Message); m != nil {
				out[m[1]]++
			}
		}
		if page.Next == "" {
			return out
		}
		vals.Set("cursor", page.Next)
	}
}
