package kernel

import "context"

// Identification is how a protection-work department's identification notice (CIIR 2021
// Arts 9–10) reaches the operator's own inventory, where each system keeps the date and
// document number of the notice that identified it (identified_on). The capability that
// keeps the inventory implements it (scope); the one where the department records its
// notices calls it (oversight), in the operator's name: the result is the operator's to
// see, never the department's, since it tells which systems the operator has.
type Identification interface {
	// RecordIdentified applies notice n to the systems of organisation org that it
	// names, by exact name (Chinese or English), and says system by system what happened:
	// identified, or de-identified when n.Deidentify.
	// It is idempotent: the same notice applied twice changes nothing the second time.
	RecordIdentified(ctx context.Context, org int64, n IdentificationNotice) ([]IdentifiedSystem, error)
}

// IdentificationNotice is what the department's notice says about identification.
type IdentificationNotice struct {
	On      string   // the notice's date, YYYY-MM-DD
	Ref     string   // its document number
	Systems []string // the systems as the department names them
	// Deidentify: the notice says the systems are no longer CII (a re-identification,
	// CIIR 2021 Art. 11, that concluded so) instead of identifying them.
	Deidentify bool
}

// IdentifiedSystem is what a notice did to one system it names.
type IdentifiedSystem struct {
	Name     string `json:"name"`
	SystemID int64  `json:"system_id,omitempty"`
	Result   string `json:"result"` // one of the Identified* results
}

// Results of applying an identification notice to a named system.
const (
	// IdentifiedNew: the system was not identified and now is, as of the notice.
	IdentifiedNew = "identified"
	// IdentifiedAgain: an identified (or de-identified) system is identified again by a
	// later notice (re-identification after a major change, CIIR 2021 Art. 11); the major
	// change it answers is cleared.
	IdentifiedAgain = "re_identified"
	// IdentifiedRemoved: a de-identification notice; the identified system is no longer
	// CII as of the notice.
	IdentifiedRemoved = "de_identified"
	// IdentifiedAlready: the system already carries this notice, or a later one (or, for
	// a de-identification, is not identified as of its date).
	IdentifiedAlready = "unchanged"
	// IdentifiedNoSystem: no system of the inventory has that name; the operator records
	// the notice on the right system by hand.
	IdentifiedNoSystem = "no_system"
)
