package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ciiguard/internal/app"
	"ciiguard/internal/logs"
)

// vaultRepairCmd is `ciiguard vault repair --org ID`: it takes an organisation's log that a
// damaged write-ahead log stopped back into service, keeping the damaged bytes in
// quarantine and printing exactly which sequence numbers were lost. It opens the whole
// installation (not only the vault) so that the loss is an entry of the audit trail.
func vaultRepairCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("repair", true)
	return &ffcli.Command{
		Name: "repair", ShortUsage: "ciiguard vault repair --org ID", ShortHelp: "quarantine a damaged write-ahead log and name the events lost",
		LongHelp: `When a frame of an organisation's write-ahead log fails its checksum, the server stops
that organisation's log (its requests answer 503) rather than drop acknowledged events
in silence. Stop the server and run this: it keeps the WAL as it was and the damaged
bytes in <data>/vault/org/ID/quarantine/, rewrites the WAL from its intact frames,
puts a placeholder event (app ciiguard-vault, msgid wal-loss) at every lost sequence
number so later events keep theirs, prints the lost sequence numbers and records them
in the audit trail. A log that is not damaged is left alone.`,
		FlagSet: fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			if err := vf.needOrg(); err != nil {
				return err
			}
			return vf.with(ctx, stderr, func(a *app.App) error {
				var m *logs.Module
				for _, mod := range a.Modules {
					if lm, ok := mod.(*logs.Module); ok {
						m = lm
					}
				}
				if m == nil || m.Vault() == nil {
					return errors.New("this installation has no log vault")
				}
				rep, err := m.RepairLog(cliCtx(ctx), vf.org, func(line string) { fmt.Fprintln(stdout, line) })
				if err != nil {
					return fmt.Errorf("repair organisation %d: %w", vf.org, err)
				}
				if len(rep.Quarantine) == 0 {
					fmt.Fprintf(stdout, "org %d: the log was not damaged; nothing changed (%d events)\n", vf.org, rep.Size)
					return nil
				}
				if len(rep.Losses) == 0 {
					fmt.Fprintf(stdout, "org %d: repaired, no event lost; %d events\n", vf.org, rep.Size)
				}
				for _, l := range rep.Losses {
					fmt.Fprintf(stdout, "org %d: LOST %s: %s\n", vf.org, l, l.Reason)
				}
				fmt.Fprintf(stdout, "org %d: repaired: %d events, %d placeholders for lost events; quarantine: %v; recorded in the audit trail\n",
					vf.org, rep.Size, rep.Placeholders, rep.Quarantine)
				return nil
			})
		},
	}
}
