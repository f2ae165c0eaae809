package logs

import (
	"log/slog"
	"sync"
	"time"
)

// rateLogEvery is the least time between two lines of one rateLog: a syslog listener whose
// batches all fail (the writer gone until its lease runs out), or a stream of refused node
// requests, would otherwise write a line per batch.
const rateLogEvery = 10 * time.Second

// rateLog writes a warning at most every rateLogEvery and counts the ones it held back,
// saying how many with the next.
type rateLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (l *rateLog) warn(log *slog.Logger, msg string, args ...any) {
	if log == nil {
		return
	}
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() && now.Sub(l.last) < rateLogEvery {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "not_logged_since_last", n)
	}
	log.Warn(msg, args...)
}
