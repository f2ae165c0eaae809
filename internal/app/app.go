// Package app is ciiguard's composition root: configuration → records store → services →
// capability modules → HTTP server. Nothing else wires things together.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"ciiguard/internal/accounts"
	"ciiguard/internal/appstore"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/cluster"
	"ciiguard/internal/data"
	"ciiguard/internal/emergency"
	"ciiguard/internal/evidence"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/holidays"
	"ciiguard/internal/incidents"
	"ciiguard/internal/kernel"
	"ciiguard/internal/logs"
	"ciiguard/internal/notify"
	"ciiguard/internal/obligations"
	"ciiguard/internal/oversight"
	"ciiguard/internal/people"
	"ciiguard/internal/reports"
	"ciiguard/internal/review"
	"ciiguard/internal/scope"
	"ciiguard/internal/store"
	"ciiguard/internal/suppliers"
	"ciiguard/internal/tasks"
	"ciiguard/internal/taxii"
	"ciiguard/internal/threat"
	"ciiguard/internal/vulns"
	"ciiguard/internal/web"
)

// Config is the installation's configuration; every field has a flag and a CIIGUARD_*
// environment variable in the CLI.
type Config struct {
	Data    string // data directory (SQLite file, vault, evidence)
	DB      string // sqlite:PATH or postgres:// URL; default sqlite:<Data>/ciiguard.db
	Addr    string // HTTP listen address
	TLSCert string // PEM certificate; with TLSKey, serve HTTPS
	TLSKey  string
	// Node names this process among the nodes serving one PostgreSQL store, in leases
	// and the node registry; empty means cluster.NodeName() (host, pid, random part).
	Node string
	// NodeURL is the base URL at which the other nodes reach this one (serve --node-url):
	// recorded in the leases it holds, so that a node that is not an organisation's log
	// writer forwards the organisation's ingest and searches here. Empty: nothing is
	// forwarded to this node (it answers its own requests, and other nodes answer 503
	// for the organisations it writes).
	NodeURL string
	// VaultLease is how long an organisation's log writer lease runs without renewal
	// (--vault-lease; zero means cluster.DefaultVaultLease): the longest the organisations
	// of a dead writer go without one.
	VaultLease time.Duration
	// Modules are the capabilities, already constructed and configured (their flags
	// parsed); nil means Modules() with their defaults.
	Modules []kernel.Module
}

// DSN returns the store DSN, defaulting to a SQLite file in the data directory.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return "sqlite:" + filepath.Join(c.Data, "ciiguard.db")
}

// Modules returns a fresh set of the installation's capabilities, constructed without
// side effects. Their order is the order of the navigation's ties and of demo seeding; it
// does not decide who finds whom: each module looks up what it needs in the registry.
func Modules() []kernel.Module {
	return []kernel.Module{accounts.New(), holidays.New(), evidence.New(), scope.New(), logs.New(), obligations.New(), tasks.New(), frameworks.New(), notify.New(), incidents.New(), suppliers.New(), review.New(), people.New(), emergency.New(), data.New(), reports.New(), oversight.New(), appstore.New(), threat.New(), vulns.New(), taxii.New()}
}

// Migrations returns the kernel's and every module's migrations.
func Migrations(mods []kernel.Module) []store.Migration {
	migs := append([]store.Migration{}, auth.Migrations...)
	migs = append(migs, audit.Migrations...)
	migs = append(migs, cluster.Migrations...)
	for _, m := range mods {
		migs = append(migs, m.Migrations()...)
	}
	return migs
}

// App is a running installation.
type App struct {
	Cfg     Config
	DB      *store.DB
	Auth    *auth.Service
	Web     *web.Server
	Log     *slog.Logger
	Modules []kernel.Module
	// Leases and Jobs coordinate this node with the others on the same store.
	Leases *cluster.Leases
	Jobs   *cluster.Jobs
}

// Open opens the store, applies pending migrations and registers every module.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.Data == "" {
		return nil, errors.New("config: --data is required")
	}
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", cfg.Data, err)
	}
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	mods := cfg.Modules
	if mods == nil {
		mods = Modules()
	}
	migs := Migrations(mods)
	applied, err := db.Migrate(migs)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, a := range applied {
		log.Info("migration applied", "step", a)
	}
	if cfg.Node == "" {
		cfg.Node = cluster.NodeName()
	}
	a := &App{Cfg: cfg, DB: db, Auth: auth.NewService(db), Log: log, Modules: mods}
	a.Leases = cluster.NewLeases(db, cfg.Node)
	a.Leases.SetURL(cfg.NodeURL)
	a.Jobs = cluster.NewJobs(a.Leases, log)
	a.Web, err = web.NewServer(a.Auth, db, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Web.SetSecure(cfg.TLSCert != "")
	a.Web.Ready = func(ctx context.Context) error {
		if err := db.SQL().PingContext(ctx); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		n, err := db.Pending(migs)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d migrations pending", n)
		}
		return nil
	}
	deps := kernel.Deps{DB: db, Auth: a.Auth, Web: a.Web, Log: log, DataDir: cfg.Data, Jobs: a.Jobs}
	if db.Dialect() == store.Postgres {
		ttl := cfg.VaultLease
		if ttl == 0 {
			ttl = cluster.DefaultVaultLease
		}
		deps.VaultFrames = cluster.NewVaultFrames(a.Leases, ttl, log)
	}
	if err := kernel.Assemble(ctx, deps, mods...); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the modules' resources and the store.
func (a *App) Close() error {
	var errs []error
	for _, m := range a.Modules {
		if c, ok := m.(kernel.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	if a.Web != nil {
		a.Web.Close() // writes the pending counts of refused writes
	}
	errs = append(errs, a.DB.Close())
	return errors.Join(errs...)
}

// Serve listens on cfg.Addr and serves until ctx is cancelled, then stops accepting,
// lets in-flight requests finish (up to 20 s) and returns. ready, if not nil, receives
// the bound address once listening.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if a.Cfg.TLSCert != "" || a.Cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(a.Cfg.TLSCert, a.Cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load --tls-cert/--tls-key: %w", err)
		}
		srv.TLSConfig = web.TLSConfig(cert)
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	for _, m := range a.Modules {
		if s, ok := m.(kernel.Starter); ok {
			if err := s.Start(ctx); err != nil {
				ln.Close()
				return fmt.Errorf("start module %s: %w", m.Name(), err)
			}
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
