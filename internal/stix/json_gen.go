// The JSON methods of every type, one pair each, identical but for the type.

package stix

import "encoding/json"

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Indicator) MarshalJSON() ([]byte, error) {
	type plain Indicator
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Indicator) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Indicator) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Indicator
	var p plain
	extra, err := unmarshalWith(b, &p, "indicator", all)
	if err != nil {
		return err
	}
	*o = Indicator(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Malware) MarshalJSON() ([]byte, error) {
	type plain Malware
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Malware) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Malware) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Malware
	var p plain
	extra, err := unmarshalWith(b, &p, "malware", all)
	if err != nil {
		return err
	}
	*o = Malware(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Infrastructure) MarshalJSON() ([]byte, error) {
	type plain Infrastructure
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Infrastructure) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Infrastructure) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Infrastructure
	var p plain
	extra, err := unmarshalWith(b, &p, "infrastructure", all)
	if err != nil {
		return err
	}
	*o = Infrastructure(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *AttackPattern) MarshalJSON() ([]byte, error) {
	type plain AttackPattern
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *AttackPattern) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *AttackPattern) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain AttackPattern
	var p plain
	extra, err := unmarshalWith(b, &p, "attack-pattern", all)
	if err != nil {
		return err
	}
	*o = AttackPattern(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Vulnerability) MarshalJSON() ([]byte, error) {
	type plain Vulnerability
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Vulnerability) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Vulnerability) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Vulnerability
	var p plain
	extra, err := unmarshalWith(b, &p, "vulnerability", all)
	if err != nil {
		return err
	}
	*o = Vulnerability(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Identity) MarshalJSON() ([]byte, error) {
	type plain Identity
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Identity) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Identity) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Identity
	var p plain
	extra, err := unmarshalWith(b, &p, "identity", all)
	if err != nil {
		return err
	}
	*o = Identity(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Report) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Report) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Report
	var p plain
	extra, err := unmarshalWith(b, &p, "report", all)
	if err != nil {
		return err
	}
	*o = Report(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Note) MarshalJSON() ([]byte, error) {
	type plain Note
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Note) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Note) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Note
	var p plain
	extra, err := unmarshalWith(b, &p, "note", all)
	if err != nil {
		return err
	}
	*o = Note(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Sighting) MarshalJSON() ([]byte, error) {
	type plain Sighting
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Sighting) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Sighting) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Sighting
	var p plain
	extra, err := unmarshalWith(b, &p, "sighting", all)
	if err != nil {
		return err
	}
	*o = Sighting(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Relationship) MarshalJSON() ([]byte, error) {
	type plain Relationship
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Relationship) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *Relationship) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain Relationship
	var p plain
	extra, err := unmarshalWith(b, &p, "relationship", all)
	if err != nil {
		return err
	}
	*o = Relationship(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *MarkingDefinition) MarshalJSON() ([]byte, error) {
	type plain MarkingDefinition
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *MarkingDefinition) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *MarkingDefinition) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain MarkingDefinition
	var p plain
	extra, err := unmarshalWith(b, &p, "marking-definition", all)
	if err != nil {
		return err
	}
	*o = MarkingDefinition(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *IPv4Addr) MarshalJSON() ([]byte, error) {
	type plain IPv4Addr
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *IPv4Addr) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *IPv4Addr) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain IPv4Addr
	var p plain
	extra, err := unmarshalWith(b, &p, "ipv4-addr", all)
	if err != nil {
		return err
	}
	*o = IPv4Addr(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *IPv6Addr) MarshalJSON() ([]byte, error) {
	type plain IPv6Addr
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *IPv6Addr) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *IPv6Addr) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain IPv6Addr
	var p plain
	extra, err := unmarshalWith(b, &p, "ipv6-addr", all)
	if err != nil {
		return err
	}
	*o = IPv6Addr(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *DomainName) MarshalJSON() ([]byte, error) {
	type plain DomainName
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *DomainName) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *DomainName) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain DomainName
	var p plain
	extra, err := unmarshalWith(b, &p, "domain-name", all)
	if err != nil {
		return err
	}
	*o = DomainName(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *URL) MarshalJSON() ([]byte, error) {
	type plain URL
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *URL) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *URL) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain URL
	var p plain
	extra, err := unmarshalWith(b, &p, "url", all)
	if err != nil {
		return err
	}
	*o = URL(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *File) MarshalJSON() ([]byte, error) {
	type plain File
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *File) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *File) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain File
	var p plain
	extra, err := unmarshalWith(b, &p, "file", all)
	if err != nil {
		return err
	}
	*o = File(p)
	o.Extra = extra
	return nil
}

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *EmailAddr) MarshalJSON() ([]byte, error) {
	type plain EmailAddr
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *EmailAddr) UnmarshalJSON(b []byte) error { return o.decodeFrom(b, nil) }

// decodeFrom reads b, whose properties Decode may have read already (all), into o.
func (o *EmailAddr) decodeFrom(b []byte, all map[string]json.RawMessage) error {
	type plain EmailAddr
	var p plain
	extra, err := unmarshalWith(b, &p, "email-addr", all)
	if err != nil {
		return err
	}
	*o = EmailAddr(p)
	o.Extra = extra
	return nil
}
