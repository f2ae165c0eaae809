package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// PropertyError names a property of an object that breaks the specification.
type PropertyError struct {
	ID       string // the object's id (may be empty or malformed itself)
	Property string
	Reason   string
}

func (e *PropertyError) Error() string {
	return fmt.Sprintf("%s: %s %s", e.ID, e.Property, e.Reason)
}

type checker struct {
	obj  string
	errs []error
}

func (c *checker) add(prop, format string, args ...any) {
	c.errs = append(c.errs, &PropertyError{ID: c.obj, Property: prop, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) required(prop string, present bool) {
	if !present {
		c.add(prop, "is required")
	}
}

// ref checks that an identifier is well formed and, when types is not empty, of one of
// those types.
func (c *checker) ref(prop, id string, types ...string) {
	typ, _, err := SplitID(id)
	if err != nil {
		c.add(prop, "is not an identifier: %v", err)
		return
	}
	if len(types) > 0 && !contains(types, typ) {
		c.add(prop, "must refer to a %s, not a %s", strings.Join(types, " or "), typ)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Validate checks o against the mandatory properties of its type in STIX 2.1 and returns
// every problem found (errors.Join of *PropertyError), or nil. Objects of a type this
// package does not know are checked for their type and id only.
func Validate(o Object) error {
	c := &checker{obj: o.ObjectID()}
	switch v := o.(type) {
	case *Indicator:
		c.common(&v.Common, "indicator")
		c.required("pattern", v.Pattern != "")
		c.required("pattern_type", v.PatternType != "")
		c.required("valid_from", !v.ValidFrom.IsZero())
		if !v.ValidUntil.IsZero() && !v.ValidUntil.After(v.ValidFrom.Time) {
			c.add("valid_until", "must be later than valid_from")
		}
		if v.PatternType == "stix" && v.Pattern != "" {
			if _, err := ParsePattern(v.Pattern); err != nil {
				c.add("pattern", "is not a pattern ciiguard evaluates: %v", err)
			}
		}
	case *Malware:
		c.common(&v.Common, "malware")
		c.required("is_family", v.IsFamily != nil)
		if v.IsFamily != nil && *v.IsFamily {
			c.required("name", v.Name != "")
		}
		c.seen(v.FirstSeen, v.LastSeen)
	case *Infrastructure:
		c.common(&v.Common, "infrastructure")
		c.required("name", v.Name != "")
		c.seen(v.FirstSeen, v.LastSeen)
	case *AttackPattern:
		c.common(&v.Common, "attack-pattern")
		c.required("name", v.Name != "")
	case *Vulnerability:
		c.common(&v.Common, "vulnerability")
		c.required("name", v.Name != "")
	case *Identity:
		c.common(&v.Common, "identity")
		c.required("name", v.Name != "")
	case *Report:
		c.common(&v.Common, "report")
		c.required("name", v.Name != "")
		c.required("published", !v.Published.IsZero())
		c.refs("object_refs", v.ObjectRefs, true)
	case *Note:
		c.common(&v.Common, "note")
		c.required("content", v.Content != "")
		c.refs("object_refs", v.ObjectRefs, true)
	case *Sighting:
		c.common(&v.Common, "sighting")
		if v.SightingOfRef == "" {
			c.add("sighting_of_ref", "is required")
		} else {
			c.ref("sighting_of_ref", v.SightingOfRef)
		}
		if v.Count != nil && (*v.Count < 0 || *v.Count > 999999999) {
			c.add("count", "must be between 0 and 999999999")
		}
		c.seen(v.FirstSeen, v.LastSeen)
		for i, r := range v.WhereSightedRefs {
			c.ref(fmt.Sprintf("where_sighted_refs[%d]", i), r, "identity", "location")
		}
		for i, r := range v.ObservedDataRefs {
			c.ref(fmt.Sprintf("observed_data_refs[%d]", i), r, "observed-data")
		}
	case *Relationship:
		c.common(&v.Common, "relationship")
		c.required("relationship_type", v.RelationshipType != "")
		c.requiredRef("source_ref", v.SourceRef)
		c.requiredRef("target_ref", v.TargetRef)
		if !v.StartTime.IsZero() && !v.StopTime.IsZero() && !v.StopTime.After(v.StartTime.Time) {
			c.add("stop_time", "must be later than start_time")
		}
	case *MarkingDefinition:
		c.marking(v)
	case *IPv4Addr:
		c.sco(&v.SCOCommon, "ipv4-addr")
		c.ip("value", v.Value, true)
	case *IPv6Addr:
		c.sco(&v.SCOCommon, "ipv6-addr")
		c.ip("value", v.Value, false)
	case *DomainName:
		c.sco(&v.SCOCommon, "domain-name")
		c.required("value", v.Value != "")
	case *URL:
		c.sco(&v.SCOCommon, "url")
		if v.Value == "" {
			c.add("value", "is required")
		} else if u, err := url.Parse(v.Value); err != nil || u.Scheme == "" {
			c.add("value", "is not an absolute URL (RFC 3986)")
		}
	case *EmailAddr:
		c.sco(&v.SCOCommon, "email-addr")
		if !strings.Contains(v.Value, "@") {
			c.add("value", "is not an e-mail address (RFC 5322 addr-spec)")
		}
	case *File:
		c.sco(&v.SCOCommon, "file")
		if len(v.Hashes) == 0 && v.Name == "" {
			c.add("hashes", "or name is required")
		}
		for _, k := range sortedKeys(v.Hashes) {
			if re, ok := hashForm[k]; ok && !re.MatchString(v.Hashes[k]) {
				c.add("hashes."+k, "is not a %s hash in hexadecimal", k)
			}
		}
	default:
		if _, _, err := SplitID(o.ObjectID()); err != nil {
			c.add("id", "%v", err)
		}
	}
	return errors.Join(c.errs...)
}

// hashForm is the hexadecimal form of the hash algorithms of the hash-algorithm-ov
// vocabulary (section 10.3) whose length is fixed.
var hashForm = map[string]*regexp.Regexp{
	"MD5":      regexp.MustCompile(`^[0-9a-fA-F]{32}$`),
	"SHA-1":    regexp.MustCompile(`^[0-9a-fA-F]{40}$`),
	"SHA-256":  regexp.MustCompile(`^[0-9a-fA-F]{64}$`),
	"SHA-512":  regexp.MustCompile(`^[0-9a-fA-F]{128}$`),
	"SHA3-256": regexp.MustCompile(`^[0-9a-fA-F]{64}$`),
	"SHA3-512": regexp.MustCompile(`^[0-9a-fA-F]{128}$`),
}

func (c *checker) requiredRef(prop, id string) {
	if id == "" {
		c.add(prop, "is required")
		return
	}
	c.ref(prop, id)
}

func (c *checker) refs(prop string, ids []string, required bool) {
	if required && len(ids) == 0 {
		c.add(prop, "must list at least one object")
	}
	for i, id := range ids {
		c.ref(fmt.Sprintf("%s[%d]", prop, i), id)
	}
}

func (c *checker) seen(first, last Timestamp) {
	if !first.IsZero() && !last.IsZero() && last.Before(first.Time) {
		c.add("last_seen", "must not be earlier than first_seen")
	}
}

// common checks the properties every domain and relationship object has (section 3.2).
func (c *checker) common(o *Common, typ string) {
	if o.Type != typ {
		c.add("type", "must be %q", typ)
	}
	if o.SpecVersion != SpecVersion {
		c.add("spec_version", "must be %q", SpecVersion)
	}
	c.id(o.ID, typ)
	if o.CreatedByRef != "" {
		c.ref("created_by_ref", o.CreatedByRef, "identity")
	}
	c.stamp("created", o.Created)
	c.stamp("modified", o.Modified)
	if !o.Created.IsZero() && !o.Modified.IsZero() && o.Modified.Before(o.Created.Time) {
		c.add("modified", "must not be earlier than created")
	}
	if o.Confidence != nil && (*o.Confidence < 0 || *o.Confidence > 100) {
		c.add("confidence", "must be between 0 and 100")
	}
	c.markings(o.ObjectMarkingRefs, o.ExternalReferences)
}

func (c *checker) markings(refs []string, ext []ExternalReference) {
	for i, r := range refs {
		c.ref(fmt.Sprintf("object_marking_refs[%d]", i), r, "marking-definition")
	}
	for i, e := range ext {
		if e.SourceName == "" {
			c.add(fmt.Sprintf("external_references[%d].source_name", i), "is required")
		}
	}
}

func (c *checker) id(id, typ string) {
	if id == "" {
		c.add("id", "is required")
		return
	}
	got, _, err := SplitID(id)
	if err != nil {
		c.add("id", "%v", err)
	} else if got != typ {
		c.add("id", "must start with %q", typ+"--")
	}
}

func (c *checker) stamp(prop string, t Timestamp) {
	if t.IsZero() {
		c.add(prop, "is required")
	} else if !t.MillisecondPrecise() {
		c.add(prop, "must be precise to the millisecond")
	}
}

// sco checks the properties every observable has (section 3.3).
func (c *checker) sco(o *SCOCommon, typ string) {
	if o.Type != typ {
		c.add("type", "must be %q", typ)
	}
	if o.SpecVersion != "" && o.SpecVersion != SpecVersion {
		c.add("spec_version", "must be %q", SpecVersion)
	}
	c.id(o.ID, typ)
	c.markings(o.ObjectMarkingRefs, nil)
}

func (c *checker) ip(prop, v string, four bool) {
	if v == "" {
		c.add(prop, "is required")
		return
	}
	var addr netip.Addr
	if p, err := netip.ParsePrefix(v); err == nil {
		addr = p.Addr()
	} else if a, err := netip.ParseAddr(v); err == nil {
		addr = a
	} else {
		c.add(prop, "is not an address or CIDR block")
		return
	}
	if four != addr.Is4() {
		c.add(prop, "is not an %s address", map[bool]string{true: "IPv4", false: "IPv6"}[four])
	}
}

// marking checks a marking definition (section 7.2.1): a statement or TLP 1.0 definition,
// or a definition by extension (TLP 2.0).
func (c *checker) marking(m *MarkingDefinition) {
	if m.Type != "marking-definition" {
		c.add("type", "must be %q", "marking-definition")
	}
	if m.SpecVersion != SpecVersion {
		c.add("spec_version", "must be %q", SpecVersion)
	}
	c.id(m.ID, "marking-definition")
	c.stamp("created", m.Created)
	c.markings(m.ObjectMarkingRefs, m.ExternalReferences)
	if len(m.Extensions) > 0 {
		return
	}
	switch m.DefinitionType {
	case "statement":
		var d struct {
			Statement string `json:"statement"`
		}
		if json.Unmarshal(m.Definition, &d) != nil || d.Statement == "" {
			c.add("definition.statement", "is required")
		}
	case "tlp":
		var d struct {
			TLP string `json:"tlp"`
		}
		if json.Unmarshal(m.Definition, &d) != nil || !contains([]string{"white", "green", "amber", "red"}, d.TLP) {
			c.add("definition.tlp", "must be white, green, amber or red")
		}
	case "":
		c.add("definition_type", "is required without extensions")
	default:
		if len(m.Definition) == 0 {
			c.add("definition", "is required")
		}
	}
}
