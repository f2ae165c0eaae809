package logs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/problem"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/web"

	"github.com/dunglas/httpsfv"
)

// IngestResult is the answer to an accepted HTTP ingest request: the events are durable.
type IngestResult struct {
	Accepted int    `json:"accepted"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	SourceID int64  `json:"source_id"`
	// Replayed says the batch was stored before under its Idempotency-Key: nothing was
	// stored this time, and the numbers are those it was stored at.
	Replayed bool `json:"replayed,omitempty"`
}

// IdempotencyKeyHeader names a batch a sender may send again (draft-ietf-httpapi-
// idempotency-key-header): the same key within vault.BatchKeyWindow is stored once.
const IdempotencyKeyHeader = "Idempotency-Key"

// maxIdempotencyKey bounds the sender's key, leaving room in the vault's batch key for
// the source it is scoped to.
const maxIdempotencyKey = 200

// batchKeyOf reads a request's Idempotency-Key: a structured-field string (RFC 8941, as
// the draft says) or, as many senders write it, the bare key of visible ASCII. The key
// is scoped to the source (two sources may use the same keys) and bound to the body by
// its SHA-256, so a key sent with another body is refused. nil: the request has none.
func batchKeyOf(r *http.Request, src Source, body []byte) (*vault.BatchKey, error) {
	raw := r.Header.Values(IdempotencyKeyHeader)
	if len(raw) == 0 {
		return nil, nil
	}
	var id string
	if item, err := httpsfv.UnmarshalItem(raw); err == nil {
		switch v := item.Value.(type) {
		case string:
			id = v
		case httpsfv.Token:
			id = string(v)
		}
	}
	if id == "" && len(raw) == 1 {
		id = raw[0] // not a structured field: the bare key
	}
	if len(id) > maxIdempotencyKey || !visibleASCII(id) {
		return nil, problem.Field(IdempotencyKeyHeader, "must be one key of 1 to %d visible ASCII characters, as a structured-field string or bare", maxIdempotencyKey)
	}
	return &vault.BatchKey{ID: "http/" + strconv.FormatInt(src.ID, 10) + "/" + id, Sum: sha256.Sum256(body)}, nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// ParseLines parses a JSON-lines body. Blank lines are skipped; the first bad line fails
// the whole body, named by its 1-based line number, so that a request is stored whole or
// not at all.
func ParseLines(body []byte) ([]vault.Event, error) {
	var evs []vault.Event
	n := 0
	for len(body) > 0 {
		n++
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(line) > vault.MaxEventBytes {
			return nil, problem.Field("line "+strconv.Itoa(n), "is %d bytes; an event is at most %d bytes", len(line), vault.MaxEventBytes)
		}
		ev, err := ingest.ParseJSON(line)
		if err != nil {
			var fe *ingest.FieldError
			if errors.As(err, &fe) {
				return nil, problem.Field("line "+strconv.Itoa(n), "%s: %s", fe.Field, fe.Reason)
			}
			return nil, problem.Field("line "+strconv.Itoa(n), "%v", err)
		}
		evs = append(evs, ev)
	}
	if len(evs) == 0 {
		return nil, problem.Field("body", "holds no events: send one JSON object per line")
	}
	return evs, nil
}

// errBusy is answered 503 with Retry-After: the vault is not keeping up.
type errBusy struct{ reason string }

func (e *errBusy) Error() string { return e.reason }

// Ingest appends events from an HTTP source to the context's organisation's log and
// returns once they are durable. It never queues without bound: when ingestSlots requests
// are already appending it waits at most ingestWait and then reports the vault busy.
func (m *Module) Ingest(ctx context.Context, src Source, evs []vault.Event, key *vault.BatchKey) (IngestResult, error) {
	release, ok := acquire(ctx, m.slots, ingestWait)
	if !ok {
		return IngestResult{}, &errBusy{"the log vault is busy; retry later"}
	}
	defer release()
	now := m.now()
	for i := range evs {
		evs[i].SourceID = src.ID
		evs[i].Received = now
	}
	// Once queued, an append is finished even if the client goes away, so the answer
	// "not written" is only ever given when nothing was queued.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendDeadline)
	defer cancel()
	var first uint64
	var replayed bool
	var err error
	if key != nil {
		first, replayed, err = m.v.AppendOnce(actx, src.OrgID, *key, evs)
	} else {
		first, err = m.v.Append(actx, src.OrgID, evs)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return IngestResult{}, &errBusy{"the log vault did not confirm the events in time; they may or may not be stored; retry later"}
		}
		if errors.Is(err, vault.ErrBatchKeyReused) {
			return IngestResult{}, problem.Conflictf(IdempotencyKeyHeader, "was sent within the last %d minutes with a different body; a retry must send the same events", int(vault.BatchKeyWindow/time.Minute))
		}
		return IngestResult{}, fmt.Errorf("append %d events from source %d: %w", len(evs), src.ID, err)
	}
	res := IngestResult{Accepted: len(evs), FirstSeq: first, LastSeq: first + uint64(len(evs)) - 1, SourceID: src.ID, Replayed: replayed}
	if replayed {
		return res, nil // counted when it was stored
	}
	m.count.add(src.OrgID, src.ID, len(evs), now)
	if err := m.flushCounts(ctx); err != nil {
		m.d.Log.Warn("log source counters", "err", err)
	}
	return res, nil
}

func (m *Module) apiIngest(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	src, err := m.sourceForToken(r.Context(), p.TokenID)
	if err != nil {
		return err
	}
	// Bodies are read into memory (up to MaxIngestBody each), so only so many requests may
	// hold one at a time; the rest are told to come back rather than queued.
	release, ok := acquire(r.Context(), m.readers, ingestWait)
	if !ok {
		return m.busy(w, r, "the log vault is busy; retry later")
	}
	defer release()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("body", "could not be read: %v", err)
	}
	evs, err := ParseLines(body)
	if err != nil {
		return err
	}
	key, err := batchKeyOf(r, src, body)
	if err != nil {
		return err
	}
	res, err := m.Ingest(r.Context(), src, evs, key)
	var busy *errBusy
	if errors.As(err, &busy) {
		return m.busy(w, r, busy.reason)
	}
	if err != nil {
		// Another node writes the organisation's log: it stores the events and its
		// acknowledgement is the sender's (nothing was stored here).
		return m.forward(w, r, body, err)
	}
	return web.JSON(w, http.StatusOK, res)
}

// acquire takes a slot of sem, waiting at most wait; ok is false when none came free.
func acquire(ctx context.Context, sem chan struct{}, wait time.Duration) (release func(), ok bool) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, true
	case <-timer.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

// busy answers 503 with Retry-After.
func (m *Module) busy(w http.ResponseWriter, r *http.Request, reason string) error {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	web.WriteProblem(w, r, http.StatusServiceUnavailable, reason, nil)
	return nil
}
