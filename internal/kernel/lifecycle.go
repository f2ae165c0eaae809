package kernel

import (
	"context"
	"fmt"
)

// Assemble takes mods, already constructed (and their flags parsed), through the
// lifecycle's provisioning and registration: every module is provisioned before any
// registers, then the navigation entries and dashboard widgets the modules offer are added
// to d.Web. A nil d.Registry becomes one of mods, a nil d.Changes a new change bus. The
// composition root calls it once; tests that assemble a few modules call it too.
func Assemble(ctx context.Context, d Deps, mods ...Module) error {
	if d.Registry == nil {
		d.Registry = NewRegistry(mods)
	}
	if d.Changes == nil {
		d.Changes = &Changes{}
	}
	for _, m := range mods {
		if err := m.Provision(ctx, d); err != nil {
			return fmt.Errorf("provision module %s: %w", m.Name(), err)
		}
	}
	for _, m := range mods {
		if err := m.Register(d); err != nil {
			return fmt.Errorf("register module %s: %w", m.Name(), err)
		}
	}
	for _, n := range All[Navigation](d.Registry) {
		d.Web.AddNav(n.Nav()...)
	}
	for _, w := range All[Dashboard](d.Registry) {
		for _, wg := range w.Widgets() {
			d.Web.AddWidget(wg)
		}
	}
	return nil
}
