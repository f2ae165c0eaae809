package kernel

import (
	"context"
	"fmt"
	"reflect"

	"ciiguard/internal/rules"
)

// FactSet is a capability's contribution to the rule language: a typed group of facts under
// the capability's own CEL variable (incidents, people, suppliers, data …), filled from its
// records per organisation. The catalog's rules read it like org and system
// (`people.trained_ratio >= 0.9`), the evaluation fills it for every organisation it
// evaluates, a change of its value re-evaluates exactly the rules that read it, and reasons
// name its facts by their `label:"中文|English"` struct tags, as they do the inventory's.
//
// The obligations capability owns evaluation; a capability hands it fact sets instead of
// adding fields to rules.Org, so that no capability imports another. Build one with NewFacts.
type FactSet interface {
	// Declare names the CEL variable and its Go struct type (with `cel` and `label` tags).
	Declare() rules.FactSet
	// Fill returns the set's value for the context's organisation (store.OrgFrom), a pointer
	// to the declared type (a per-system set, one whose Declare says PerSystem: a
	// map[int64]any from system id to such a pointer). It runs on every evaluation of the organisation, outside any
	// request, so it reads the capability's records in its own read transaction.
	Fill(ctx context.Context) (any, error)
}

// FactProvider is implemented by a capability module (or a service it adds to the
// registry) that contributes fact sets. The obligations capability finds every provider in
// the registry when it provisions, declares their sets to the catalog's rules engine (so
// that expressions reading them type-check at load) and fills them on every evaluation.
type FactProvider interface {
	FactSets() []FactSet
}

// Facts is a FactSet of type T, filled by a function of the capability.
type Facts[T any] struct {
	Name string                               // CEL variable; not org, system or now
	Doc  string                               // one line for docs and the UI
	From func(ctx context.Context) (T, error) // reads the organisation's records
}

// NewFacts declares a fact set named name of type T, filled by from.
func NewFacts[T any](name, doc string, from func(ctx context.Context) (T, error)) *Facts[T] {
	return &Facts[T]{Name: name, Doc: doc, From: from}
}

// Declare implements FactSet.
func (f *Facts[T]) Declare() rules.FactSet {
	return rules.FactSet{Name: f.Name, Type: reflect.TypeFor[T](), Doc: f.Doc}
}

// Fill implements FactSet.
func (f *Facts[T]) Fill(ctx context.Context) (any, error) {
	v, err := f.From(ctx)
	if err != nil {
		return nil, fmt.Errorf("fact set %s: %w", f.Name, err)
	}
	return &v, nil
}

// RegisterFactSets declares the sets, process-wide, to every rules engine built afterwards
// (for tools that compile the catalog without the obligations capability, such as a catalog
// check); a capability normally implements FactProvider instead. It refuses a reserved or
// taken name.
func RegisterFactSets(sets ...FactSet) error {
	decl := make([]rules.FactSet, len(sets))
	for i, s := range sets {
		decl[i] = s.Declare()
	}
	return rules.RegisterFacts(decl...)
}

// SystemFacts is a per-system FactSet of type T (rules.FactSet.PerSystem): From returns
// each system's value by system id, read in one go for the organisation, and each
// system's evaluation reads its own (a system From leaves out reads the zero value). Only
// `subject: system` rules may read it. Duties that hold for every system ("every CII
// system has an emergency plan drilled within the cadence") need it: a per-organisation
// set could only count the systems that fail, not say which.
type SystemFacts[T any] struct {
	Name string                                         // CEL variable; not org, system or now
	Doc  string                                         // one line for docs and the UI
	From func(ctx context.Context) (map[int64]T, error) // reads the organisation's records
}

// NewSystemFacts declares a per-system fact set named name of type T, filled by from.
func NewSystemFacts[T any](name, doc string, from func(ctx context.Context) (map[int64]T, error)) *SystemFacts[T] {
	return &SystemFacts[T]{Name: name, Doc: doc, From: from}
}

// Declare implements FactSet.
func (f *SystemFacts[T]) Declare() rules.FactSet {
	return rules.FactSet{Name: f.Name, Type: reflect.TypeFor[T](), Doc: f.Doc, PerSystem: true}
}

// Fill implements FactSet: a map[int64]any from system id to a *T.
func (f *SystemFacts[T]) Fill(ctx context.Context) (any, error) {
	m, err := f.From(ctx)
	if err != nil {
		return nil, fmt.Errorf("fact set %s: %w", f.Name, err)
	}
	out := make(map[int64]any, len(m))
	for id, v := range m {
		out[id] = &v
	}
	return out, nil
}
