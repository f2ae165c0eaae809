package logs

import (
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/vault"
)

// NewForTest returns a module with its own vault options and clock, so tests can build
// small blocks and segments and move time forward.
func NewForTest(opts vault.Options, now func() time.Time) *Module {
	opts.Now = now
	return &Module{Changes: &kernel.Changes{}, opts: opts, now: now, searchTimeout: DefaultSearchTimeout}
}

// OccupyIngest takes every HTTP ingest slot, as if that many requests were appending,
// and returns the function that frees them.
func (m *Module) OccupyIngest() func() {
	for i := 0; i < cap(m.slots); i++ {
		m.slots <- struct{}{}
	}
	return func() {
		for i := 0; i < cap(m.slots); i++ {
			<-m.slots
		}
	}
}

// SetAnchorEvery shortens the interval of the audit anchors (before Start).
func (m *Module) SetAnchorEvery(d time.Duration) { m.anchorEvery = d }

// SetShowUnknown turns the unknown-sender list on or off, as --syslog-show-unknown does.
func (m *Module) SetShowUnknown(on bool) { m.showUnknown = on }
