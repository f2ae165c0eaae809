package stix

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// scoNamespace is the UUIDv5 namespace of STIX cyber-observable identifiers (section 2.9).
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// typeName is the form of an object type (section 3.1): lower-case ASCII letters, digits
// and hyphens, 3 to 250 characters, not starting or ending with a hyphen.
var typeName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$`)

// NewID returns a fresh "type--UUIDv4" identifier, for domain and relationship objects.
func NewID(typ string) string { return typ + "--" + uuid.NewString() }

// SplitID returns the type and UUID of an identifier, and an error naming what is wrong
// with a malformed one.
func SplitID(id string) (string, uuid.UUID, error) {
	typ, u, ok := strings.Cut(id, "--")
	if !ok {
		return "", uuid.UUID{}, fmt.Errorf("identifier %q: want type--UUID", id)
	}
	if !typeName.MatchString(typ) {
		return "", uuid.UUID{}, fmt.Errorf("identifier %q: %q is not an object type", id, typ)
	}
	parsed, err := uuid.Parse(u)
	if err != nil || len(u) != 36 || strings.ToLower(u) != u {
		return "", uuid.UUID{}, fmt.Errorf("identifier %q: %q is not a lower-case RFC 4122 UUID", id, u)
	}
	if parsed.Variant() != uuid.RFC4122 {
		return "", uuid.UUID{}, fmt.Errorf("identifier %q: not an RFC 4122 variant UUID", id)
	}
	return typ, parsed, nil
}

// SCOID returns the deterministic identifier of an observable (section 2.9): UUIDv5 in
// the STIX namespace of the canonical JSON (RFC 8785: sorted keys, no spaces) of its
// ID-contributing properties. props holds those properties only.
func SCOID(typ string, props map[string]any) string {
	return typ + "--" + uuid.NewSHA1(scoNamespace, canonical(props)).String()
}

// canonical writes v as RFC 8785 JSON for the values observables use (strings, numbers,
// maps and slices of them): Go's encoder already sorts map keys and writes no
// insignificant space; HTML escaping is turned off because JCS does not escape <, > and &.
func canonical(v any) []byte {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of strings and numbers cannot fail
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}

// sortedKeys returns m's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
