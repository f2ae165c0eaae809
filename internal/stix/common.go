package stix

import "encoding/json"

// SpecVersion is the STIX version of every object we create.
const SpecVersion = "2.1"

// Object is any STIX object: a domain, relationship, observable, marking or unknown one.
type Object interface {
	// ObjectType is the object's "type".
	ObjectType() string
	// ObjectID is the object's "id".
	ObjectID() string
}

// ExternalReference points to non-STIX information (section 2.5).
type ExternalReference struct {
	SourceName  string            `json:"source_name"`
	Description string            `json:"description,omitzero"`
	URL         string            `json:"url,omitzero"`
	Hashes      map[string]string `json:"hashes,omitzero"`
	ExternalID  string            `json:"external_id,omitzero"`
}

// GranularMarking marks parts of an object (section 7.2.3).
type GranularMarking struct {
	Lang       string   `json:"lang,omitzero"`
	MarkingRef string   `json:"marking_ref,omitzero"`
	Selectors  []string `json:"selectors"`
}

// KillChainPhase is a phase of a kill chain (section 2.8).
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// Common are the properties shared by domain and relationship objects (section 3.2).
type Common struct {
	Type               string                     `json:"type"`
	SpecVersion        string                     `json:"spec_version"`
	ID                 string                     `json:"id"`
	CreatedByRef       string                     `json:"created_by_ref,omitzero"`
	Created            Timestamp                  `json:"created"`
	Modified           Timestamp                  `json:"modified"`
	Revoked            *bool                      `json:"revoked,omitzero"`
	Labels             []string                   `json:"labels,omitzero"`
	Confidence         *int                       `json:"confidence,omitzero"`
	Lang               string                     `json:"lang,omitzero"`
	ExternalReferences []ExternalReference        `json:"external_references,omitzero"`
	ObjectMarkingRefs  []string                   `json:"object_marking_refs,omitzero"`
	GranularMarkings   []GranularMarking          `json:"granular_markings,omitzero"`
	Extensions         map[string]json.RawMessage `json:"extensions,omitzero"`
}

// ObjectType implements Object.
func (c *Common) ObjectType() string { return c.Type }

// ObjectID implements Object.
func (c *Common) ObjectID() string { return c.ID }

// NewCommon returns the common properties of a new object of typ created now by
// creator (an identity id, or "").
func NewCommon(typ, creator string, now Timestamp) Common {
	return Common{Type: typ, SpecVersion: SpecVersion, ID: NewID(typ), CreatedByRef: creator, Created: now, Modified: now}
}

// Newer reports whether version a of an object supersedes version b: versions of one
// object share its id and are told apart by modified (section 3.6).
func Newer(a, b *Common) bool { return a.Modified.After(b.Modified.Time) }
