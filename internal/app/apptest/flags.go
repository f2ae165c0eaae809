package apptest

import (
	"flag"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// StartFlags is Start with the capabilities configured by their own flags, as `ciiguard
// serve` would be with args (for example "--search-timeout", "1ns").
func StartFlags(t testing.TB, d store.Dialect, args ...string) *Env {
	t.Helper()
	mods := app.Modules()
	fs := flag.NewFlagSet("apptest", flag.ContinueOnError)
	for _, m := range mods {
		if c, ok := m.(kernel.Configurable); ok {
			c.Flags(fs)
		}
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("capability flags %v: %v", args, err)
	}
	return StartWith(t, d, mods)
}
