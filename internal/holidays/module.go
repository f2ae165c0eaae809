// Package holidays lets an administrator load the State Council's holiday schedule of a year
// this release does not ship, without a new release: the same YAML form as the built-in
// schedules (internal/calendar/schedules.yaml), validated the same way, kept in the database,
// recorded in the audit log, and loaded into the shared working-day calendar at once and at
// every start. Until a year is loaded, working-day deadlines in it are counted on weekends
// only and shown as provisional.
//
// The schedule is national and the calendar is the installation's: loading is granted to the
// operator administrator role, only for years the release does not ship (a shipped year
// cannot be replaced), and every load is audited.
package holidays

import (
	"context"
	"embed"
	"fmt"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

//go:embed messages openapi.json migrations/*.sql
var files embed.FS

// Permissions of the holidays capability.
const (
	Read auth.Permission = "calendar.read"
	Load auth.Permission = "calendar.load"
)

func init() {
	auth.Grant(Read, auth.AllRoles()...)
	// A loaded schedule changes every organisation's working-day deadlines: it is
	// installation-wide, so it is the installation's operations role's to load, never a
	// tenant's administrator's (who could otherwise move other tenants' deadlines).
	auth.Grant(Load, auth.Operations)
}

// Module is the holidays capability.
type Module struct {
	db  *store.DB
	cal *calendar.Calendar
	now func() time.Time
	// changes is told when a loaded year moves working-day deadlines of every organisation.
	changes *kernel.Changes
}

// New returns the module; it loads schedules into calendar.Official().
func New() *Module { return &Module{cal: calendar.Official(), now: time.Now} }

// Name is the migration namespace.
func (m *Module) Name() string { return "holidays" }

// Migrations creates the table of loaded schedules (installation-wide, not per organisation):
// the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "holidays")
}

// Provision keeps the database; the module needs no other capability.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.db, m.changes = d.DB, d.Changes
	return nil
}

// Register adds the API and loads the stored schedules into the calendar.
func (m *Module) Register(d kernel.Deps) error {
	if err := d.Web.Messages.LoadDir(files, "messages"); err != nil {
		return err
	}
	if err := m.loadStored(context.Background()); err != nil {
		return err
	}
	d.Web.API("GET /api/v1/calendar/schedules", Read, m.apiList)
	d.Web.API("PUT /api/v1/calendar/schedules/{year}", Load, m.apiLoad)
	b, err := files.ReadFile("openapi.json")
	if err != nil {
		return fmt.Errorf("holidays openapi.json: %w", err)
	}
	return d.Web.AddOpenAPI(b)
}

// loadStored loads every stored schedule into the calendar, as at start-up.
func (m *Module) loadStored(ctx context.Context) error {
	ls, texts, err := m.list(ctx)
	if err != nil {
		return err
	}
	for i, l := range ls {
		s, err := parseOne(l.Year, []byte(texts[i]))
		if err != nil {
			return fmt.Errorf("holidays: stored schedule %d no longer loads: %w", l.Year, err)
		}
		if calendar.IsBuiltin(s.Year) {
			continue // a later release ships it now
		}
		if err := m.cal.Load(s); err != nil {
			return fmt.Errorf("holidays: stored schedule %d: %w", l.Year, err)
		}
	}
	return nil
}
