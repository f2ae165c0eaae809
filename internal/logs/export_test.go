package logs

import (
	"time"

	"ciiguard/internal/vault"
)

// NewForTest returns a module with its own vault options and clock, so tests can build
// small blocks and segments and move time forward.
func NewForTest(opts vault.Options, now func() time.Time) *Module {
	opts.Now = now
	return &Module{opts: opts, now: now}
}
