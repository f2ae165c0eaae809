package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Extra holds the properties of an object that its Go type has no field for — custom
// "x_" properties, properties of a later version of the specification — as the JSON they
// were read as, so that writing the object back loses nothing.
type Extra map[string]json.RawMessage

// knownKeys caches, per Go type, the JSON names of its fields (embedded structs'
// included).
var knownKeys sync.Map // reflect.Type → map[string]bool

func keysOf(t reflect.Type) map[string]bool {
	if k, ok := knownKeys.Load(t); ok {
		return k.(map[string]bool)
	}
	keys := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			if f.Anonymous && tag == "" {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			keys[name] = true
		}
	}
	walk(t)
	knownKeys.Store(t, keys)
	return keys
}

// marshalWith writes v (a struct type without its own MarshalJSON) and then the extra
// properties in key order.
func marshalWith(v any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(extra) == 0 {
		return b, nil
	}
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // without the closing brace
	first := len(b) == 2
	for _, k := range sortedKeys(extra) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unmarshalWith reads b, an object whose "type" must be want, into v (a pointer to a struct
// type without its own UnmarshalJSON) and returns the properties v has no field for. all
// is b's properties when the caller has read them already (Decode), else nil: a feed's
// objects are parsed twice, not four times (the type checked, the struct, the extras).
func unmarshalWith(b []byte, v any, want string, all map[string]json.RawMessage) (Extra, error) {
	if all == nil {
		if err := json.Unmarshal(b, &all); err != nil {
			return nil, err
		}
	}
	// The type is checked before b is read as want's struct.
	if typ := stringProp(all, "type"); typ != want {
		return nil, fmt.Errorf("stix: type %q read as %s", typ, want)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	known := keysOf(reflect.TypeOf(v).Elem())
	var extra Extra
	for k, raw := range all {
		if known[k] {
			continue
		}
		if extra == nil {
			extra = Extra{}
		}
		extra[k] = raw
	}
	return extra, nil
}

// stringProp is the string property key of all, or "" when it is missing or no string.
func stringProp(all map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := all[key]; ok {
		_ = json.Unmarshal(raw, &s) // not a string: "", which no caller accepts
	}
	return s
}
