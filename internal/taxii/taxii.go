// Package taxii is ciiguard's TAXII 2.1 server and client (OASIS TAXII Version 2.1, OASIS
// Standard, 10 June 2021; section numbers in comments and tests are that document's).
//
// The server has one API Root, /taxii2/ciiguard/, whose collections depend on who asks:
//
//   - an operator reads its own threat collections (its private one, which it may also
//     write; the MIIT 2014 task-3 databases; the regulator's notifications to each of its
//     sectors, as delivered to it) and the sightings it shared with its regulator;
//   - a regulator reads its notifications to each sector it published to and the sightings
//     operators shared with it;
//   - both read and write the sharing group of the regulator: the regulator and the
//     operators that named it as their protection-work department (kernel.Submissions).
//
// The threat collections belong to the threat capability, read and written through
// kernel.ThreatCollections; this package keeps only what TAXII adds: the sharing groups'
// objects, the status of each POST and the client's cursors.
//
// TLP (TLP 2.0, as stix.Strictest reads object_marking_refs): an object in a sharing group
// marked TLP:CLEAR, TLP:GREEN or TLP:AMBER (or unmarked) is read by every member;
// TLP:AMBER+STRICT and TLP:RED are read only by the organisation that posted them and the
// group's regulator, the recipient they were posted to. A regulator's own TLP:AMBER+STRICT
// or TLP:RED post is refused: a group has no named recipients to hold it.
//
// Authentication is the web layer's: a session, an API token as Bearer, or HTTP Basic with
// the token as the password (web.Server.AcceptBasic). Another organisation's collection,
// object or status is 404 (TAXII 2.1 §5.2 allows 404 for "no access").
//
// The client (Client, Poller) polls any TAXII 2.1 server's collection with added_after and
// next, keeps its cursor in the records store so a restart resumes where it stopped, and
// waits as Retry-After says on 429 and 503. With --taxii-poll (Subscription) the module
// polls one remote collection while the server runs, adding its indicators to a local
// organisation's collection through kernel.ThreatCollections.
package taxii

import (
	"context"
	"embed"
	"net/http"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

//go:embed migrations messages openapi.json
var files embed.FS

// Permissions of the TAXII server. Reading and writing a collection also need the
// collection's can_read / can_write, which follow the organisation's kind and these.
const (
	// Read lets a client discover the server and read the collections of its organisation.
	Read auth.Permission = "taxii.read"
	// Write lets a client post objects to the collections its organisation may write.
	Write auth.Permission = "taxii.write"
)

func init() {
	// The roles that read the threat capability's records (threat.read, threat.watch).
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor,
		auth.RegulatorAdmin, auth.RegulatorAnalyst, auth.Inspector)
	// The roles that add to them (threat.respond, threat.publish).
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.Analyst, auth.RegulatorAdmin, auth.RegulatorAnalyst)
}

// Paths of the server.
const (
	DiscoveryPath = "/taxii2/"
	// APIRootPath is the one API Root.
	APIRootPath = "/taxii2/ciiguard/"
)

// MaxContentLength is the API Root's max_content_length (§4.2.1): the largest POST body.
const MaxContentLength = 8 << 20

// Module is the TAXII capability.
type Module struct {
	db      *store.DB
	auth    *auth.Service
	threat  kernel.ThreatCollections
	subs    kernel.Submissions
	jobs    kernel.Jobs // singleton jobs across nodes
	maxPage int
	subscriptionState
	// Now is the clock; tests set it.
	Now func() time.Time
}

// New returns the module.
func New() *Module { return &Module{Now: time.Now, maxPage: 1000} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "taxii" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "taxii")
}

// Provision implements kernel.Module: the threat collections are required; the sharing
// groups need the operators' named regulators (kernel.Submissions) and are left out
// without them.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.db, m.auth, m.log, m.jobs = d.DB, d.Auth, d.Log, d.Jobs
	var err error
	if m.threat, err = kernel.Need[kernel.ThreatCollections](d.Registry, m.Name()); err != nil {
		return err
	}
	if s, err := kernel.Need[kernel.Submissions](d.Registry, m.Name()); err == nil {
		m.subs = s
	}
	return nil
}

// Register implements kernel.Module. The patterns end in "/" (every TAXII path does,
// §3.1), which net/http reads as "and below": each handler checks that the path is
// exactly its own and answers 404 otherwise.
func (m *Module) Register(d kernel.Deps) error {
	if _, err := d.Web.LoadAssets(files); err != nil {
		return err
	}
	s := d.Web
	s.AcceptBasic(DiscoveryPath)
	// Every error under /taxii2/ is a TAXII error message (§3.6.1), also those the web
	// layer answers before a handler runs (401, 403) and a path or method no route has.
	s.APIErrors(DiscoveryPath, func(w http.ResponseWriter, r *http.Request, code int, detail string, fields []problem.FieldError) {
		field := ""
		if len(fields) > 0 {
			field = fields[0].Field
		}
		_ = fail(w, r, code, field, detail)
	})
	s.API("GET /taxii2/", Read, m.discovery)
	s.API("GET /taxii2/ciiguard/", Read, m.apiRoot)
	s.API("GET /taxii2/ciiguard/status/{status}/", Read, m.status)
	s.API("GET /taxii2/ciiguard/collections/", Read, m.collections)
	s.API("GET /taxii2/ciiguard/collections/{id}/", Read, m.collection)
	s.API("GET /taxii2/ciiguard/collections/{id}/manifest/", Read, m.manifest)
	s.API("GET /taxii2/ciiguard/collections/{id}/objects/", Read, m.objects)
	s.APIWithLimit("POST /taxii2/ciiguard/collections/{id}/objects/", Write, MaxContentLength, m.addObjects)
	s.API("GET /taxii2/ciiguard/collections/{id}/objects/{object}/", Read, m.object)
	s.API("GET /taxii2/ciiguard/collections/{id}/objects/{object}/versions/", Read, m.versions)
	// A delete is checked against the collection's can_read and can_write in the handler
	// (§5.7: 404 without access, 403 with read access only), not by the route.
	s.API("DELETE /taxii2/ciiguard/collections/{id}/objects/{object}/", Read, m.deleteObject)
	return nil
}

func (m *Module) now() time.Time { return m.Now().UTC().Truncate(time.Microsecond) }
