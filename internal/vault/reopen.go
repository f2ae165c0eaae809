package vault

import (
	"errors"
	"fmt"
	"time"
)

// notWriterFor is how long a node takes another node's hold on an
// organisation's writer lease as given before asking the frame store again:
// a node forwarding that organisation's traffic then asks a few times a
// second, not once a request, and notices a free lease within this long.
const notWriterFor = 500 * time.Millisecond

// failedReopenAfter is how long a log with shared frames whose write failed
// for a reason other than a lost lease (the frame store unreachable, say)
// stays out of service before the next request reopens it: reopening
// rebuilds the log from object storage and the frames, which is right but
// not cheap, so it is not tried on every request while the cause lasts.
const failedReopenAfter = 5 * time.Second

// notWriterMemo is a NotWriterError remembered until.
type notWriterMemo struct {
	err   *NotWriterError
	until time.Time
}

// writerLost reports whether this node must close l and open it again
// before serving it: with shared frames, when it is no longer the writer
// (a fenced write, or the frame store saw a renewal refused), or when a
// write failed a while ago. Reopening is always safe there, since the
// object store and the frames hold everything acknowledged.
func (l *Log) writerLost() bool {
	if l.v.opts.Frames == nil || l.v.readOnly {
		return false
	}
	l.mu.RLock()
	failed, at := l.failed, l.failedAt
	l.mu.RUnlock()
	if failed != nil && (errors.Is(failed, ErrWriterLost) || time.Since(at) >= failedReopenAfter) {
		return true
	}
	w, ok := l.v.opts.Frames.(leaseWatch)
	return ok && w.Lost(l.org)
}

// retire closes a log this node may no longer write; the caller holds v.mu
// and has taken it out of v.logs, so the next request opens it afresh.
func (v *Vault) retire(l *Log) {
	l.gone.Store(true)
	if err := l.close(); err != nil {
		v.opts.Logger.Warn("vault: closing a log whose writer lease was lost", "org", l.org, "err", err)
	}
	v.opts.Logger.Info("vault: closed an organisation's log: this node is no longer its writer; the next request reopens it", "org", l.org)
}

// notWriterAgain is what Append answers when its events were refused
// because this node had just lost the writer lease and reopening found
// another writer: both reasons, the NotWriterError's holder for the caller
// to forward to.
func notWriterAgain(refused error, nw *NotWriterError) *NotWriterError {
	c := *nw
	c.Err = fmt.Errorf("%w; then %w", refused, nw.Err)
	return &c
}
