package stix

import (
	"encoding/json"
	"fmt"
)

// Bundle is a collection of arbitrary STIX objects (section 8): a container for
// transport, not an object with versions.
type Bundle struct {
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Objects []Object `json:"objects,omitzero"`
	Extra   Extra    `json:"-"`
}

// NewBundle returns a bundle of objs with a fresh id.
func NewBundle(objs ...Object) *Bundle {
	return &Bundle{Type: "bundle", ID: NewID("bundle"), Objects: objs}
}

// Unknown is an object of a type this package has no Go type for (an observed-data, a
// campaign, a custom object): its JSON is kept as read.
type Unknown struct {
	Type string
	ID   string
	Raw  json.RawMessage
}

// ObjectType implements Object.
func (u *Unknown) ObjectType() string { return u.Type }

// ObjectID implements Object.
func (u *Unknown) ObjectID() string { return u.ID }

// MarshalJSON writes the object as it was read.
func (u *Unknown) MarshalJSON() ([]byte, error) { return u.Raw, nil }

// constructors maps each type we know to a new empty value of its Go type.
var constructors = map[string]func() Object{
	"indicator":          func() Object { return &Indicator{} },
	"malware":            func() Object { return &Malware{} },
	"infrastructure":     func() Object { return &Infrastructure{} },
	"attack-pattern":     func() Object { return &AttackPattern{} },
	"vulnerability":      func() Object { return &Vulnerability{} },
	"identity":           func() Object { return &Identity{} },
	"report":             func() Object { return &Report{} },
	"note":               func() Object { return &Note{} },
	"sighting":           func() Object { return &Sighting{} },
	"relationship":       func() Object { return &Relationship{} },
	"marking-definition": func() Object { return &MarkingDefinition{} },
	"ipv4-addr":          func() Object { return &IPv4Addr{} },
	"ipv6-addr":          func() Object { return &IPv6Addr{} },
	"domain-name":        func() Object { return &DomainName{} },
	"url":                func() Object { return &URL{} },
	"file":               func() Object { return &File{} },
	"email-addr":         func() Object { return &EmailAddr{} },
}

// Decode reads one STIX object, of its Go type when this package has one and as Unknown
// otherwise. An object without a string type and id is an error.
func Decode(raw []byte) (Object, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("stix object: %w", err)
	}
	typ, id := stringProp(all, "type"), stringProp(all, "id")
	if typ == "" || id == "" {
		return nil, fmt.Errorf("stix object: type and id are required")
	}
	mk, ok := constructors[typ]
	if !ok {
		return &Unknown{Type: typ, ID: id, Raw: append(json.RawMessage(nil), raw...)}, nil
	}
	o := mk()
	var err error
	if d, ok := o.(interface {
		decodeFrom([]byte, map[string]json.RawMessage) error
	}); ok {
		err = d.decodeFrom(raw, all)
	} else {
		err = json.Unmarshal(raw, o)
	}
	if err != nil {
		return nil, fmt.Errorf("stix %s %s: %w", typ, id, err)
	}
	return o, nil
}

type bundleJSON struct {
	Type    string            `json:"type"`
	ID      string            `json:"id"`
	Objects []json.RawMessage `json:"objects,omitzero"`
}

// MarshalJSON implements json.Marshaler.
func (b *Bundle) MarshalJSON() ([]byte, error) {
	out := bundleJSON{Type: b.Type, ID: b.ID}
	for _, o := range b.Objects {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("bundle object %s: %w", o.ObjectID(), err)
		}
		out.Objects = append(out.Objects, raw)
	}
	return marshalWith(out, b.Extra)
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bundle) UnmarshalJSON(data []byte) error {
	var in bundleJSON
	extra, err := unmarshalWith(data, &in, "bundle", nil)
	if err != nil {
		return err
	}
	*b = Bundle{Type: in.Type, ID: in.ID, Extra: extra}
	if in.Objects != nil {
		b.Objects = make([]Object, 0, len(in.Objects))
	}
	for i, raw := range in.Objects {
		o, err := Decode(raw)
		if err != nil {
			return fmt.Errorf("objects[%d]: %w", i, err)
		}
		b.Objects = append(b.Objects, o)
	}
	return nil
}
