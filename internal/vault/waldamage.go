package vault

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrWALDamaged matches every *WALDamageError with errors.Is.
var ErrWALDamaged = errors.New("vault: write-ahead log damaged")

// WALDamageError stops one organisation's log: its write-ahead log holds a
// complete frame that fails its checksum (or events no frame holds), so
// acknowledged events cannot be read. The log is not opened — serving it
// would silently drop those events — until `ciiguard vault repair`
// quarantines the damaged bytes and records the loss.
type WALDamageError struct {
	Org    int64
	File   string // path of the WAL
	Offset int64  // first damaged byte
	Length int64  // damaged bytes: up to the next intact frame, or the end
	// FirstSeq is the first event the damaged bytes held; Count how many,
	// when Known (the frame's own header is intact, or an intact frame
	// follows). Unknown means every event from FirstSeq on.
	FirstSeq uint64
	Count    uint64
	Known    bool
	Reason   string
}

func (e *WALDamageError) Error() string {
	return fmt.Sprintf("vault: organisation %d's log is stopped: %s at offset %d (%d bytes): %s; run `ciiguard vault repair --org %d` on the stopped server",
		e.Org, e.File, e.Offset, e.Length, e.Reason, e.Org) + "; " + e.Lost()
}

// Is makes errors.Is(err, ErrWALDamaged) true.
func (e *WALDamageError) Is(target error) bool { return target == ErrWALDamaged }

// Lost names the sequence numbers the damage holds.
func (e *WALDamageError) Lost() string {
	return lostRange(e.FirstSeq, e.Count, e.Known)
}

func lostRange(first, n uint64, known bool) string {
	switch {
	case !known:
		return "events from " + strconv.FormatUint(first, 10) + " on (how many is unknown: the damaged frame's header is unreadable and no intact frame follows)"
	case n == 0:
		return "no event (the damaged bytes held none of their own)"
	case n == 1:
		return "event " + strconv.FormatUint(first, 10)
	}
	return fmt.Sprintf("events %d–%d (%d)", first, first+n-1, n)
}

// OutageReason is what an HTTP answer says about the damage (503): which
// events it holds and what the operator must do. It is implemented for the
// web layer's Outage interface.
func (e *WALDamageError) OutageReason() string {
	return fmt.Sprintf("the organisation's log is stopped: its write-ahead log is damaged at offset %d (%s) and holds %s; the operator must run `ciiguard vault repair --org %d`",
		e.Offset, e.Reason, e.Lost(), e.Org)
}

// OutageMessage implements the web layer's LocalOutage: the key of the logs capability's
// message that says OutageReason in the page's language, and its arguments. The
// checksum's technical reason is left to the API answer and the server log.
func (e *WALDamageError) OutageMessage() (string, []any) {
	switch {
	case !e.Known:
		return "vault.outage.wal_from", []any{e.Offset, e.FirstSeq, e.Org}
	case e.Count == 0:
		return "vault.outage.wal_none", []any{e.Offset, e.Org}
	case e.Count == 1:
		return "vault.outage.wal_one", []any{e.Offset, e.FirstSeq, e.Org}
	}
	return "vault.outage.wal_range", []any{e.Offset, e.FirstSeq, e.FirstSeq + e.Count - 1, e.Count, e.Org}
}
