package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest/rsyslogtest"
	vstoretest "ciiguard/internal/vault/storetest"
)

// clusterNode is one `ciiguard serve` child process of the cluster test.
type clusterNode struct {
	name, url, data, log string
	syslog               string // its --syslog-tcp address
	args                 []string
	child                *servedChild
	mu                   sync.Mutex
	dead                 bool
}

func (n *clusterNode) isDead() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.dead
}

// start runs the node in a child process, its log in n.log.
func (n *clusterNode) start(t *testing.T) {
	t.Helper()
	f, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveChildEnv+"="+strings.Join(n.args, "\n"))
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); f.Close() }()
	n.child = &servedChild{cmd: cmd}
}

// kill9 kills the node with SIGKILL: no request finishes, nothing is released.
func (n *clusterNode) kill9() {
	n.mu.Lock()
	n.dead = true
	n.mu.Unlock()
	_ = n.child.cmd.Process.Kill()
}

// ledger is what the senders know: the ids whose batch a node acknowledged (200), and
// the ids of attempts that failed in a way that may have stored them (the connection
// broke, or a 5xx), which a sender resends, so that only those may be stored twice.
type ledger struct {
	mu     sync.Mutex
	acked  map[int]bool
	maybe  map[int]bool
	acks   []ackTime
	byNode map[string]int // batches acknowledged by each node
}

// ackTime is when an acknowledged attempt was sent and when its answer came.
type ackTime struct{ sent, at time.Time }

func (l *ledger) ack(node string, ids []int, sent, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.acked[id] = true
	}
	l.acks = append(l.acks, ackTime{sent, at})
	l.byNode[node]++
}

func (l *ledger) nodesAcking() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byNode)
}

func (l *ledger) attempted(ids []int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.maybe[id] = true
	}
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// firstAckAfter is the first acknowledgement of an attempt sent at or after t, or the
// zero time: an answer to a request sent before t may arrive after it.
func (l *ledger) firstAckAfter(t time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for _, a := range l.acks {
		if !a.sent.Before(t) && (first.IsZero() || a.at.Before(first)) {
			first = a.at
		}
	}
	return first
}

// TestClusterSurvivesKill9 runs three `ciiguard serve` processes on loopback sharing one
// PostgreSQL store (frames and leases) and one MinIO bucket with Object Lock, the vault's
// writer lease at 3 s. Six senders post numbered events through all three nodes at once,
// each batch to the next node, retrying a refused batch on the next node after the
// answer's Retry-After with the batch's Idempotency-Key as a real sender would. Under that
// load the writer is killed with SIGKILL. Another node must take over within the lease
// time (plus the rebuild); every acknowledged id must be stored exactly once, also those
// whose batch was stored by the dead writer and sent again because its answer was lost;
// the checkpoint after the failover must extend the
// one before (consistency proof checked with transparency-dev/merkle, under the one
// shared key); a search through each surviving node must return the same events; and a
// stored segment's locked version must refuse deletion.
func TestClusterSurvivesKill9(t *testing.T) {
	cs := startClusterStore(t, "集群电力", "Cluster Power")
	began, ctx, srv, db, password := cs.began, context.Background(), cs.minio, cs.db, clusterPassword

	const lease = 3 * time.Second
	nodes := clusterNodes(t, cs, 3, "cluster", lease, func(n *clusterNode) []string {
		n.syslog = rsyslogtest.FreeAddr(t)
		return []string{"--syslog-tcp", n.syslog}
	})
	// The first node makes the vault's signing key; the others start with a copy of it
	// (docs/scale-out.md: every node signs the organisation's checkpoints).
	nodes[0].start(t)
	rsyslogtest.WaitListening(t, strings.TrimPrefix(nodes[0].url, "http://"), 60*time.Second)
	for _, n := range nodes[1:] {
		copyKey(t, filepath.Join(nodes[0].data, "vault", "vault.key"), n.data)
		n.start(t)
	}
	for _, n := range nodes[1:] {
		rsyslogtest.WaitListening(t, strings.TrimPrefix(n.url, "http://"), 60*time.Second)
	}
	t.Logf("three nodes listening after %v", time.Since(began).Round(time.Millisecond))

	web := signIn(t, nodes[0].url, "admin@test.cn", password)
	res, body := web.do(t, "POST", "/api/v1/vault/sources", `{"name":"load","kind":"http"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register an HTTP source: %d %s", res.StatusCode, body)
	}
	var created struct{ Token string }
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Token == "" {
		t.Fatalf("the source's token: %v in %s", err, body)
	}
	if res, body := web.do(t, "POST", "/api/v1/vault/sources", `{"name":"syslog","kind":"syslog","sender":"127.0.0.1"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("register 127.0.0.1: %d %s", res.StatusCode, body)
	}

	led := &ledger{acked: map[int]bool{}, maybe: map[int]bool{}, byNode: map[string]int{}}
	stop := make(chan struct{})
	var senders sync.WaitGroup
	client := &http.Client{Timeout: 45 * time.Second}
	const nSenders, batch = 6, 25
	for s := range nSenders {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				ids := make([]int, batch)
				var lines bytes.Buffer
				for i := range ids {
					ids[i] = s*1_000_000 + b*batch + i
					fmt.Fprintf(&lines, `{"message":"clusterload %d"}`+"\n", ids[i])
				}
				for attempt := 0; ; attempt++ {
					n := nodes[(s+b+attempt)%len(nodes)]
					if n.isDead() && attempt < len(nodes) {
						continue // a sender told the node is gone tries the next one
					}
					select {
					case <-stop:
						if attempt > 0 {
							return // given up: this batch is not acknowledged
						}
					default:
					}
					req, _ := http.NewRequest("POST", n.url+"/api/v1/vault/events", bytes.NewReader(lines.Bytes()))
					req.Header.Set("Authorization", "Bearer "+created.Token)
					req.Header.Set("Content-Type", "application/x-ndjson")
					req.Header.Set("Idempotency-Key", fmt.Sprintf(`"load-%d-%d"`, s, b))
					sent := time.Now()
					res, err := client.Do(req)
					wait := 200 * time.Millisecond
					if err == nil {
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode == http.StatusOK {
							led.ack(n.name, ids, sent, time.Now())
							break
						}
						if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
							led.attempted(ids)
						} else {
							t.Errorf("node %s refused a batch: %d", n.name, res.StatusCode)
							return
						}
						if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
							wait = time.Duration(ra) * time.Second
						}
					} else {
						led.attempted(ids)
					}
					time.Sleep(wait)
				}
			}
		}()
	}
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		senders.Wait()
	}
	defer stopLoad()

	waitFor := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after %v (%d events acknowledged)", what, within, led.count())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("1,500 events acknowledged", 60*time.Second, func() bool { return led.count() >= 1500 })
	// Any node takes ingest: the two that are not the writer forward it.
	waitFor("a batch acknowledged by each of the three nodes", 30*time.Second, func() bool { return led.nodesAcking() == len(nodes) })

	// The writer, as the lease row says: the node to kill.
	var holder string
	if err := db.QueryRow(`SELECT holder FROM cluster_leases WHERE name = 'vault:org:1'`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	var writer *clusterNode
	var survivors []*clusterNode
	for _, n := range nodes {
		if n.name == holder {
			writer = n
		} else {
			survivors = append(survivors, n)
		}
	}
	if writer == nil {
		t.Fatalf("the writer lease is held by %q, none of the nodes", holder)
	}
	at := func(n *clusterNode) *webClient { c := *web; c.base = n.url; return &c }
	// A syslog sender on a plain TCP connection to a node that is not the writer, through
	// the kill: its batches wait for a writer, so every line it wrote must be stored.
	syslogSent, stopSyslog := syslogLoad(t, survivors[0], at(survivors[0]))
	defer stopSyslog()
	before := checkpointOf(t, at(writer))
	writer.kill9()
	killed := time.Now()
	ackedAtKill := led.count()
	t.Logf("killed the writer %s with SIGKILL at %d events acknowledged (checkpoint at %d)", writer.name, ackedAtKill, before.Size)

	waitFor("an event acknowledged after the kill", lease+45*time.Second, func() bool { return !led.firstAckAfter(killed).IsZero() })
	failover := led.firstAckAfter(killed).Sub(killed)
	t.Logf("failover: first acknowledgement %v after the kill (lease %v)", failover.Round(time.Millisecond), lease)
	if limit := lease + 20*time.Second; failover > limit {
		t.Errorf("failover took %v, want within the lease plus the rebuild (%v)", failover, limit)
	}
	waitFor("1,000 more events acknowledged after the failover", 60*time.Second, func() bool { return led.count() >= ackedAtKill+1000 })
	stopLoad()
	stopSyslog()
	waitAll(t, at(survivors[1]), "clustersyslog", `seq=(\d+) end`, *syslogSent)
	t.Logf("all %d syslog lines sent over TCP to %s, not the writer, through the kill are stored", *syslogSent, survivors[0].name)

	led.mu.Lock()
	acked, maybe := len(led.acked), len(led.maybe)
	led.mu.Unlock()
	after := checkpointOf(t, at(survivors[0]))
	if after.VerifierKey != before.VerifierKey {
		t.Errorf("the new writer signs under %s, the old one under %s: the nodes must share the key", after.VerifierKey, before.VerifierKey)
	}
	sizeA, rootA, err := vault.OpenCheckpoint([]byte(before.Note), before.VerifierKey, vault.Origin(1))
	if err != nil {
		t.Fatal(err)
	}
	sizeB, rootB, err := vault.OpenCheckpoint([]byte(after.Note), before.VerifierKey, vault.Origin(1))
	if err != nil {
		t.Fatalf("the checkpoint after the failover under the cluster's key: %v", err)
	}
	if sizeB < sizeA+uint64(acked-ackedAtKill) {
		t.Errorf("checkpoint after the failover at %d, before at %d, and %d events acknowledged since", sizeB, sizeA, acked-ackedAtKill)
	}
	res, body = at(survivors[1]).do(t, "GET", fmt.Sprintf("/api/v1/vault/proof/consistency?from=%d&to=%d", sizeA, sizeB), "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("consistency proof %d→%d: %d %s", sizeA, sizeB, res.StatusCode, body)
	}
	var cp struct{ Hashes []string }
	if err := json.Unmarshal([]byte(body), &cp); err != nil {
		t.Fatal(err)
	}
	hashes := make([][]byte, len(cp.Hashes))
	for i, h := range cp.Hashes {
		if hashes[i], err = base64.StdEncoding.DecodeString(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, sizeA, sizeB, hashes, rootA[:], rootB[:]); err != nil {
		t.Errorf("the checkpoint after the failover does not extend the one before: %v", err)
	}

	// What each surviving node's search returns.
	var stored map[int]int
	for _, n := range survivors {
		got := searchAll(t, at(n), "clusterload")
		if stored == nil {
			stored = got
			continue
		}
		if !maps.Equal(stored, got) {
			t.Errorf("%s's search returns %d distinct ids, %s's %d", survivors[0].name, len(stored), n.name, len(got))
		}
	}
	led.mu.Lock()
	var missing, twice, invented []int
	for id := range led.acked {
		if stored[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id, k := range stored {
		if !led.acked[id] && !led.maybe[id] {
			invented = append(invented, id)
		}
		if k > 1 {
			twice = append(twice, id)
		}
	}
	led.mu.Unlock()
	sort.Ints(missing)
	sort.Ints(twice)
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged events are missing, first %v", len(missing), acked, missing[:min(10, len(missing))])
	}
	if len(twice) > 0 || len(invented) > 0 {
		t.Errorf("%d events stored more than once, first %v; stored though never sent: %v", len(twice), twice[:min(10, len(twice))], invented[:min(10, len(invented))])
	}
	t.Logf("%d events acknowledged, %d distinct stored, %d more than once (%d ids were in a batch sent again after an attempt that failed)", acked, len(stored), len(twice), maybe)

	// The stored segments are locked: the bucket refuses to delete a version.
	var locked string
	var version string
	for o := range srv.Client.ListObjects(ctx, "vault", minio.ListObjectsOptions{Prefix: "cluster/", Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if strings.HasSuffix(o.Key, ".dat") {
			locked, version = o.Key, o.VersionID
			break
		}
	}
	if locked == "" {
		t.Fatal("no segment reached object storage")
	}
	if err := srv.Client.RemoveObject(ctx, "vault", locked, minio.RemoveObjectOptions{VersionID: version}); err == nil {
		t.Errorf("the bucket deleted %s (version %s) inside its lock", locked, version)
	}
	t.Logf("the whole test took %v", time.Since(began).Round(time.Millisecond))
}

// clusterCheckpoint is the part of GET /api/v1/vault/checkpoint the test reads.
type clusterCheckpoint struct {
	Size        uint64
	Note        string
	VerifierKey string `json:"verifier_key"`
}

func checkpointOf(t *testing.T, c *webClient) clusterCheckpoint {
	t.Helper()
	var cp clusterCheckpoint
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, body := c.do(t, "GET", "/api/v1/vault/checkpoint", "")
		if res.StatusCode == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &cp); err != nil {
				t.Fatal(err)
			}
			return cp
		}
		if res.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("checkpoint from %s: %d %s", c.base, res.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// searchAll counts each id of the "clusterload ID" messages a search for q finds (every
// message it finds must be one).
func searchAll(t *testing.T, c *webClient, q string) map[int]int {
	t.Helper()
	out := map[int]int{}
	for msg, n := range searchSeq(t, c, q, `(?s)^(.*)$`) {
		id, err := strconv.Atoi(strings.TrimPrefix(msg, "clusterload "))
		if err != nil {
			t.Fatalf("search on %s: event %q", c.base, msg)
		}
		out[id] += n
	}
	return out
}

// syslogLoad writes numbered lines ("clustersyslog seq=N end"), one every 5 ms, over one
// TCP connection to n's syslog listener until stop is called, which returns once the
// connection is closed; *sent is then how many were written. It first waits until n
// knows the syslog source (its sender table is reloaded within 5 s of a change made on
// another node): until then n refuses the connection as an unknown sender's.
func syslogLoad(t *testing.T, n *clusterNode, c *webClient) (sent *int, stop func()) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		conn, err := net.Dial("tcp", n.syslog)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fmt.Fprintf(conn, "<134>1 - fw03 clustersyslog - - - clustersyslog seq=0 end\n")
		conn.Close()
		time.Sleep(300 * time.Millisecond)
		if searchSeq(t, c, "clustersyslog", `seq=(\d+) end`)["0"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not take syslog from 127.0.0.1 within 20 s", n.name)
		}
	}
	conn, err := net.Dial("tcp", n.syslog)
	if err != nil {
		t.Fatal(err)
	}
	sent = new(int)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close()
		for i := 1; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			_ = conn.SetWriteDeadline(time.Now().Add(40 * time.Second))
			if _, err := fmt.Fprintf(conn, "<134>1 - fw03 clustersyslog - - - clustersyslog seq=%d end\n", i); err != nil {
				t.Errorf("syslog to %s: %v", n.name, err)
				return
			}
			*sent = i
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var once sync.Once
	return sent, func() { once.Do(func() { close(quit); <-done }) }
}

// clusterPassword is the password of the cluster tests' administrator, admin@test.cn.
const clusterPassword = "correct horse battery staple"

// clusterStore is what the cluster tests' nodes share: a MinIO with the bucket "vault", a
// PostgreSQL store holding one operator (organisation 1) and its administrator, and a
// connection to that store. It is stopped and closed when the test ends.
type clusterStore struct {
	began time.Time
	minio *vstoretest.MinIO
	dsn   string
	db    *sql.DB
}

// startClusterStore starts the shared parts for a test of several `ciiguard serve` nodes;
// it skips the test without PostgreSQL or MinIO, as make test provides both.
func startClusterStore(t *testing.T, nameZh, nameEn string) clusterStore {
	t.Helper()
	storetest.Require(t, store.Postgres)
	bin := vstoretest.MinIOBinary()
	if bin == "" {
		t.Skip("no MinIO: set CIIGUARD_TEST_MINIO (make test does)")
	}
	cs := clusterStore{began: time.Now()}
	srv, err := vstoretest.StartMinIO(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	if err := srv.Bucket(context.Background(), "vault"); err != nil {
		t.Fatal(err)
	}
	setup := t.TempDir() // the data directory the organisation and user are added with
	cs.minio, cs.dsn = srv, storetest.DSN(t, store.Postgres)
	if _, _, err := cli(t, "", "org", "add", "--data", setup, "--db", cs.dsn, "--kind", "operator", "--name-zh", nameZh, "--name-en", nameEn, "--uscc", "91110000MA00000012"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli(t, clusterPassword+"\n", "user", "add", "--data", setup, "--db", cs.dsn, "--org", "1", "--email", "admin@test.cn", "--name", "Admin", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	if cs.db, err = sql.Open("pgx", cs.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.db.Close() })
	return cs
}

// clusterNodes makes count `ciiguard serve` nodes, not started, on cs's store and MinIO
// (the vault under s3://vault/prefix, shared write-ahead frames, the writer lease lease,
// small blocks and segments so that they reach the object store), each with the flags
// extra gives it. The nodes are killed when the test ends; a failed test logs the end of
// each node's log.
func clusterNodes(t *testing.T, cs clusterStore, count int, prefix string, lease time.Duration, extra func(n *clusterNode) []string) []*clusterNode {
	t.Helper()
	logs := t.TempDir()
	nodes := make([]*clusterNode, count)
	for i := range nodes {
		addr := rsyslogtest.FreeAddr(t)
		n := &clusterNode{name: fmt.Sprintf("node-%d", i+1), url: "http://" + addr, data: t.TempDir(), log: filepath.Join(logs, fmt.Sprintf("node-%d.log", i+1))}
		n.args = append([]string{"serve", "--data", n.data, "--db", cs.dsn, "--addr", addr, "--node", n.name, "--node-url", n.url,
			"--vault-s3", "s3://vault/" + prefix, "--vault-s3-endpoint", cs.minio.Endpoint, "--vault-s3-insecure",
			"--vault-s3-access-key", cs.minio.User, "--vault-s3-secret-key", cs.minio.Password,
			"--vault-shared-wal", "--vault-lease", lease.String(),
			"--vault-block-events", "128", "--vault-segment-blocks", "4", "--log-level", "warn"}, extra(n)...)
		nodes[i] = n
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			if n.child != nil {
				n.child.kill()
			}
		}
		if t.Failed() {
			for _, n := range nodes {
				b, _ := os.ReadFile(n.log)
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("%s's log (end):\n%s", n.name, b)
			}
		}
	})
	return nodes
}
