package kernel_test

import (
	"context"
	"strings"
	"testing"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// greeter is a service some test modules offer.
type greeter interface{ Greet() string }

// mod is a module with a name; hello and bonjour also offer greeter.
type mod struct{ name string }

func (m mod) Name() string                                 { return m.name }
func (m mod) Migrations() []store.Migration                { return nil }
func (m mod) Provision(context.Context, kernel.Deps) error { return nil }
func (m mod) Register(kernel.Deps) error                   { return nil }

type hello struct{ mod }

func (hello) Greet() string { return "hello" }

// offers returns a module that offers an extra greeter (a Provider).
type offers struct {
	mod
	g greeter
}

func (o offers) Services() []any { return []any{o.g} }

type bonjour struct{}

func (bonjour) Greet() string { return "bonjour" }

func TestRegistryNeed(t *testing.T) {
	cases := []struct {
		name    string
		mods    []kernel.Module
		want    string // the greeting found, or "" when Need must fail
		wantErr string // in the error
	}{
		{"none", []kernel.Module{mod{"a"}, mod{"b"}}, "", "module asker needs a kernel_test.greeter, which no module of this installation provides"},
		{"the module itself", []kernel.Module{mod{"a"}, hello{mod{"h"}}}, "hello", ""},
		{"a provider's service", []kernel.Module{offers{mod{"p"}, bonjour{}}, mod{"b"}}, "bonjour", ""},
		{"two", []kernel.Module{hello{mod{"h"}}, offers{mod{"p"}, bonjour{}}}, "", "module asker needs one kernel_test.greeter, and 2 modules provide it (h, p)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := kernel.Need[greeter](kernel.NewRegistry(c.mods), "asker")
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Need = %v, %v; want the error %q", g, err, c.wantErr)
				}
				return
			}
			if err != nil || g.Greet() != c.want {
				t.Fatalf("Need = %v, %v; want the %q greeter", g, err, c.want)
			}
		})
	}
}

func TestRegistryAllKeepsModuleOrder(t *testing.T) {
	r := kernel.NewRegistry([]kernel.Module{offers{mod{"p"}, bonjour{}}, mod{"x"}, hello{mod{"h"}}})
	var got []string
	for _, g := range kernel.All[greeter](r) {
		got = append(got, g.Greet())
	}
	if strings.Join(got, ",") != "bonjour,hello" {
		t.Fatalf("All = %v, want [bonjour hello]", got)
	}
	if n := len(kernel.All[kernel.Module](r)); n != 3 {
		t.Fatalf("All modules = %d, want 3", n)
	}
}
