package kernel

import (
	"context"
	"sync"

	"ciiguard/internal/store"
)

// Changes tells other capabilities, after a transaction has committed, that an
// organisation's records changed, so that they can recompute what depends on them (the
// obligations capability re-evaluates its rules). The installation has one, in
// Deps.Changes: publishers call Changed, listeners OnChange. The zero value is ready to
// use; listeners are added while provisioning, before serving.
type Changes struct {
	mu    sync.RWMutex
	hooks []func(ctx context.Context, orgID, systemID int64)
}

// OnChange registers f. systemID names the changed system, or is 0 when the
// organisation's own facts changed (or many records at once). orgID is 0 when something
// every organisation's evaluation reads changed (ChangedForAll).
func (c *Changes) OnChange(f func(ctx context.Context, orgID, systemID int64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, f)
}

// Changed arranges for the hooks to run once tx has committed; a rolled-back change
// tells nobody.
func (c *Changes) Changed(tx *store.Tx, orgID, systemID int64) {
	c.mu.RLock()
	hooks := append([]func(context.Context, int64, int64){}, c.hooks...)
	c.mu.RUnlock()
	if len(hooks) == 0 {
		return
	}
	ctx := tx.Context()
	tx.AfterCommit(func() {
		for _, h := range hooks {
			h(ctx, orgID, systemID)
		}
	})
}

// ChangedForAll tells the listeners, at once, that something every organisation depends on
// changed outside any organisation's records (a year's holiday schedule was loaded into the
// working-day calendar): the hooks run with orgID 0. Call it after the change is in effect.
func (c *Changes) ChangedForAll(ctx context.Context) {
	c.mu.RLock()
	hooks := append([]func(context.Context, int64, int64){}, c.hooks...)
	c.mu.RUnlock()
	for _, h := range hooks {
		h(ctx, 0, 0)
	}
}

// ChangedNow tells the listeners at once that an organisation's facts changed by
// themselves, with no record written: a deadline passed (an incident's one-hour reporting
// clock ran out), so a fact computed at evaluation time ("reports overdue") is now
// different. Call it once the new value holds.
func (c *Changes) ChangedNow(ctx context.Context, orgID, systemID int64) {
	c.mu.RLock()
	hooks := append([]func(context.Context, int64, int64){}, c.hooks...)
	c.mu.RUnlock()
	for _, h := range hooks {
		h(ctx, orgID, systemID)
	}
}
