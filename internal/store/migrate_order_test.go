package store

import (
	"fmt"
	"testing"
)

// TestOrderMigrations checks the application order against hand-written expectations:
// modules in order of first appearance, versions ascending within each module.
func TestOrderMigrations(t *testing.T) {
	m := func(mod string, v int) Migration { return Migration{Module: mod, Version: v} }
	cases := []struct {
		name    string
		in, out []Migration
	}{
		{"empty", nil, nil},
		{"reported: versions of one module around another", []Migration{m("a", 2), m("b", 1), m("a", 1)}, []Migration{m("a", 1), m("a", 2), m("b", 1)}},
		{"already ordered", []Migration{m("a", 1), m("a", 2), m("b", 1)}, []Migration{m("a", 1), m("a", 2), m("b", 1)}},
		{"reversed within modules", []Migration{m("auth", 3), m("auth", 2), m("logs", 2), m("auth", 1), m("logs", 1)},
			[]Migration{m("auth", 1), m("auth", 2), m("auth", 3), m("logs", 1), m("logs", 2)}},
		{"module order is first appearance, not alphabetical", []Migration{m("z", 1), m("a", 2), m("z", 2), m("a", 1)},
			[]Migration{m("z", 1), m("z", 2), m("a", 1), m("a", 2)}},
		{"interleaved three modules", []Migration{m("b", 3), m("c", 1), m("a", 2), m("b", 1), m("c", 2), m("a", 1), m("b", 2)},
			[]Migration{m("b", 1), m("b", 2), m("b", 3), m("c", 1), m("c", 2), m("a", 1), m("a", 2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := orderMigrations(c.in)
			if fmt.Sprint(got) != fmt.Sprint(c.out) {
				t.Fatalf("orderMigrations(%v) = %v, want %v", c.in, got, c.out)
			}
		})
	}
}
