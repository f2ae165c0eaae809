package kernel

import (
	"context"
	"encoding/json"
	"time"
)

// ThreatCollection is one collection of STIX objects that the threat capability keeps for
// the context's organisation: an operator's indicators by where they came from (its own
// private collection, the MIIT 2014 task-3 databases, the regulator's notifications to
// one of its sectors), or a regulator's own notifications to one sector. The TAXII server
// serves each as a TAXII collection.
type ThreatCollection struct {
	// Code names the collection within the organisation ("private", "regulator:energy",
	// "sector:energy"); it is stable, so a TAXII collection id can be derived from it.
	Code    string
	TitleZH string
	TitleEN string
	// Writable is true for the collection the organisation adds its own indicators to.
	Writable bool
}

// ThreatObject is one version of a STIX object in a collection, with what a TAXII server
// needs to filter, sort and page it without decoding it again.
type ThreatObject struct {
	ID          string    // the STIX id
	Type        string    // the STIX type
	Version     string    // modified, or created for an unversioned object (TAXII 2.1 §3.4.1)
	SpecVersion string    // "2.1"
	DateAdded   time.Time // when the object entered the collection, microsecond precision
	TLP         string    // "clear", "green", "amber", "amber+strict", "red", or "" when unmarked
	JSON        json.RawMessage
}

// ThreatAdded is what became of one object given to AddThreatObjects.
type ThreatAdded struct {
	ID      string
	Version string
	OK      bool
	Message string // why it was not added, in English; or a note (already held)
}

// ThreatCollections is the threat capability's collections as a TAXII server reads and
// writes them. The threat capability implements it; every method acts for the context's
// organisation and never returns another organisation's rows.
type ThreatCollections interface {
	// ThreatCollections lists the context organisation's collections, in a stable order.
	ThreatCollections(ctx context.Context) ([]ThreatCollection, error)
	// ThreatObjects returns the objects of collection code added at or after from (the zero
	// time for all), oldest first (by DateAdded, then ID); store.ErrNotFound when the
	// organisation has no such collection. The caller pages: several objects can share a
	// DateAdded, so "at or after" loses none of them.
	ThreatObjects(ctx context.Context, code string, from time.Time) ([]ThreatObject, error)
	// AddThreatObjects adds STIX indicators to a writable collection, each checked as an
	// imported STIX bundle's are (validated, pattern parsed, not expired), and queues the
	// retro-hunt of those added. An object already held is reported OK. A collection that
	// is not writable is a problem.Invalid on "collection"; store.ErrNotFound when there is
	// none.
	AddThreatObjects(ctx context.Context, code string, objects []json.RawMessage) ([]ThreatAdded, error)
}

// ThreatPager is what a ThreatCollections implementation may add so that a TAXII server
// reads one page from the store instead of the whole collection: for a collection that
// holds one version of each object (so that TAXII's version filters judge each object on
// its own), the objects added after from (strictly; the zero time for all) and after the
// position (afterAdded, afterID) in the order of ThreatObjects, at most limit. ok is false
// for a collection that cannot be paged this way: the caller reads ThreatObjects.
type ThreatPager interface {
	ThreatObjectsPage(ctx context.Context, code string, from, afterAdded time.Time, afterID string, limit int) (objs []ThreatObject, ok bool, err error)
}

// ThreatSharing shares STIX objects with the context operator's protection-work
// department (the regulator it named through Submissions): they go to the department's
// sharing group, the collection that the department and its operators read, each object
// within its TLP mark. The TAXII capability implements it; a capability that detects
// something the regulator should know (an app store's take-down of a malicious app)
// shares it here without importing the TAXII capability.
type ThreatSharing interface {
	// ShareWithRegulator validates each object as STIX 2.1 and adds it to the sharing
	// group of the context operator's regulator, audited for both; an exact duplicate is
	// reported OK ("already held"). It returns the regulator shared with. No regulator
	// named is a problem.Invalid on "regulator".
	ShareWithRegulator(ctx context.Context, objects []json.RawMessage) (RegulatorRef, []ThreatAdded, error)
}
