package logs

import (
	"bytes"
	"context"
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
	release, ok := acquire(r.Context(), m.slots, ingestWait)
	if !ok {
		return m.busy(w, r, "the log vault is busy; retry later")
	}
	defer release()
	actx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), appendDeadline)
	defer cancel()
	first, err := m.v.Append(actx, org, evs)
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

// appendAt sends evs of org to the writer's internal route at url, in chunks of at most
// nodeAppendChunk bytes. It returns the first sequence number and how many events were
// acknowledged: when a later chunk fails, the earlier ones are stored.
func (m *Module) appendAt(ctx context.Context, url string, org int64, evs []vault.Event) (first uint64, done int, err error) {
	now := m.now()
	for done < len(evs) {
		var body []byte
		n := 0
		for done+n < len(evs) {
			before := len(body)
			body = encodeNodeBatch(body, evs[done+n:done+n+1], org, now)
			if n > 0 && len(body) > nodeAppendChunk {
				body = body[:before]
				break
			}
			n++
		}
		req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, url+NodeAppendPath, bytes.NewReader(body))
		if rerr != nil {
			return first, done, &errNodeAppend{url: url, reason: rerr.Error()}
		}
		req.Header.Set("Content-Type", NodeAppendType)
		req.Header.Set(ForwardedHeader, "1")
		SignNodeRequest(req, m.nodeKey, org, body, m.now())
		res, derr := nodeClient.Do(req)
		if derr != nil {
			return first, done, &errNodeAppend{url: url, reason: derr.Error(), retry: true}
		}
		ans, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			var p web.Problem
			reason := fmt.Sprintf("%d", res.StatusCode)
			if json.Unmarshal(ans, &p) == nil && p.Detail != "" {
				reason += " " + p.Detail
			}
			return first, done, &errNodeAppend{url: url, reason: reason, retry: res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusTooManyRequests}
		}
		var ack nodeAppendResult
		if err := json.Unmarshal(ans, &ack); err != nil || ack.Accepted != n {
			return first, done, &errNodeAppend{url: url, reason: fmt.Sprintf("unreadable acknowledgement %q", ans)}
		}
		if done == 0 {
			first = ack.FirstSeq
		}
		done += n
	}
	return first, done, nil
}

// nodeRetryPause is how long a node waits before trying a batch again that the writer
// did not take: a new writer takes over about a lease after the old one died.
const nodeRetryPause = time.Second

// appendAnywhere appends a syslog batch to org's log: here when this node is the writer,
// else at the writer's internal route. While no writer takes it (the writer died and its
// lease has not run out, or the writer is busy) it tries again each second for up to
// appendDeadline, holding the listener's connection: a TCP sender is slowed down, a RELP
// sender waits for its acknowledgement, rather than the batch being lost at once.
func (m *Module) appendAnywhere(ctx context.Context, org int64, evs []vault.Event) (uint64, error) {
	deadline := time.Now().Add(appendDeadline)
	var first uint64
	done := 0
	for {
		f, err := m.v.Append(ctx, org, evs[done:])
		if err == nil {
			if done == 0 {
				first = f
			}
			return first, nil
		}
		var nw *vault.NotWriterError
		if !errors.As(err, &nw) {
			return first, err
		}
		if nw.URL != "" && m.nodeKey != nil {
			f, n, ferr := m.appendAt(ctx, nw.URL, org, evs[done:])
			if n > 0 && done == 0 {
				first = f
			}
			done += n
			if ferr == nil {
				return first, nil
			}
			err = ferr
			var ne *errNodeAppend
			if errors.As(ferr, &ne) && !ne.retry {
				return first, ferr
			}
		}
		if time.Now().Add(nodeRetryPause).After(deadline) {
			return first, err
		}
		select {
		case <-ctx.Done():
			return first, err
		case <-m.quit:
			return first, err
		case <-time.After(nodeRetryPause):
		}
	}
}
