package web

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// A write the server refuses with 403 (the role may not) or 404 (no such record in the
// principal's organisation, which is also how another organisation's records answer) is a
// security event in the requester's organisation's audit trail. To keep a principal who
// repeats the request from flooding the trail, each principal gets at most one entry as a
// refusal happens and one count of the rest per window (a minute by default).

// refusalWindow is the default window of the aggregation.
const refusalWindow = time.Minute

// maxRefusalPath bounds the path written to the trail.
const maxRefusalPath = 200

type refusalKey struct{ org, user, token int64 }

type refusals struct {
	mu     sync.Mutex
	window time.Duration
	closed bool
	open   map[refusalKey]*refusalCount
}

type refusalCount struct {
	more  int
	ctx   context.Context
	timer *time.Timer
}

// SetRefusalWindow sets the window over which one principal's refused writes are counted
// into one entry (tests shorten it).
func (s *Server) SetRefusalWindow(d time.Duration) {
	s.refused.mu.Lock()
	defer s.refused.mu.Unlock()
	s.refused.window = d
}

// noteRefusal records r as a refused write when it was one.
func (s *Server) noteRefusal(r *http.Request, code int) {
	p := PrincipalFrom(r.Context())
	if p == nil || s.DB == nil || !unsafeMethod(r.Method) || (code != http.StatusForbidden && code != http.StatusNotFound) {
		return
	}
	key := refusalKey{p.Org.ID, p.User.ID, p.TokenID}
	rf := &s.refused
	// The request's context ends with the request; the actor and organisation stay.
	ctx := context.WithoutCancel(r.Context())
	rf.mu.Lock()
	if rf.closed {
		rf.mu.Unlock()
		return
	}
	if rf.open == nil {
		rf.open = map[refusalKey]*refusalCount{}
	}
	if c := rf.open[key]; c != nil {
		c.more++
		rf.mu.Unlock()
		return
	}
	window := rf.window
	if window <= 0 {
		window = refusalWindow
	}
	c := &refusalCount{ctx: ctx}
	rf.open[key] = c
	c.timer = time.AfterFunc(window, func() {
		rf.mu.Lock()
		if rf.open[key] != c {
			rf.mu.Unlock()
			return // flushed by Close
		}
		delete(rf.open, key)
		more := c.more
		rf.mu.Unlock()
		if more > 0 {
			s.recordRefusal(ctx, key.org, fmt.Sprintf("%d more refused writes within %v of the first", more, window))
		}
	})
	rf.mu.Unlock()

	path := r.URL.Path
	if len(path) > maxRefusalPath {
		path = path[:maxRefusalPath] + "…"
	}
	s.recordRefusal(ctx, p.Org.ID, fmt.Sprintf("%s %s: %d", r.Method, path, code))
}

// Close writes the counts of open windows and stops counting; the composition root calls
// it before closing the store.
func (s *Server) Close() {
	rf := &s.refused
	rf.mu.Lock()
	open := rf.open
	rf.open, rf.closed = nil, true
	rf.mu.Unlock()
	for key, c := range open {
		c.timer.Stop()
		if c.more > 0 {
			s.recordRefusal(c.ctx, key.org, fmt.Sprintf("%d more refused writes before shutdown", c.more))
		}
	}
}

func (s *Server) recordRefusal(ctx context.Context, org int64, detail string) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(tx, org, "request", "", audit.WriteRefused, nil, nil, detail)
	})
	if err != nil {
		s.Log.Error("record refused write", "org", org, "err", err)
	}
}
