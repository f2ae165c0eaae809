// Package kernel is the contract between ciiguard's composition root and its capabilities.
//
// A capability is one package with a Module. The composition root (internal/app) takes
// every module through the same lifecycle, learnt from Caddy's New → Provision → Cleanup:
//
//  1. construct: New() has no side effects (no files, no database, no goroutines);
//  2. declare flags: a Configurable module adds its own flags to the command's flag set,
//     which the CLI also reads from CIIGUARD_* environment variables;
//  3. provision: Provision looks up the services it needs by interface in the Registry,
//     which the kernel filled with every module before any is provisioned, so the order
//     of construction does not matter and a missing service is a start-up error that
//     names it; the module opens its own resources here;
//  4. register: Register adds routes, templates, messages and OpenAPI paths;
//  5. start: a Starter begins its background work (listeners, tickers);
//  6. close: a Closer releases what it holds.
//
// What one capability needs from another — organisation facts, a section on a detail
// page, change notifications, an evidence file, the obligations in force — it asks the
// Registry for by interface: the contracts in this package, or an interface the
// consumer declares with engine types only. No capability imports another (a test in this
// package fails when one does). Navigation and dashboard widgets are contracts too.
package kernel

import (
	"ciiguard/internal/vault"
	"context"
	"flag"
	"log/slog"

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
	// Registry holds every module of the installation (and the extra services a Provider
	// offers); look services up with Need and All.
	Registry *Registry
	// Changes is the installation's one change bus: a capability whose records feed other
	// capabilities' computations announces changes there, and those listen there.
	Changes *Changes
	// Jobs runs the background work that must run once across the installation's nodes
	// (nil in tests that assemble a capability alone: RunOnce then just runs it).
	Jobs Jobs
	// VaultFrames keeps the log vault's write-ahead frames in the records store under a
	// writer lease per organisation, for --vault-shared-wal (nil on SQLite, where there is
	// one node).
	VaultFrames vault.FrameStore
}

// Module is one capability.
type Module interface {
	// Name is the module's short name, also its migration namespace.
	Name() string
	// Migrations are the module's schema steps, applied at start-up and by `migrate`.
	Migrations() []store.Migration
	// Provision looks up the services the module needs in d.Registry and opens its own
	// resources. It must not call another module's services yet: they are provisioned in
	// no particular order.
	Provision(ctx context.Context, d Deps) error
	// Register adds the module's routes, messages, templates and OpenAPI paths. Every
	// module is provisioned before any registers.
	Register(d Deps) error
}

// Configurable is implemented by modules that take configuration: Flags adds the
// module's flags to fs (before parsing), where `--help` lists them and the CLI also reads
// them from CIIGUARD_<NAME> environment variables. Values are read in Provision or later.
type Configurable interface {
	Flags(fs *flag.FlagSet)
}

// Provider is implemented by modules that offer services other than the module itself.
// The values must exist from construction on (they may be filled in during Provision).
type Provider interface {
	Services() []any
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
	// AppStore is the demo app store operator (示例应用市场), an operator organisation of
	// its own whose scope profile says app_store; AppStoreUsers holds its users by role.
	AppStore      auth.Org
	AppStoreUsers map[auth.Role]auth.User
}

// DemoSeeder is implemented by modules that add demo data to `ciiguard demo`.
type DemoSeeder interface {
	SeedDemo(ctx context.Context, d Demo) error
}

// DemoAfter is implemented by a DemoSeeder whose demo data refers to another module's
// (the vulnerabilities of the suppliers' products): its SeedDemo runs after the named
// modules' own, whatever the order the installation lists its modules in. A name the
// installation does not have is ignored.
type DemoAfter interface {
	DemoAfter() []string
}
