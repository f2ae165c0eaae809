package catalog

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"ciiguard/internal/rules"
)

// CustomPrefix returns the prefix LoadCustom puts before an organisation's ids:
// "ORG-<ORGID>-", with the organisation id upper-cased and anything but letters and digits
// turned into hyphens. Prefixing keeps an organisation's own ids out of the law's namespace and
// apart from every other organisation's.
func CustomPrefix(orgID string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(orgID) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return "ORG-" + strings.TrimSuffix(b.String(), "-") + "-"
}

// LoadCustom reads an organisation's own internal policy: one YAML file in the catalog's form
// (instrument, optional penalties, obligations), validated by the same schema and compiled by
// the same engine. Every id is prefixed with CustomPrefix(orgID), so a policy obligation
// written as "POL-PASSWORDS" under instrument "POL" becomes "ORG-ACME-POL-PASSWORDS". Unlike
// the law, a policy may omit article, summary and source. Penalties referenced must be defined
// in the same file. Merge the result with the main catalog to evaluate both together.
func LoadCustom(r io.Reader, orgID string, opts ...rules.Option) (*Catalog, error) {
	prefix := CustomPrefix(orgID)
	if prefix == "ORG--" {
		return nil, errors.New("catalog: custom policy: organisation id has no letters or digits")
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: read custom policy: %w", err)
	}
	name := "policy:" + strings.TrimSuffix(prefix, "-")
	d, errs := parseFile(name, b, true)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d.Instrument.ID = prefix + d.Instrument.ID
	for _, p := range d.Penalties {
		if p != nil {
			p.ID = prefix + p.ID
			p.Instrument = d.Instrument.ID
		}
	}
	for _, o := range d.Obligations {
		if o == nil {
			continue
		}
		o.ID = prefix + o.ID
		o.Instrument = d.Instrument.ID
		if o.Penalty != "" {
			o.Penalty = prefix + o.Penalty
		}
	}
	return build([]*fileDoc{d}, opts)
}

// Merge combines catalogs (typically the embedded law and one organisation's policies) into a
// new one with a single engine. Ids must not clash.
func Merge(base *Catalog, more ...*Catalog) (*Catalog, error) {
	c := &Catalog{instruments: map[string]*Instrument{}, obligations: map[string]*Obligation{},
		penalties: map[string]*Penalty{}, ruleOpts: base.ruleOpts}
	for _, src := range append([]*Catalog{base}, more...) {
		for _, in := range src.Instruments {
			if _, dup := c.instruments[in.ID]; dup {
				return nil, fmt.Errorf("catalog: merge: instrument %s defined twice", in.ID)
			}
			c.instruments[in.ID] = in
			c.Instruments = append(c.Instruments, in)
		}
		for _, p := range src.Penalties {
			if _, dup := c.penalties[p.ID]; dup {
				return nil, fmt.Errorf("catalog: merge: penalty %s defined twice", p.ID)
			}
			c.penalties[p.ID] = p
			c.Penalties = append(c.Penalties, p)
		}
		for _, o := range src.Obligations {
			if _, dup := c.obligations[o.ID]; dup {
				return nil, fmt.Errorf("catalog: merge: obligation %s defined twice", o.ID)
			}
			c.obligations[o.ID] = o
			c.Obligations = append(c.Obligations, o)
		}
	}
	sort.Slice(c.Instruments, func(i, j int) bool { return c.Instruments[i].ID < c.Instruments[j].ID })
	sort.Slice(c.Obligations, func(i, j int) bool { return c.Obligations[i].ID < c.Obligations[j].ID })
	sort.Slice(c.Penalties, func(i, j int) bool { return c.Penalties[i].ID < c.Penalties[j].ID })
	eng, err := rules.NewEngine(c.Rules(), c.ruleOpts...)
	if err != nil {
		return nil, fmt.Errorf("catalog: merge: %w", err)
	}
	c.engine = eng
	return c, nil
}
