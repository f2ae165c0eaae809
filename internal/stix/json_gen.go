// The JSON methods of every type, one pair each, identical but for the type.

package stix

// MarshalJSON implements json.Marshaler, writing Extra after the known properties.
func (o *Indicator) MarshalJSON() ([]byte, error) {
	type plain Indicator
	return marshalWith((*plain)(o), o.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown properties in Extra.
func (o *Indicator) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "indicator"); err != nil {
		return err
	}
	type plain Indicator
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Malware) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "malware"); err != nil {
		return err
	}
	type plain Malware
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Infrastructure) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "infrastructure"); err != nil {
		return err
	}
	type plain Infrastructure
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *AttackPattern) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "attack-pattern"); err != nil {
		return err
	}
	type plain AttackPattern
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Vulnerability) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "vulnerability"); err != nil {
		return err
	}
	type plain Vulnerability
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Identity) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "identity"); err != nil {
		return err
	}
	type plain Identity
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Report) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "report"); err != nil {
		return err
	}
	type plain Report
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Note) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "note"); err != nil {
		return err
	}
	type plain Note
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Sighting) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "sighting"); err != nil {
		return err
	}
	type plain Sighting
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *Relationship) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "relationship"); err != nil {
		return err
	}
	type plain Relationship
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *MarkingDefinition) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "marking-definition"); err != nil {
		return err
	}
	type plain MarkingDefinition
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *IPv4Addr) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "ipv4-addr"); err != nil {
		return err
	}
	type plain IPv4Addr
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *IPv6Addr) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "ipv6-addr"); err != nil {
		return err
	}
	type plain IPv6Addr
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *DomainName) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "domain-name"); err != nil {
		return err
	}
	type plain DomainName
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *URL) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "url"); err != nil {
		return err
	}
	type plain URL
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *File) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "file"); err != nil {
		return err
	}
	type plain File
	var p plain
	extra, err := unmarshalWith(b, &p)
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
func (o *EmailAddr) UnmarshalJSON(b []byte) error {
	if err := checkType(b, "email-addr"); err != nil {
		return err
	}
	type plain EmailAddr
	var p plain
	extra, err := unmarshalWith(b, &p)
	if err != nil {
		return err
	}
	*o = EmailAddr(p)
	o.Extra = extra
	return nil
}
