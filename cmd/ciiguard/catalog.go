package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"
	"gopkg.in/yaml.v3"

	"ciiguard/internal/catalog"
)

func catalogCmd(stdout io.Writer) *ffcli.Command {
	listFS := newFlagSet("catalog list")
	listJSON := listFS.Bool("json", false, "print JSON")
	instrument := listFS.String("instrument", "", "only this instrument (CSL, CIIR, MIIT14, MLPS07, …)")
	binds := listFS.String("binds", "", "only duties binding this subject ("+strings.Join(catalog.BindsValues, ", ")+")")
	text := listFS.String("q", "", "only duties whose id, title or summary contains this text")
	lang := listFS.String("lang", "en", "title language: en or zh")

	showFS := newFlagSet("catalog show")
	showJSON := showFS.Bool("json", false, "print JSON")

	exportFS := newFlagSet("catalog export")
	format := exportFS.String("format", "oscal", "oscal (OSCAL 1.1 catalog JSON) or yaml")

	load := func() (*catalog.Catalog, error) { return catalog.Load() }
	return &ffcli.Command{
		Name: "catalog", ShortUsage: "ciiguard catalog <list|show|export> [flags]", ShortHelp: "read the obligations catalog",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{
			{
				Name: "list", ShortUsage: "ciiguard catalog list [--instrument ID] [--binds B] [--q TEXT] [--json]", ShortHelp: "list obligations",
				FlagSet: listFS, Options: envOpts,
				Exec: func(context.Context, []string) error {
					c, err := load()
					if err != nil {
						return err
					}
					obs := c.Find(catalog.Filter{Instrument: *instrument, Binds: *binds, Text: *text})
					if *listJSON {
						docs := make([]catalog.ObligationDoc, len(obs))
						for i, o := range obs {
							docs[i] = c.Doc(o)
						}
						return writeJSON(stdout, map[string]any{"obligations": docs})
					}
					tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tARTICLE\tSUBJECT\tCHECK\tTITLE")
					for _, o := range obs {
						kind := "rule"
						if o.Attestation != nil {
							kind = "attestation"
						}
						title := o.Title.En
						if strings.HasPrefix(*lang, "zh") {
							title = o.Title.Zh
						}
						fmt.Fprintf(tw, "%s\t%s %s Art. %s\t%s\t%s\t%s\n", o.ID, o.Instrument, o.Version, o.Article, o.Subject, kind, title)
					}
					if err := tw.Flush(); err != nil {
						return err
					}
					fmt.Fprintf(stdout, "%d of %d obligations\n", len(obs), len(c.Obligations))
					return nil
				},
			},
			{
				Name: "show", ShortUsage: "ciiguard catalog show ID [--json]", ShortHelp: "show one obligation in full, in both languages",
				FlagSet: showFS, Options: envOpts,
				Exec: func(_ context.Context, args []string) error {
					if len(args) != 1 {
						return errors.New("catalog show: name one obligation id (see ciiguard catalog list)")
					}
					c, err := load()
					if err != nil {
						return err
					}
					o, ok := c.Obligation(args[0])
					if !ok {
						return fmt.Errorf("catalog show: no obligation %q", args[0])
					}
					if *showJSON {
						return writeJSON(stdout, c.Doc(o))
					}
					return showObligation(stdout, c, o)
				},
			},
			{
				Name: "export", ShortUsage: "ciiguard catalog export --format oscal|yaml > file", ShortHelp: "export the whole catalog",
				FlagSet: exportFS, Options: envOpts,
				Exec: func(context.Context, []string) error {
					c, err := load()
					if err != nil {
						return err
					}
					switch *format {
					case "oscal":
						b, err := c.ExportOSCAL(catalog.ExportOptions{Title: "ciiguard obligations catalog", Version: version})
						if err != nil {
							return err
						}
						_, err = stdout.Write(append(b, '\n'))
						return err
					case "yaml":
						enc := yaml.NewEncoder(stdout)
						enc.SetIndent(2)
						if err := enc.Encode(map[string]any{"instruments": c.Instruments, "penalties": c.Penalties, "obligations": c.Obligations}); err != nil {
							return fmt.Errorf("catalog export: %w", err)
						}
						return enc.Close()
					}
					return fmt.Errorf("catalog export: --format must be oscal or yaml, not %q", *format)
				},
			},
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func showObligation(w io.Writer, c *catalog.Catalog, o *catalog.Obligation) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("%s\n  %s\n  %s\n\n", o.ID, o.Title.Zh, o.Title.En)
	p("Article:    %s %s Art. %s\n", o.Instrument, o.Version, o.Article)
	for _, e := range o.Equivalents {
		p("            = %s Art. %s\n", e.Version, e.Article)
	}
	p("Binds:      %s\nSubject:    %s\nCadence:    %s\n", strings.Join(o.Binds, ", "), o.Subject, o.Cadence)
	if o.Applies != "" {
		p("Applies:    %s\n", o.Applies)
	}
	if o.Check != "" {
		p("Check:      %s\n", o.Check)
	}
	if o.Due != "" {
		p("Due:        %s\n", o.Due)
	}
	if o.Attestation != nil {
		p("Attest:     %s / %s (valid %d days)\n", o.Attestation.Evidence.Zh, o.Attestation.Evidence.En, o.Attestation.ValidityDays)
	}
	if pen, was := c.PenaltyAt(o.Penalty, time.Now()); pen != nil {
		p("Penalty:    %s", c.CitePenalty(pen).En)
		if was != nil {
			p(" (formerly %s)", c.CitePenalty(was).En)
		}
		p("\n")
		for _, t := range pen.AllTiers() {
			p("            %s: %d–%d", t.When, t.Fine.Min, t.Fine.Max)
			if pen.MultipleOf != "" {
				p(" × %s", pen.MultipleOf)
			} else {
				p(" RMB")
			}
			if t.Persons != nil {
				p("; persons RMB %d–%d", t.Persons.Min, t.Persons.Max)
			}
			p("\n")
		}
	}
	p("\n%s\n\n%s\n", o.Summary.Zh, o.Summary.En)
	return nil
}
