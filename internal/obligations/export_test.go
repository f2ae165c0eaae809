package obligations

import (
	"context"
	"time"
)

// SetTxRows makes every transaction of an evaluation's write carry at most n findings, as
// txRows does, until the returned function restores it.
func SetTxRows(n int) (restore func()) {
	old := txRows
	txRows = n
	return func() { txRows = old }
}

// SetNow makes the service read the time from now until the returned function restores it.
func (s *Service) SetNow(now func() time.Time) (restore func()) {
	old := s.now
	s.now = now
	return func() { s.now = old }
}

// ReevaluateAll runs the daily evaluation of every organisation now.
func (m *Module) ReevaluateAll(ctx context.Context) { m.reevaluateAll(ctx, false) }
