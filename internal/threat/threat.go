// Package threat is the threat-information capability: the regulator's notifications to the
// operators of the sectors it names (indicators, severity, recommended actions, a response
// deadline) and the operators' inbox, acknowledgement and answer (2017 draft CIIR Arts.
// 36–38, a draft that never took effect; MIIT 2014 task 3); indicator feeds imported by
// operators and regulators (STIX 2.1 bundles, CSV, plain lists) into collections, among them
// the four MIIT task-3 databases; a retro-hunt of six months of the organisation's log vault
// whenever indicators arrive; hits kept as sightings with an inclusion proof against a signed
// checkpoint, opening incidents and shared back to the regulator as STIX sightings; and the
// fact set `threat` for the catalog's duties.
//
// Tenancy: a notification is the regulator's record (threat_notifications, one
// threat_recipients row per operator it reached); each operator gets its own copy in its
// inbox (threat_inbox), written in the same transaction. An operator's acknowledgement and
// answer update its copy and the regulator's recipient row together; a shared sighting is
// written into the regulator's tenant (threat_sightings). Nobody reads another
// organisation's rows.
//
// The vault is read through kernel.VaultEvents (the logs capability), incidents are opened
// through kernel.Incidents (the incidents capability), an operator's sectors come from the
// inventory's facts (the scope capability, by the Inventory interface). The matching engine
// is internal/stix. A TAXII 2.1 server and client are not built yet (docs/threat.md).
package threat

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"sync"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the threat capability.
const (
	// Read shows an operator its inbox, indicators, retro-hunts and hits.
	Read auth.Permission = "threat.read"
	// Respond acknowledges and answers notifications, imports feeds, triages hits and
	// shares sightings with the regulator.
	Respond auth.Permission = "threat.respond"
	// Watch shows a regulator what it published, who answered, and the sightings shared.
	Watch auth.Permission = "threat.watch"
	// Publish publishes notifications to operators.
	Publish auth.Permission = "threat.publish"
	// Configure sets the organisation's time for triaging a hit.
	Configure auth.Permission = "threat.configure"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Respond, auth.Admin, auth.SecurityManager, auth.Analyst)
	auth.Grant(Watch, auth.RegulatorAdmin, auth.RegulatorAnalyst, auth.Inspector)
	auth.Grant(Publish, auth.RegulatorAdmin, auth.RegulatorAnalyst)
	auth.Grant(Configure, auth.Admin, auth.SecurityManager)
}

// Inventory is what the threat capability needs of an organisation's inventory: its
// profile's sectors, to know which notifications reach it (the scope capability implements
// it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Module is the threat capability.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
	// stopLive ends the live sweep's loop that Start began; liveDone waits for it.
	stopLive context.CancelFunc
	liveDone sync.WaitGroup
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{Now: time.Now}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "threat" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "threat")
}

// Provision implements kernel.Module: the inventory is required; the vault and incidents
// are used when the installation has them.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	s := m.Service
	s.db, s.auth, s.changes, s.jobs = d.DB, d.Auth, d.Changes, d.Jobs
	var err error
	if s.inv, err = kernel.Need[Inventory](d.Registry, m.Name()); err != nil {
		return err
	}
	if v, err := kernel.Need[kernel.VaultEvents](d.Registry, m.Name()); err == nil {
		s.vault = v
	}
	if in, err := kernel.Need[kernel.Incidents](d.Registry, m.Name()); err == nil {
		s.incidents = in
	}
	if sub, err := kernel.Need[kernel.Submissions](d.Registry, m.Name()); err == nil {
		s.subs = sub
	}
	if ns := kernel.All[kernel.Notifier](d.Registry); len(ns) == 1 {
		s.notifier = ns[0]
	}
	s.log = d.Log
	s.hunter = &hunter{s: s, log: d.Log}
	return nil
}

// Start implements kernel.Starter: hunts queued before a restart run again.
func (m *Module) Start(ctx context.Context) error {
	if m.hunter != nil {
		m.hunter.kick() // its first turn puts back the hunts a stopped node left running
	}
	if m.vault != nil {
		lctx, cancel := context.WithCancel(ctx) // the caller's cancellation stops it, and so does Close
		m.stopLive = cancel
		m.liveDone.Add(1)
		go func() {
			defer m.liveDone.Done()
			m.liveLoop(lctx, LiveEvery)
		}()
	}
	return nil
}

// Close implements kernel.Closer: a running retro-hunt stops (it is queued again at the
// next start) and Close waits for it.
func (m *Module) Close() error {
	if m.stopLive != nil {
		m.stopLive()
		m.liveDone.Wait()
	}
	if m.Service == nil || m.hunter == nil {
		return nil
	}
	m.hunter.stop()
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.threat", Path: "/threat", Perm: Read, Order: 560},
		{Key: "nav.threat_regulator", Path: "/threat/regulator", Perm: Watch, Order: 110},
	}
}

// FactSets implements kernel.FactProvider.
func (m *Module) FactSets() []kernel.FactSet { return []kernel.FactSet{FactSet(m.Service)} }

// Service keeps the capability's records.
type Service struct {
	db        *store.DB
	auth      *auth.Service
	inv       Inventory
	vault     kernel.VaultEvents
	incidents kernel.Incidents
	subs      kernel.Submissions
	// notifier alerts each recipient's responders of a new notification; nil alerts nobody.
	notifier kernel.Notifier
	log      *slog.Logger
	changes  *kernel.Changes
	jobs     kernel.Jobs // singleton jobs across nodes
	hunter   *hunter
	live     liveCache
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// announce tells the obligations capability, once t commits, that the threat facts changed.
func (s *Service) announce(t *store.Tenant) {
	if s.changes != nil {
		s.changes.Changed(t.Tx(), t.OrgID(), 0)
	}
}

func orgOf(ctx context.Context) (int64, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return 0, store.ErrNoTenant
	}
	return org, nil
}

// errNoVault is why a retro-hunt cannot run in an installation without a log vault.
var errNoVault = errors.New("this installation keeps no log vault")
