package vault

import (
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
	Err error
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
	holder := e.Err.Error()
	if _, after, ok := strings.Cut(holder, " is held by node "); ok {
		holder, _, _ = strings.Cut(after, " until ")
	}
	return "vault.outage.not_writer", []any{holder}
}
