package vault

import (
	"errors"
	"fmt"
	"strings"
)

// NotWriterError is the answer of a vault with shared frames (Options.Frames)
// on a node that could not become the writer of an organisation's log:
// another node holds its writer lease (or the frame store did not answer).
// Until that node stops and its lease runs out, the organisation's ingest
// and searches must go to it; nothing is lost meanwhile.
type NotWriterError struct {
	Org int64
	// Holder names the node holding the writer lease and URL is where it
	// answers requests (its advertised base URL), both "" when the frame
	// store did not say: a caller forwards the organisation's requests to
	// URL, and answers 503 when it is empty.
	Holder, URL string
	Err         error
}

// holderInfo is what a frame store's "held by another node" error tells of
// that node (cluster.HeldError implements it).
type holderInfo interface {
	HolderName() string
	HolderURL() string
}

// notWriter wraps a frame store's refusal of the writer lease, naming the
// holder when the refusal does.
func notWriter(org int64, err error) *NotWriterError {
	e := &NotWriterError{Org: org, Err: err}
	var h holderInfo
	if errors.As(err, &h) {
		e.Holder, e.URL = h.HolderName(), h.HolderURL()
	}
	return e
}

func (e *NotWriterError) Error() string {
	return fmt.Sprintf("vault: this node is not the writer of organisation %d's log: %v", e.Org, e.Err)
}

func (e *NotWriterError) Unwrap() error { return e.Err }

// OutageReason implements the web layer's Outage (503): which node holds
// the log, and what to do.
func (e *NotWriterError) OutageReason() string {
	return fmt.Sprintf("this node is not the writer of the organisation's log (%v); send the organisation's events and searches to the node that is, or wait until its lease runs out", e.Err)
}

// OutageMessage implements the web layer's LocalOutage: the key of the logs
// capability's message and its argument (the lease's holder, as the frame
// store names it).
func (e *NotWriterError) OutageMessage() (string, []any) {
	holder := e.Holder
	if holder == "" {
		holder = e.Err.Error()
		if _, after, ok := strings.Cut(holder, " is held by node "); ok {
			holder, _, _ = strings.Cut(after, " until ")
		}
	}
	return "vault.outage.not_writer", []any{holder}
}

// ErrWriterLost is what a FrameStore's Append and Drop wrap when this node
// is no longer the organisation's writer (its lease ran out or another node
// took it over): nothing of the call was stored. The vault then closes the
// log and, at the next request, reopens it, becoming the writer again when
// the lease is free or answering NotWriterError when another node holds it.
var ErrWriterLost = errors.New("vault: this node is no longer the writer of the log")

// leaseWatch is implemented by frame stores that learn, without a write,
// that this node lost an organisation's writer lease (a refused renewal):
// the vault then reopens the log rather than serve a view that another
// writer may already have extended.
type leaseWatch interface {
	Lost(org int64) bool
}
