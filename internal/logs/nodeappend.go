package logs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// Syslog through any node (docs/scale-out.md). A syslog listener knows a sender by its
// address only, so a batch is resolved to its organisation and source where it arrives;
// when that node is not the organisation's log writer, the parsed batch goes to the
// writer's internal route, signed as a node's (nodeauth.go), and the listener's
// acknowledgement (RELP's 200) waits for the writer's.

// NodeAppendPath is the internal route that appends a batch of parsed events to an
// organisation's log on its writer. It is not a user's route: no session or token opens
// it, only a node's signature.
const NodeAppendPath = "/internal/v1/vault/append"

// NodeAppendType is the media type of a node-to-node batch: each event as its leaf data
// (vault.LeafData: organisation, source, reception and sender's time, fields, raw bytes),
// preceded by its length as a uvarint. Leaf data is the vault's own canonical encoding,
// so a forwarded event is stored exactly as the receiving node parsed it, invalid UTF-8
// and all (JSON would replace it).
const NodeAppendType = "application/vnd.ciiguard.events"

// Limits of a node-to-node batch: a sender splits a larger one; the receiver refuses
// anything beyond nodeAppendMaxBody (one event is at most a few hundred KiB).
const (
	nodeAppendChunk   = 8 << 20
	nodeAppendMaxBody = 16 << 20
	nodeAppendMaxEvs  = 1 << 16
)

// WriterURLHeader names, on a 503 of the internal route, the URL of the node that holds
// the organisation's writer lease, so the sending node can go there next.
const WriterURLHeader = "X-Ciiguard-Writer-Url"

// nodeAppendResult is the writer's acknowledgement of a node-to-node batch.
type nodeAppendResult struct {
	Accepted int    `json:"accepted"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
}

// encodeNodeBatch appends the events' wire form to b. The sender's time of an event
// without a usable one is set to its reception time, as the vault would (it is outside
// what leaf data can carry exactly).
func encodeNodeBatch(b []byte, evs []vault.Event, org int64, now time.Time) []byte {
	for i := range evs {
		ev := evs[i]
		ev.OrgID = org
		if ev.Received.IsZero() {
			ev.Received = now
		}
		if ev.Time.IsZero() || ev.Time.Year() < 1900 || ev.Time.Year() >= 2200 {
			ev.Time = ev.Received.UTC().Truncate(time.Millisecond)
		}
		d := vault.LeafData(&ev)
		b = binary.AppendUvarint(b, uint64(len(d)))
		b = append(b, d...)
	}
	return b
}

// decodeNodeBatch reads a batch of org's events; an event of another organisation, or
// anything else than whole canonical leaves, refuses the batch.
func decodeNodeBatch(b []byte, org int64) ([]vault.Event, error) {
	var evs []vault.Event
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, fmt.Errorf("event %d: bad length", len(evs)+1)
		}
		ev, err := vault.ParseLeafData(b[k : k+int(n)])
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", len(evs)+1, err)
		}
		if ev.OrgID != org {
			return nil, fmt.Errorf("event %d: organisation %d in a batch signed for %d", len(evs)+1, ev.OrgID, org)
		}
		evs = append(evs, ev)
		if len(evs) > nodeAppendMaxEvs {
			return nil, fmt.Errorf("more than %d events", nodeAppendMaxEvs)
		}
		b = b[k+int(n):]
	}
	if len(evs) == 0 {
		return nil, errors.New("no events")
	}
	return evs, nil
}

// nodeAppend is the internal route: a batch from a node that received it but does not
// write the organisation's log. This node appends it if it is the writer and answers
// 503 with the writer's URL if it is not: it never forwards a forwarded batch again, so
// two nodes that disagree for a moment about the writer cannot bounce it.
func (m *Module) nodeAppend(w http.ResponseWriter, r *http.Request) error {
	if m.nodes == nil {
		web.WriteProblem(w, r, http.StatusServiceUnavailable, "this node has no node-to-node key", nil)
		return nil
	}
	// What can be refused before reading a body is: a request without a node's headers,
	// or out of time, costs no memory; the rest wait for a reader's slot as HTTP ingest does.
	if err := m.nodes.early(r); err != nil {
		return m.refuseNode(w, r, err)
	}
	releaseRead, ok := acquire(r.Context(), m.readers, ingestWait)
	if !ok {
		return m.busy(w, r, "the log vault is busy; retry later")
	}
	body, err := io.ReadAll(r.Body)
	releaseRead()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			web.WriteProblem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("a node-to-node batch is at most %d bytes", mbe.Limit), nil)
			return nil
		}
		web.WriteProblem(w, r, http.StatusBadRequest, "the body could not be read", nil)
		return nil
	}
	org, err := m.nodes.check(r, body)
	if err != nil {
		return m.refuseNode(w, r, err)
	}
	if ct := r.Header.Get("Content-Type"); ct != NodeAppendType {
		web.WriteProblem(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: want %s", ct, NodeAppendType), nil)
		return nil
	}
	evs, err := decodeNodeBatch(body, org)
	if err != nil {
		web.WriteProblem(w, r, http.StatusBadRequest, "batch: "+err.Error(), nil)
		return nil
	}
	batch := r.Header.Get(NodeBatchHeader)
	if len(batch) > vault.MaxBatchKeyLen {
		web.WriteProblem(w, r, http.StatusBadRequest, fmt.Sprintf("%s: %d bytes; at most %d", NodeBatchHeader, len(batch), vault.MaxBatchKeyLen), nil)
		return nil
	}
	release, ok := acquire(r.Context(), m.slots, ingestWait)
	if !ok {
		return m.busy(w, r, "the log vault is busy; retry later")
	}
	defer release()
	actx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), appendDeadline)
	defer cancel()
	var first uint64
	if batch != "" {
		first, _, err = m.v.AppendOnce(actx, org, vault.BatchKey{ID: batch, Sum: sha256.Sum256(body)}, evs)
	} else {
		first, err = m.v.Append(actx, org, evs)
	}
	var nw *vault.NotWriterError
	switch {
	case errors.As(err, &nw):
		w.Header().Set("Retry-After", strconv.Itoa(notWriterRetryAfter))
		if nw.URL != "" {
			w.Header().Set(WriterURLHeader, nw.URL)
		}
		web.WriteProblem(w, r, http.StatusServiceUnavailable, fmt.Sprintf("this node is not the writer of organisation %d's log; the writer is %q at %q", org, nw.Holder, nw.URL), nil)
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return m.busy(w, r, "the log vault did not confirm the events in time; they may or may not be stored; retry later")
	case errors.Is(err, vault.ErrBatchKeyReused):
		web.WriteProblem(w, r, http.StatusUnprocessableEntity, err.Error(), nil)
		return nil
	case err != nil:
		m.d.Log.Error("node-to-node append", "org", org, "events", len(evs), "err", err)
		web.WriteProblem(w, r, http.StatusInternalServerError, "the log vault refused the batch", nil)
		return nil
	}
	return web.JSON(w, http.StatusOK, nodeAppendResult{Accepted: len(evs), FirstSeq: first, LastSeq: first + uint64(len(evs)) - 1})
}

// refuseNode answers a node-to-node request that failed its check: 401 for one that is not
// a node's (logged, at most every rateLogEvery, with the reason and never a MAC), 503 when
// this node remembers too many nonces to take more.
func (m *Module) refuseNode(w http.ResponseWriter, r *http.Request, err error) error {
	var na *errNodeAuth
	if errors.As(err, &na) {
		m.refusedLog.warn(m.d.Log, "node-to-node request refused", "remote", r.RemoteAddr, "path", r.URL.Path, "reason", na.reason)
		web.WriteProblem(w, r, http.StatusUnauthorized, na.Error(), nil)
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(notWriterRetryAfter))
	web.WriteProblem(w, r, http.StatusServiceUnavailable, err.Error(), nil)
	return nil
}

// errNodeAppend is a node-to-node batch the writer did not acknowledge; retry says whether
// sending it again may succeed (the writer was unreachable, not the writer or busy),
// rather than a refusal that would be refused again (the key differs, a bad batch).
type errNodeAppend struct {
	url, reason string
	retry       bool
}

func (e *errNodeAppend) Error() string {
	return fmt.Sprintf("forward a syslog batch to the log writer at %s: %s", e.url, e.reason)
}

// nodeClient sends node-to-node batches: each exchange is bounded, as the writer's own
// append is.
var nodeClient = &http.Client{Timeout: forwardTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// nodeChunk is a part of a syslog batch small enough for one node-to-node request,
// encoded once and sent under one batch key however often it is tried, so that the
// writer stores it once whichever node ends up taking it.
type nodeChunk struct {
	evs  []vault.Event
	body []byte
	key  vault.BatchKey
}

// nodeChunks splits evs into chunks of at most nodeAppendChunk encoded bytes (one
// event at least), keyed by a new batch id and the chunk's number.
func nodeChunks(evs []vault.Event, org int64, now time.Time) []nodeChunk {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read does not fail (Go 1.24+)
	var out []nodeChunk
	for start := 0; start < len(evs); {
		var body []byte
		n := 0
		for start+n < len(evs) {
			before := len(body)
			body = encodeNodeBatch(body, evs[start+n:start+n+1], org, now)
			if n > 0 && len(body) > nodeAppendChunk {
				body = body[:before]
				break
			}
			n++
		}
		c := nodeChunk{evs: evs[start : start+n], body: body}
		c.key = vault.BatchKey{ID: fmt.Sprintf("node/%x/%d", id, len(out)), Sum: sha256.Sum256(body)}
		out = append(out, c)
		start += n
	}
	return out
}

// appendAt sends a chunk of org's events to the writer's internal route at url and
// returns the first sequence number the writer stored it at.
func (m *Module) appendAt(ctx context.Context, url string, org int64, c nodeChunk) (uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+NodeAppendPath, bytes.NewReader(c.body))
	if err != nil {
		return 0, &errNodeAppend{url: url, reason: err.Error()}
	}
	req.Header.Set("Content-Type", NodeAppendType)
	req.Header.Set(ForwardedHeader, "1")
	req.Header.Set(NodeBatchHeader, c.key.ID)
	SignNodeRequest(req, m.nodeKey, org, c.body, m.now())
	res, err := nodeClient.Do(req)
	if err != nil {
		return 0, &errNodeAppend{url: url, reason: err.Error(), retry: true}
	}
	ans, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var p web.Problem
		reason := fmt.Sprintf("%d", res.StatusCode)
		if json.Unmarshal(ans, &p) == nil && p.Detail != "" {
			reason += " " + p.Detail
		}
		return 0, &errNodeAppend{url: url, reason: reason, retry: res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusTooManyRequests}
	}
	var ack nodeAppendResult
	if err := json.Unmarshal(ans, &ack); err != nil || ack.Accepted != len(c.evs) {
		return 0, &errNodeAppend{url: url, reason: fmt.Sprintf("unreadable acknowledgement %q", ans)}
	}
	return ack.FirstSeq, nil
}

// nodeRetryPause is how long a node waits before trying a batch again that the writer
// did not take: a new writer takes over about a lease after the old one died.
const nodeRetryPause = time.Second

// appendAnywhere appends a syslog batch to org's log: here when this node is the writer,
// else at the writer's internal route. While no writer takes it (the writer died and its
// lease has not run out, or the writer is busy) it tries again each second for up to
// appendDeadline, holding the listener's connection: a TCP sender is slowed down, a RELP
// sender waits for its acknowledgement, rather than the batch being lost at once. Each
// chunk goes under its batch key every time, so a writer that stored it before its
// answer was lost (or before it died) is not given it twice.
func (m *Module) appendAnywhere(ctx context.Context, org int64, evs []vault.Event) (uint64, error) {
	deadline := time.Now().Add(appendDeadline)
	var first uint64
	for i, c := range nodeChunks(evs, org, m.now()) {
		f, err := m.appendChunk(ctx, org, c, deadline)
		if err != nil {
			return first, err
		}
		if i == 0 {
			first = f
		}
	}
	return first, nil
}

// appendChunk is appendAnywhere's loop for one chunk.
func (m *Module) appendChunk(ctx context.Context, org int64, c nodeChunk, deadline time.Time) (uint64, error) {
	for {
		f, _, err := m.v.AppendOnce(ctx, org, c.key, c.evs)
		if err == nil {
			return f, nil
		}
		var nw *vault.NotWriterError
		if !errors.As(err, &nw) {
			return 0, err
		}
		if nw.URL != "" && m.nodeKey != nil {
			f, ferr := m.appendAt(ctx, nw.URL, org, c)
			if ferr == nil {
				return f, nil
			}
			err = ferr
			var ne *errNodeAppend
			if errors.As(ferr, &ne) && !ne.retry {
				return 0, ferr
			}
		}
		if time.Now().Add(nodeRetryPause).After(deadline) {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, err
		case <-m.quit:
			return 0, err
		case <-time.After(nodeRetryPause):
		}
	}
}
