package logs

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Node-to-node authentication of the internal routes (docs/scale-out.md, *Syslog through
// any node*). A node proves it is one of the cluster's by an HMAC-SHA256 over the request
// with a key every node derives from the vault's signing key, which the nodes of a cluster
// share already. No user session or token is involved: the internal route acts for any
// organisation, which only a node may.
const (
	// NodeOrgHeader, NodeTimeHeader, NodeNonceHeader and NodeMACHeader carry the
	// organisation, the sending node's clock (Unix seconds), a random nonce (32 hex digits)
	// and the MAC (64 hex digits) of a node-to-node request.
	NodeOrgHeader   = "X-Ciiguard-Node-Org"
	NodeTimeHeader  = "X-Ciiguard-Node-Time"
	NodeNonceHeader = "X-Ciiguard-Node-Nonce"
	NodeMACHeader   = "X-Ciiguard-Node-Mac"
	// NodeBatchHeader carries the batch key of a node-to-node batch (the sending node's,
	// the same on every try), covered by the MAC: the writer stores the batch once.
	NodeBatchHeader = "X-Ciiguard-Node-Batch"
	// NodeKeyPurpose is the HKDF info of the node-to-node key (vault.NodeKey).
	NodeKeyPurpose = "ciiguard node-to-node v1: internal routes"
)

// nodeSkew is how far a request's time may be from the receiving node's clock: an older
// request is refused as a possible replay, and one from further ahead would stay valid
// for longer than the replay memory holds it.
const nodeSkew = time.Minute

// nodeMAC is the MAC of a node-to-node request: every part that decides what the request
// does (method, path, organisation, batch key, body) and the two that make it unique in
// time (time, nonce), one a line, the body by its SHA-256.
func nodeMAC(key []byte, method, path, org, ts, nonce, batch string, body []byte) []byte {
	sum := sha256.Sum256(body)
	mac := hmac.New(sha256.New, key)
	for _, part := range []string{"ciiguard-node-v2", method, path, org, ts, nonce, batch} {
		mac.Write([]byte(part))
		mac.Write([]byte{'\n'})
	}
	mac.Write([]byte(hex.EncodeToString(sum[:])))
	return mac.Sum(nil)
}

// SignNodeRequest sets the node-to-node headers of r (whose body is body) for the
// organisation org at time now.
func SignNodeRequest(r *http.Request, key []byte, org int64, body []byte, now time.Time) {
	var n [16]byte
	_, _ = rand.Read(n[:]) // crypto/rand.Read does not fail (Go 1.24+)
	nonce := hex.EncodeToString(n[:])
	o, ts := strconv.FormatInt(org, 10), strconv.FormatInt(now.Unix(), 10)
	r.Header.Set(NodeOrgHeader, o)
	r.Header.Set(NodeTimeHeader, ts)
	r.Header.Set(NodeNonceHeader, nonce)
	r.Header.Set(NodeMACHeader, hex.EncodeToString(nodeMAC(key, r.Method, r.URL.Path, o, ts, nonce, r.Header.Get(NodeBatchHeader), body)))
}

// errNodeAuth is the reason a node-to-node request is refused (401); it names what was
// wrong, never the key or the expected MAC.
type errNodeAuth struct{ reason string }

func (e *errNodeAuth) Error() string { return "node authentication: " + e.reason }

// nodeAuth checks node-to-node requests and remembers the nonces of those it accepted, so
// that a request captured on the way is not accepted twice.
type nodeAuth struct {
	key []byte
	now func() time.Time

	mu sync.Mutex
	// seen and older are the accepted nonces of this and the previous period of
	// 2 × nodeSkew: a nonce is remembered at least that long, longer than any request
	// carrying it stays fresh.
	seen, older map[string]struct{}
	rotated     time.Time
}

// nodeNonceMax bounds the nonces remembered per period; beyond it requests are refused
// (the forwarding node retries), never the memory grown without bound.
const nodeNonceMax = 1 << 20

func newNodeAuth(key []byte, now func() time.Time) *nodeAuth {
	return &nodeAuth{key: key, now: now, seen: map[string]struct{}{}, older: map[string]struct{}{}, rotated: now()}
}

// early refuses, before its body is read, a request without a node's headers or whose
// time is more than nodeSkew from this node's clock.
func (a *nodeAuth) early(r *http.Request) error {
	o, ts := r.Header.Get(NodeOrgHeader), r.Header.Get(NodeTimeHeader)
	nonce, got := r.Header.Get(NodeNonceHeader), r.Header.Get(NodeMACHeader)
	if o == "" || ts == "" || nonce == "" || got == "" {
		return &errNodeAuth{"the request is not signed by a node"}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &errNodeAuth{"malformed time header"}
	}
	if d := a.now().Sub(time.Unix(sec, 0)); d > nodeSkew || d < -nodeSkew {
		return &errNodeAuth{"the request's time is more than a minute from this node's clock (a replay, or clocks apart)"}
	}
	return nil
}

// check verifies r's headers against its body and returns the organisation it is for.
func (a *nodeAuth) check(r *http.Request, body []byte) (int64, error) {
	if err := a.early(r); err != nil {
		return 0, err
	}
	o, ts := r.Header.Get(NodeOrgHeader), r.Header.Get(NodeTimeHeader)
	nonce, got := r.Header.Get(NodeNonceHeader), r.Header.Get(NodeMACHeader)
	mac, err := hex.DecodeString(got)
	if err != nil || len(mac) != sha256.Size || len(nonce) != 32 {
		return 0, &errNodeAuth{"malformed signature headers"}
	}
	if !hmac.Equal(mac, nodeMAC(a.key, r.Method, r.URL.Path, o, ts, nonce, r.Header.Get(NodeBatchHeader), body)) {
		return 0, &errNodeAuth{"the MAC does not match (is vault/vault.key the same on every node?)"}
	}
	org, err := strconv.ParseInt(o, 10, 64)
	if err != nil || org <= 0 {
		return 0, &errNodeAuth{"malformed organisation header"}
	}
	// The time was checked by early; a request whose MAC matches carries the time it
	// was signed with.
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.rotated) >= 2*nodeSkew {
		a.older, a.seen, a.rotated = a.seen, map[string]struct{}{}, now
	}
	_, dup := a.seen[nonce]
	if _, old := a.older[nonce]; dup || old {
		return 0, &errNodeAuth{"the request was accepted once already (a replay)"}
	}
	if len(a.seen) >= nodeNonceMax {
		return 0, errors.New("node authentication: too many node requests in two minutes")
	}
	a.seen[nonce] = struct{}{}
	return org, nil
}
