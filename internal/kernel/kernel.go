// Package kernel is the contract between ciiguard's composition root and its capabilities:
// a capability is one package whose Module registers its migrations, routes, permissions,
// UI messages, navigation and demo data, without touching any other capability.
package kernel

import (
	"context"
	"log/slog"
	"sync"

	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// Deps is what the composition root hands every module.
type Deps struct {
	DB      *store.DB
	Auth    *auth.Service
	Web     *web.Server
	Log     *slog.Logger
	DataDir string // the installation's data directory, for modules that keep files
}

// Module is one capability.
type Module interface {
	// Name is the module's short name, also its migration namespace.
	Name() string
	// Migrations are the module's schema steps, applied at start-up and by `migrate`.
	Migrations() []store.Migration
	// Register adds the module's routes, navigation, messages, widgets and OpenAPI paths.
	Register(d Deps) error
}

// Closer is implemented by modules that hold resources (listeners, files) to release on
// shutdown.
type Closer interface {
	Close() error
}

// Starter is implemented by modules with background work (listeners, tickers) that runs
// until ctx is cancelled.
type Starter interface {
	Start(ctx context.Context) error
}

// Demo is the demo installation a module fills with its own sample records.
type Demo struct {
	Operator  auth.Org
	Regulator auth.Org
	Supplier  auth.Org
	// Users holds one user per role.
	Users map[auth.Role]auth.User
}

// DemoSeeder is implemented by modules that add demo data to `ciiguard demo`.
type DemoSeeder interface {
	SeedDemo(ctx context.Context, d Demo) error
}

// Changes tells other capabilities, after a transaction has committed, that an
// organisation's records changed, so that they can recompute what depends on them (the
// obligations capability re-evaluates its rules). The zero value is ready to use; hooks
// are added at start-up, before serving.
type Changes struct {
	mu    sync.RWMutex
	hooks []func(ctx context.Context, orgID, systemID int64)
}

// OnChange registers f. systemID names the changed system, or is 0 when the
// organisation's own facts changed (or many records at once).
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
