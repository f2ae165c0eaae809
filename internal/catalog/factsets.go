package catalog

import (
	"fmt"

	"ciiguard/internal/rules"
)

// resolveFactSets settles each obligation that reads a capability's fact set (its `facts`
// field names the set): when the rules engine knows the set, the obligation is checked and its
// attestation is dropped; when it does not (a tool or a test that loads the catalog without
// the capability), the obligation falls back to its attestation and its test cases, which
// need the set, are not run here — the capability's own tests run them with the set declared.
// Either way every user of the catalog sees one consistent obligation.
func (c *Catalog) resolveFactSets() error {
	probe, err := rules.NewEngine(nil, c.ruleOpts...)
	if err != nil {
		return fmt.Errorf("catalog: fact sets: %w", err)
	}
	known := map[string]bool{}
	for _, s := range probe.FactSets() {
		known[s.Name] = true
	}
	for _, o := range c.Obligations {
		if o.Facts == "" || o.Check == "" || o.Attestation == nil {
			continue
		}
		o.authored = &AuthoredCheck{Check: o.Check, Requires: o.Requires, Due: o.Due, Attestation: o.Attestation}
		if known[o.Facts] {
			o.Attestation = nil
			continue
		}
		o.Check, o.Requires, o.Due = "", nil, ""
		for i := range o.Tests {
			o.Tests[i].skipped = true
		}
	}
	return nil
}
