// Package stix holds ciiguard's own types for the STIX 2.1 objects it exchanges (OASIS
// STIX Version 2.1, OASIS Standard, 10 June 2021) and a parser and matcher for the STIX
// patterning language (section 9 of that specification).
//
// It is an engine: no capability is imported, no database is touched. The threat
// capability (internal/threat) builds on it.
//
// # Objects
//
// Every type keeps what it does not know: a property the type has no field for (a
// producer's custom "x_" property, a property of a later specification) is kept in the
// object's Extra map and written back, so decoding and encoding an object loses nothing
// (the "round trip" of the tests). Identifiers are "type--UUID" (section 2.9): UUIDv4 for
// the domain and relationship objects we create, UUIDv5 in the STIX namespace for
// observables, derived from their ID-contributing properties (section 2.9, "SCO
// identifiers"). Timestamps (section 3.2) keep the number of fractional-second digits
// they were read with; timestamps we create carry exactly three (milliseconds), as
// created and modified require. A new version of an object keeps its id and gets a later
// modified (section 3.6).
//
// Validate checks the properties the specification makes mandatory for each type we use,
// so that nothing we emit is refused by a conforming consumer.
package stix
