package stix

import (
	"encoding/json"
	"fmt"
)

// MarkingDefinition is a data marking (section 7.2.1): a TLP level or a statement.
type MarkingDefinition struct {
	Type               string                     `json:"type"`
	SpecVersion        string                     `json:"spec_version"`
	ID                 string                     `json:"id"`
	CreatedByRef       string                     `json:"created_by_ref,omitzero"`
	Created            Timestamp                  `json:"created"`
	ExternalReferences []ExternalReference        `json:"external_references,omitzero"`
	ObjectMarkingRefs  []string                   `json:"object_marking_refs,omitzero"`
	GranularMarkings   []GranularMarking          `json:"granular_markings,omitzero"`
	Extensions         map[string]json.RawMessage `json:"extensions,omitzero"`
	Name               string                     `json:"name,omitzero"`
	// DefinitionType and Definition are the STIX 2.1 form ("statement" or the TLP 1.0
	// "tlp"); TLP 2.0 markings carry their level in an extension instead.
	DefinitionType string          `json:"definition_type,omitzero"`
	Definition     json.RawMessage `json:"definition,omitzero"`
	Extra          Extra           `json:"-"`
}

// ObjectType implements Object.
func (m *MarkingDefinition) ObjectType() string { return m.Type }

// ObjectID implements Object.
func (m *MarkingDefinition) ObjectID() string { return m.ID }

// TLP is a Traffic Light Protocol 2.0 level, ordered from the least to the most
// restrictive.
type TLP int

// The TLP 2.0 levels (FIRST, TLP 2.0, August 2022).
const (
	TLPClear TLP = iota
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

// TLP2Extension is the extension definition of TLP 2.0 markings (OASIS CTI, STIX Common
// Objects, "tlp-2.0").
const TLP2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// tlp2 lists the published TLP 2.0 marking definitions: their fixed ids, names and the
// value of tlp_2_0 (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
var tlp2 = []struct{ id, name, value string }{
	{"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"},
	{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"},
	{"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"},
	{"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict"},
	{"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"},
}

// tlp1 are the TLP 1.0 markings STIX 2.1 predefines (section 7.2.1.4), read as their TLP
// 2.0 equivalents (WHITE is CLEAR).
var tlp1 = map[string]TLP{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLPRed,
}

// String is the level's name, "TLP:RED".
func (t TLP) String() string {
	if t < TLPClear || t > TLPRed {
		return fmt.Sprintf("TLP(%d)", int(t))
	}
	return tlp2[t].name
}

// Value is the level as tlp_2_0 spells it, "red".
func (t TLP) Value() string { return tlp2[t].value }

// MarkingID is the published id of the level's marking definition.
func (t TLP) MarkingID() string { return tlp2[t].id }

// ParseTLP reads a level by its tlp_2_0 value ("amber+strict") or name ("TLP:AMBER").
func ParseTLP(s string) (TLP, error) {
	for i, m := range tlp2 {
		if s == m.value || s == m.name {
			return TLP(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a TLP 2.0 level (clear, green, amber, amber+strict, red)", s)
}

// TLPOf returns the TLP level a marking id stands for (TLP 2.0 or the predefined TLP 1.0
// ones), and false for any other marking.
func TLPOf(markingID string) (TLP, bool) {
	for i, m := range tlp2 {
		if m.id == markingID {
			return TLP(i), true
		}
	}
	t, ok := tlp1[markingID]
	return t, ok
}

// Strictest returns the most restrictive TLP among an object's marking refs, and false
// when none is a TLP marking. An object marked both GREEN and RED is RED.
func Strictest(refs []string) (TLP, bool) {
	best, found := TLPClear, false
	for _, r := range refs {
		if t, ok := TLPOf(r); ok && (!found || t > best) {
			best, found = t, true
		}
	}
	return best, found
}

// TLPMarking returns the published marking definition object of level t.
func TLPMarking(t TLP) *MarkingDefinition {
	ext, _ := json.Marshal(map[string]string{"extension_type": "property-extension", "tlp_2_0": t.Value()})
	created, _ := ParseTimestamp("2022-10-01T00:00:00.000Z")
	return &MarkingDefinition{Type: "marking-definition", SpecVersion: SpecVersion, ID: t.MarkingID(), Created: created,
		Name: t.String(), Extensions: map[string]json.RawMessage{TLP2Extension: ext}}
}

// NewStatement returns a statement marking (section 7.2.1.3), e.g. a copyright or a
// handling instruction in words.
func NewStatement(statement, creator string, now Timestamp) *MarkingDefinition {
	def, _ := json.Marshal(map[string]string{"statement": statement})
	return &MarkingDefinition{Type: "marking-definition", SpecVersion: SpecVersion, ID: NewID("marking-definition"),
		CreatedByRef: creator, Created: now, DefinitionType: "statement", Definition: def}
}
