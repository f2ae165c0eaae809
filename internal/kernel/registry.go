package kernel

import (
	"fmt"
	"reflect"
	"strings"
)

// Registry holds the installation's services: every module, and the extra services that a
// Provider module offers. The composition root fills it once, after constructing every
// module and before provisioning any; modules look services up by interface type with
// Need (exactly one) and All (any number), so neither the order of the modules nor a
// capability's import of another decides who finds whom.
type Registry struct {
	entries []entry
}

type entry struct {
	owner string // the name of the module that offers v
	v     any
}

// NewRegistry returns a registry holding mods and their Provider services.
func NewRegistry(mods []Module) *Registry {
	r := &Registry{}
	for _, m := range mods {
		r.Add(m.Name(), m)
		if p, ok := m.(Provider); ok {
			for _, s := range p.Services() {
				r.Add(m.Name(), s)
			}
		}
	}
	return r
}

// Add offers v on behalf of the module named owner.
func (r *Registry) Add(owner string, v any) {
	r.entries = append(r.entries, entry{owner: owner, v: v})
}

// Need returns the one service that implements T, for the module named who. It is an
// error, naming who and T, when no module provides T or more than one does: the
// installation cannot start without a dependency, and must not pick one by chance.
func Need[T any](r *Registry, who string) (T, error) {
	var (
		found  T
		owners []string
	)
	for _, e := range r.entries {
		if v, ok := e.v.(T); ok {
			found = v
			owners = append(owners, e.owner)
		}
	}
	var zero T
	switch len(owners) {
	case 1:
		return found, nil
	case 0:
		return zero, fmt.Errorf("module %s needs a %s, which no module of this installation provides", who, typeName[T]())
	default:
		return zero, fmt.Errorf("module %s needs one %s, and %d modules provide it (%s)", who, typeName[T](), len(owners), strings.Join(owners, ", "))
	}
}

// All returns every service that implements T, in the order the modules were given.
func All[T any](r *Registry) []T {
	var out []T
	for _, e := range r.entries {
		if v, ok := e.v.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func typeName[T any]() string { return reflect.TypeFor[T]().String() }
