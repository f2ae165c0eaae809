package kernel

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"time"
)

// An inspection (监督检查, CIIR 2021 Arts 26–28) is the one way a protection-work department
// reads an operator's own records: the department's inspection names a scope — which areas
// of records, which systems, which period — and a time box, and the oversight capability
// reads, for its inspectors and only inside that scope and window, through the contracts
// below. Each capability that owns inspectable records implements Inspectable for its own
// area; the oversight capability records every read in both organisations' audit trails.
// Nothing here lets a department list an operator's records outside an inspection: the
// oversight capability is the only caller, and it checks the inspection first.

// InspectionScope is what one read of an area may cover.
type InspectionScope struct {
	// Systems are the systems in scope as the department names them (exact Chinese or
	// English name, as identification notices name them); empty: no system.
	Systems []string
	// From and To bound the period under inspection (From <= t < To): dated records
	// (evidence files by upload time, say) outside it are not read.
	From, To time.Time
}

// InspectionField is one labelled value of a record as an inspector sees it.
type InspectionField struct {
	LabelZH string `json:"label_zh"`
	LabelEN string `json:"label_en"`
	Value   string `json:"value"`
	// ValueEN is the value in English when it is a word of the product's (a state), not
	// the operator's own text: "" means Value in both languages.
	ValueEN string `json:"value_en,omitempty"`
}

// InspectionRecord is one of the operator's records read for an inspection.
type InspectionRecord struct {
	Area    string            `json:"area"`
	ID      string            `json:"id"`
	TitleZH string            `json:"title_zh"`
	TitleEN string            `json:"title_en"`
	At      time.Time         `json:"at,omitzero"` // when the record was last changed or made
	Fields  []InspectionField `json:"fields"`
	// Data is the record as the owning capability's API gives it, reproduced as is.
	Data json.RawMessage `json:"data"`
	// Evidence are the SHA-256 of evidence files the record cites or is.
	Evidence []string `json:"evidence,omitempty"`
}

// Inspectable is implemented by a capability whose records a department may read in an
// inspection.
type Inspectable interface {
	// InspectionArea names the area: its key (stable, in an inspection's scope) and its
	// names in both languages.
	InspectionArea() (key, nameZH, nameEN string)
	// InspectionRecords lists organisation org's records of the area inside sc, at most
	// limit. The caller has checked the inspection; the implementation reads org's
	// tenant only and applies sc itself.
	InspectionRecords(ctx context.Context, org int64, sc InspectionScope, limit int) ([]InspectionRecord, error)
}

// EvidenceContent opens an organisation's evidence file for a reproduction of records
// that cite it. The evidence capability implements it.
type EvidenceContent interface {
	// OpenEvidence opens the context organisation's file with that SHA-256:
	// store.ErrNotFound when the organisation holds no such file.
	OpenEvidence(ctx context.Context, sha256 string) (io.ReadCloser, EvidenceFile, error)
}

// InstallationKey is the installation's Ed25519 signing key, the one whose fingerprint is
// printed on reports: documents the installation vouches for (a report's JSON, an
// inspection's reproduction bundle) are signed with it. The reports capability implements
// it.
type InstallationKey interface {
	// PublicKey is the key a reader verifies with; Sign signs msg. Both fail when the
	// installation has no key (no data directory).
	PublicKey() (ed25519.PublicKey, error)
	Sign(msg []byte) ([]byte, error)
}
