package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadBundle reads a bundle from r one object at a time, calling fn with each, so that a
// feed of a million indicators is never held in memory whole. It returns the bundle's id
// and the number of objects read. A bundle whose type is not "bundle", an object that
// does not decode (named by its index, "objects[12]") or an error from fn stops the
// reading. The caller bounds r (an io.LimitReader, http.MaxBytesReader): a single object
// is read whole.
func ReadBundle(r io.Reader, fn func(Object) error) (id string, n int, err error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return "", 0, fmt.Errorf("bundle: %w", err)
	}
	typ := ""
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return id, n, fmt.Errorf("bundle: %w", err)
		}
		key, _ := kt.(string)
		switch key {
		case "type", "id":
			var s string
			if err := dec.Decode(&s); err != nil {
				return id, n, fmt.Errorf("bundle %s: %w", key, err)
			}
			if key == "type" {
				typ = s
				if s != "bundle" {
					return id, n, fmt.Errorf("bundle: type is %q, not \"bundle\"", s)
				}
			} else {
				id = s
			}
		case "objects":
			if err := expectDelim(dec, '['); err != nil {
				return id, n, fmt.Errorf("bundle objects: %w", err)
			}
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return id, n, fmt.Errorf("objects[%d]: %w", n, err)
				}
				o, err := Decode(raw)
				if err != nil {
					return id, n, fmt.Errorf("objects[%d]: %w", n, err)
				}
				if err := fn(o); err != nil {
					return id, n, fmt.Errorf("objects[%d] %s: %w", n, o.ObjectID(), err)
				}
				n++
			}
			if _, err := dec.Token(); err != nil { // ]
				return id, n, fmt.Errorf("bundle objects: %w", err)
			}
		default:
			var skip json.RawMessage // a custom property of the bundle
			if err := dec.Decode(&skip); err != nil {
				return id, n, fmt.Errorf("bundle %s: %w", key, err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return id, n, fmt.Errorf("bundle: %w", err)
	}
	if typ == "" {
		return id, n, errors.New("bundle: type is required")
	}
	if _, _, err := SplitID(id); err != nil {
		return id, n, fmt.Errorf("bundle id: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return id, n, errors.New("bundle: data after the bundle")
	}
	return id, n, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, t)
	}
	return nil
}
