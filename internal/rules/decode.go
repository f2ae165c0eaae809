package rules

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultTestNow is the evaluation time of a catalog test case that gives no `now`
// (docs/catalog-schema.md).
var DefaultTestNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// CaseFacts are the partial facts of one catalog test case, decoded from YAML.
type CaseFacts struct {
	Org    Org
	System *System // nil when the case gives none
	Now    time.Time
	Extra  map[string]any // registered fact sets, as pointers to their struct types
	// SystemExtra are the per-system sets the case gives: the values of its one system.
	SystemExtra map[string]any
}

// Facts turns the case into evaluation input; the per-system sets are the case's system's.
func (c CaseFacts) Facts() Facts {
	f := Facts{Org: c.Org, Now: c.Now, Extra: c.Extra}
	var id int64
	if c.System != nil {
		id = c.System.ID
	}
	for name, v := range c.SystemExtra {
		if f.SystemExtra == nil {
			f.SystemExtra = map[string]map[int64]any{}
		}
		f.SystemExtra[name] = map[int64]any{id: v}
	}
	return f
}

// DecodeCaseFacts decodes a test case's `facts:` mapping (org, system, now and registered
// fact sets). Fields not given keep their zero values. Unknown variables or fields and values
// of the wrong type are errors that carry the YAML line, so that a typo in a test case cannot
// silently make it pass. extra lists the fact sets the engine knows besides org and system; an
// Engine's FactSets method gives them.
func DecodeCaseFacts(n *yaml.Node, extra []FactSet) (CaseFacts, error) {
	cf := CaseFacts{Now: DefaultTestNow}
	if n == nil || n.Kind == 0 {
		return cf, nil
	}
	if n.Kind != yaml.MappingNode {
		return cf, fmt.Errorf("line %d: facts must be a mapping", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "org":
			if err := decodeStruct(v, reflect.ValueOf(&cf.Org).Elem(), "org"); err != nil {
				return cf, err
			}
		case "system":
			cf.System = &System{}
			if err := decodeStruct(v, reflect.ValueOf(cf.System).Elem(), "system"); err != nil {
				return cf, err
			}
		case "now":
			t, err := ParseFactTime(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return cf, fmt.Errorf("line %d: now: want a date or RFC 3339 time, got %q", v.Line, v.Value)
			}
			cf.Now = t
		default:
			fs, ok := findSet(extra, k.Value)
			if !ok {
				return cf, fmt.Errorf("line %d: facts: unknown variable %q (want org, system, now%s)", k.Line, k.Value, setNames(extra))
			}
			p := reflect.New(fs.Type)
			if err := decodeStruct(v, p.Elem(), fs.Name); err != nil {
				return cf, err
			}
			dst := &cf.Extra
			if fs.PerSystem {
				dst = &cf.SystemExtra
			}
			if *dst == nil {
				*dst = map[string]any{}
			}
			(*dst)[fs.Name] = p.Interface()
		}
	}
	return cf, nil
}

func findSet(sets []FactSet, name string) (FactSet, bool) {
	for _, s := range sets {
		if s.Name == name {
			return s, true
		}
	}
	return FactSet{}, false
}

func setNames(sets []FactSet) string {
	var b strings.Builder
	for _, s := range sets {
		b.WriteString(", " + s.Name)
	}
	return b.String()
}

// FactSets lists the extra fact sets this engine was built with.
func (e *Engine) FactSets() []FactSet { return append([]FactSet(nil), e.factSets...) }

// ParseFactTime reads a fact date: "2026-01-31" (midnight UTC, which is the same date in
// Shanghai) or an RFC 3339 time.
func ParseFactTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

var timeType = reflect.TypeOf(time.Time{})

func decodeStruct(n *yaml.Node, dst reflect.Value, path string) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be a mapping", n.Line, path)
	}
	idx := celFieldIndex(dst.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		fi, ok := idx[k.Value]
		if !ok {
			return fmt.Errorf("line %d: %s has no field %q", k.Line, path, k.Value)
		}
		if err := decodeValue(v, dst.Field(fi), path+"."+k.Value); err != nil {
			return err
		}
	}
	return nil
}

func decodeValue(n *yaml.Node, dst reflect.Value, path string) error {
	bad := func(want string) error {
		return fmt.Errorf("line %d: %s: want %s, got %q", n.Line, path, want, n.Value)
	}
	if dst.Type() == timeType {
		if n.Kind != yaml.ScalarNode {
			return bad("a date")
		}
		if n.Tag == "!!null" || n.Value == "" {
			dst.Set(reflect.Zero(timeType))
			return nil
		}
		t, err := ParseFactTime(n.Value)
		if err != nil {
			return bad("a date (2026-01-31) or RFC 3339 time")
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Uint64:
		if n.Kind != yaml.ScalarNode {
			return bad("a " + dst.Kind().String())
		}
		p := reflect.New(dst.Type())
		if err := n.Decode(p.Interface()); err != nil {
			return bad("a " + dst.Kind().String())
		}
		dst.Set(p.Elem())
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return bad("a list")
		}
		s := reflect.MakeSlice(dst.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Struct:
		return decodeStruct(n, dst, path)
	}
	// Maps and other kinds in registered fact sets: let yaml.v3 decode them.
	p := reflect.New(dst.Type())
	if err := n.Decode(p.Interface()); err != nil {
		return fmt.Errorf("line %d: %s: %w", n.Line, path, err)
	}
	dst.Set(p.Elem())
	return nil
}
