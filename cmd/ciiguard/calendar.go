package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ciiguard/internal/app"
	"ciiguard/internal/holidays"
)

// calendarCmd loads a year's State Council holiday schedule without a new release, and lists
// what the working-day calendar knows.
func calendarCmd(stdout, stderr io.Writer) *ffcli.Command {
	loadFS := newFlagSet("calendar load")
	var loadC common
	loadC.register(loadFS)
	year := loadFS.String("year", "", "the year the file holds (required)")
	listFS := newFlagSet("calendar list")
	var listC common
	listC.register(listFS)
	module := func(a *app.App) (*holidays.Module, error) {
		for _, m := range a.Modules {
			if h, ok := m.(*holidays.Module); ok {
				return h, nil
			}
		}
		return nil, errors.New("the holidays capability is not part of this installation")
	}
	return &ffcli.Command{
		Name: "calendar", ShortUsage: "ciiguard calendar <load|list> [flags]", ShortHelp: "manage the working-day calendar's holiday schedules",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{
			{
				Name: "load", ShortUsage: "ciiguard calendar load --year YYYY FILE",
				ShortHelp: "load a year's State Council holiday schedule (the form of internal/calendar/schedules.yaml); audited",
				FlagSet:   loadFS, Options: envOpts,
				Exec: func(ctx context.Context, args []string) error {
					if len(args) != 1 || *year == "" {
						return fmt.Errorf("give --year and one schedule file: %w", flag.ErrHelp)
					}
					b, err := os.ReadFile(args[0])
					if err != nil {
						return fmt.Errorf("read schedule: %w", err)
					}
					return loadC.with(ctx, stderr, func(a *app.App) error {
						h, err := module(a)
						if err != nil {
							return err
						}
						l, err := h.LoadSchedule(cliCtx(ctx), 0, *year, b)
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "holiday schedule %d loaded (%s)\n", l.Year, l.Source)
						return nil
					})
				},
			},
			{
				Name: "list", ShortUsage: "ciiguard calendar list", ShortHelp: "list the years with an official schedule",
				FlagSet: listFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					return listC.with(ctx, stderr, func(a *app.App) error {
						h, err := module(a)
						if err != nil {
							return err
						}
						st, err := h.Status(ctx)
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "shipped: %v\nknown: %v\n", st.Builtin, st.Known)
						for _, l := range st.Loaded {
							fmt.Fprintf(stdout, "loaded %d by %s at %s: %s\n", l.Year, l.LoadedBy, l.LoadedAt.Format("2006-01-02 15:04 UTC"), l.Source)
						}
						return nil
					})
				},
			},
		},
	}
}
