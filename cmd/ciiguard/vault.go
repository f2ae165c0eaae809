package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ciiguard/internal/vault"
)

// vaultCmd is `ciiguard vault …`: the log vault's public key, verification, proofs,
// checkpoints, search and export bundles from the command line. The commands open the
// vault directory (<data>/vault) directly: they need no records store, so an inspector's
// copy of a data directory is enough, and verify-bundle needs nothing but the file and key.
func vaultCmd(stdout, stderr io.Writer) *ffcli.Command {
	return &ffcli.Command{
		Name:       "vault",
		ShortUsage: "ciiguard vault <pubkey|verify|verify-bundle|proof|checkpoint|search|export|repair> [flags]",
		ShortHelp:  "inspect and verify the security log vault",
		LongHelp: `The vault keeps every organisation's security logs in a Merkle tree whose
heads are signed as checkpoints. These commands print the verifier key, re-check
the files on disk, produce RFC 9162 proofs, search and export signed bundles,
and check a bundle offline with only the verifier key.

They open <data>/vault directly. A running server holds the vault's lock
(<data>/vault/LOCK), so they refuse to run beside it: run them against a
stopped server or a copy of the data directory (verify-bundle needs neither).
verify only reads. repair also opens the database, to record the loss in the
audit trail.`,
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{
			vaultPubkeyCmd(stdout, stderr), vaultVerifyCmd(stdout, stderr), vaultVerifyBundleCmd(stdout, stderr),
			vaultProofCmd(stdout, stderr), vaultCheckpointCmd(stdout, stderr), vaultSearchCmd(stdout, stderr), vaultExportCmd(stdout, stderr),
			vaultRepairCmd(stdout, stderr),
		},
	}
}

// vaultFlags are the flags of a vault subcommand: the installation's, plus --org.
type vaultFlags struct {
	common
	org int64
}

func newVaultFlags(name string, withOrg bool) (*flag.FlagSet, *vaultFlags) {
	fs := newFlagSet("vault " + name)
	vf := &vaultFlags{}
	vf.register(fs)
	if withOrg {
		fs.Int64Var(&vf.org, "org", 0, "organisation id")
	}
	return fs, vf
}

// openVault opens <data>/vault. A missing directory is an error rather than a new empty
// vault, so a mistyped --data does not look like "no logs".
func (vf *vaultFlags) openVault() (*vault.Vault, error) {
	dir := filepath.Join(vf.data, "vault")
	if _, err := os.Stat(filepath.Join(dir, "layout")); err != nil {
		return nil, fmt.Errorf("no vault in %s (check --data): %w", dir, err)
	}
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		return nil, fmt.Errorf("open vault %s: %w", dir, err)
	}
	return v, nil
}

// openVaultReadOnly opens <data>/vault without writing to it (vault.OpenReadOnly): for
// the commands that only read — verify above all, which must not change what it checks.
func (vf *vaultFlags) openVaultReadOnly() (*vault.Vault, error) {
	dir := filepath.Join(vf.data, "vault")
	v, err := vault.OpenReadOnly(dir, vault.Options{})
	if err != nil {
		return nil, fmt.Errorf("open vault %s read-only (check --data): %w", dir, err)
	}
	return v, nil
}

func (vf *vaultFlags) needOrg() error {
	if vf.org <= 0 {
		return errors.New("--org is required: the organisation id (see `ciiguard org list`)")
	}
	return nil
}

func vaultPubkeyCmd(stdout, _ io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("pubkey", false)
	return &ffcli.Command{
		Name: "pubkey", ShortUsage: "ciiguard vault pubkey", ShortHelp: "print the verifier key of checkpoints and bundles",
		FlagSet: fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			v, err := vf.openVaultReadOnly()
			if err != nil {
				return err
			}
			defer v.Close()
			fmt.Fprintln(stdout, v.PublicKey())
			return nil
		},
	}
}

func vaultVerifyCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("verify", true)
	return &ffcli.Command{
		Name: "verify", ShortUsage: "ciiguard vault verify [--org ID]", ShortHelp: "re-read the vault's files and recompute its Merkle trees",
		LongHelp: "Checks every segment, block, index entry, WAL frame and checkpoint of one organisation (or all)\nand prints the first difference; exits non-zero when anything differs. It only reads: every file\nis opened read-only and nothing is cut, sealed or signed.",
		FlagSet:  fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			v, err := vf.openVaultReadOnly()
			if err != nil {
				return err
			}
			defer v.Close()
			orgs := []int64{vf.org}
			if vf.org == 0 {
				if orgs, err = v.Orgs(); err != nil {
					return fmt.Errorf("list organisations in the vault: %w", err)
				}
			}
			bad := 0
			for _, org := range orgs {
				rep, err := v.Verify(ctx, org, nil)
				if err != nil {
					return fmt.Errorf("verify organisation %d: %w", org, err)
				}
				if rep.OK {
					fmt.Fprintf(stdout, "org %d: intact: %d events, %d blocks read, %d purged blocks, %d checkpoints checked\n",
						org, rep.Size, rep.Blocks, rep.PurgedBlocks, rep.Checkpoints)
					continue
				}
				bad++
				fmt.Fprintf(stdout, "org %d: DAMAGED: %d problems\n", org, len(rep.Problems))
				if rep.First != nil {
					fmt.Fprintf(stdout, "  first difference: %s\n", describeProblem(*rep.First))
				}
				for _, p := range rep.Problems {
					fmt.Fprintf(stdout, "  %s\n", describeProblem(p))
				}
			}
			if bad > 0 {
				return fmt.Errorf("vault verification failed for %d of %d organisations", bad, len(orgs))
			}
			return nil
		},
	}
}

// describeProblem names the segment, block and event range of a difference.
func describeProblem(p vault.Problem) string {
	var where []string
	if p.Segment != "" {
		where = append(where, "segment "+p.Segment)
	}
	if p.Block >= 0 {
		where = append(where, fmt.Sprintf("block %d", p.Block))
	}
	if p.Seq >= 0 {
		if p.LastSeq > p.Seq {
			where = append(where, fmt.Sprintf("events %d–%d", p.Seq, p.LastSeq))
		} else {
			where = append(where, fmt.Sprintf("event %d", p.Seq))
		}
	}
	if p.Checkpoint != "" {
		where = append(where, "checkpoint "+p.Checkpoint)
	}
	return strings.Join(where, ", ") + ": " + p.What
}

func vaultVerifyBundleCmd(stdout, _ io.Writer) *ffcli.Command {
	fs := newFlagSet("vault verify-bundle")
	key := fs.String("key", "", "verifier key (from `ciiguard vault pubkey`, obtained from the operator), or @FILE holding it")
	return &ffcli.Command{
		Name: "verify-bundle", ShortUsage: "ciiguard vault verify-bundle FILE --key KEY", ShortHelp: "check an export bundle offline",
		LongHelp: "Checks the bundle's checkpoint signature, that every event is exactly its leaf, and every\ninclusion proof. Needs only the file and the key; exits non-zero on the first failure.",
		FlagSet:  fs, Options: envOpts,
		Exec: func(ctx context.Context, args []string) error {
			args, err := positional(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return errors.New("give the bundle file: ciiguard vault verify-bundle FILE --key KEY")
			}
			k := strings.TrimSpace(*key)
			if strings.HasPrefix(k, "@") {
				b, err := os.ReadFile(k[1:])
				if err != nil {
					return fmt.Errorf("--key: %w", err)
				}
				k = strings.TrimSpace(string(b))
			}
			if k == "" {
				return errors.New("--key is required: the vault's verifier key, obtained from the operator, not from the bundle")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open bundle: %w", err)
			}
			defer f.Close()
			rep, err := vault.VerifyBundle(f, k)
			if err != nil {
				return fmt.Errorf("bundle %s does NOT verify: %w", args[0], err)
			}
			fmt.Fprintf(stdout, "bundle verified: %d events of %s (organisation %d), tree size %d, root %x\nquery %q, created %s\n",
				rep.Events, rep.Origin, rep.OrgID, rep.TreeSize, rep.Root, rep.Query, rep.Created.UTC().Format(time.RFC3339))
			return nil
		},
	}
}

func vaultProofCmd(stdout, stderr io.Writer) *ffcli.Command {
	ifs, ivf := newVaultFlags("proof inclusion", true)
	seq := ifs.Uint64("seq", 0, "event sequence number (leaf index)")
	size := ifs.Uint64("size", 0, "tree size (default: the current size)")
	cfs, cvf := newVaultFlags("proof consistency", true)
	from := cfs.Uint64("from", 0, "older tree size")
	to := cfs.Uint64("to", 0, "newer tree size")
	return &ffcli.Command{
		Name: "proof", ShortUsage: "ciiguard vault proof <inclusion|consistency> --org ID …", ShortHelp: "print an RFC 9162 proof as JSON",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{{
			Name: "inclusion", ShortUsage: "ciiguard vault proof inclusion --org ID --seq N [--size N]", ShortHelp: "prove an event is in the log",
			FlagSet: ifs, Options: envOpts,
			Exec: func(ctx context.Context, _ []string) error {
				if err := ivf.needOrg(); err != nil {
					return err
				}
				v, err := ivf.openVaultReadOnly()
				if err != nil {
					return err
				}
				defer v.Close()
				n := *size
				if n == 0 {
					if n, err = v.Size(ivf.org); err != nil {
						return err
					}
				}
				if *seq >= n {
					return fmt.Errorf("--seq %d must be below the tree size %d", *seq, n)
				}
				ev, err := v.Get(ctx, ivf.org, *seq)
				if err != nil {
					return fmt.Errorf("read event %d: %w", *seq, err)
				}
				hashes, err := v.InclusionProof(ctx, ivf.org, *seq, n)
				if err != nil {
					return fmt.Errorf("inclusion proof: %w", err)
				}
				root, err := v.RootHash(ctx, ivf.org, n)
				if err != nil {
					return fmt.Errorf("root hash: %w", err)
				}
				leaf := vault.LeafData(&ev)
				lh := vault.LeafHash(leaf)
				return printJSON(stdout, map[string]any{"seq": *seq, "tree_size": n, "leaf": b64(leaf), "leaf_hash": b64(lh[:]),
					"hashes": b64s(hashes), "root": b64(root[:]), "event": ev})
			},
		}, {
			Name: "consistency", ShortUsage: "ciiguard vault proof consistency --org ID --from A --to B", ShortHelp: "prove tree A is a prefix of tree B",
			FlagSet: cfs, Options: envOpts,
			Exec: func(ctx context.Context, _ []string) error {
				if err := cvf.needOrg(); err != nil {
					return err
				}
				if *from > *to || *to == 0 {
					return errors.New("give --from A --to B with 0 <= A <= B and B > 0")
				}
				v, err := cvf.openVaultReadOnly()
				if err != nil {
					return err
				}
				defer v.Close()
				hashes, err := v.ConsistencyProof(ctx, cvf.org, *from, *to)
				if err != nil {
					return fmt.Errorf("consistency proof: %w", err)
				}
				out := map[string]any{"from": *from, "to": *to, "hashes": b64s(hashes)}
				if r, err := v.RootHash(ctx, cvf.org, *to); err == nil {
					out["to_root"] = b64(r[:])
				}
				if r, err := v.RootHash(ctx, cvf.org, *from); err == nil && *from > 0 {
					out["from_root"] = b64(r[:])
				}
				return printJSON(stdout, out)
			},
		}},
	}
}

func vaultCheckpointCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("checkpoint", true)
	sign := fs.Bool("sign", false, "sign a new checkpoint at the current size instead of printing the latest")
	return &ffcli.Command{
		Name: "checkpoint", ShortUsage: "ciiguard vault checkpoint --org ID [--sign]", ShortHelp: "print the latest signed checkpoint (a C2SP signed note)",
		FlagSet: fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			if err := vf.needOrg(); err != nil {
				return err
			}
			v, err := vf.openVault()
			if err != nil {
				return err
			}
			defer v.Close()
			var note []byte
			if !*sign {
				cps, err := v.Checkpoints(vf.org)
				if err != nil {
					return fmt.Errorf("list checkpoints: %w", err)
				}
				if len(cps) > 0 {
					note = cps[len(cps)-1]
				}
			}
			if note == nil {
				if note, err = v.Checkpoint(ctx, vf.org); err != nil {
					return fmt.Errorf("sign checkpoint: %w", err)
				}
			}
			_, err = stdout.Write(note)
			return err
		},
	}
}

// queryFlags are the selection flags shared by search and export.
type queryFlags struct {
	from, to string
	source   int64
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.from, "from", "", "start of event time, RFC 3339 (default: open)")
	fs.StringVar(&q.to, "to", "", "end of event time, exclusive, RFC 3339 (default: open)")
	fs.Int64Var(&q.source, "source", 0, "only this source id")
}

func (q *queryFlags) query(args []string) (vault.Query, error) {
	vq := vault.Query{Expr: strings.Join(args, " ")}
	if _, err := vault.ParseQuery(vq.Expr); err != nil {
		return vq, fmt.Errorf("query: %w", err)
	}
	for _, f := range []struct {
		name, val string
		dst       *time.Time
	}{{"--from", q.from, &vq.From}, {"--to", q.to, &vq.To}} {
		if f.val == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.val)
		if err != nil {
			return vq, fmt.Errorf("%s: want RFC 3339 such as 2026-01-02T15:04:05Z: %w", f.name, err)
		}
		*f.dst = t
	}
	if q.source > 0 {
		vq.Sources = []int64{q.source}
	}
	return vq, nil
}

func vaultSearchCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("search", true)
	var qf queryFlags
	qf.register(fs)
	limit := fs.Int("limit", 100, "most events to print (newest first)")
	return &ffcli.Command{
		Name: "search", ShortUsage: "ciiguard vault search --org ID [--from T --to T --limit N] QUERY…", ShortHelp: "search an organisation's logs; prints JSON lines",
		FlagSet: fs, Options: envOpts,
		Exec: func(ctx context.Context, args []string) error {
			args, err := positional(fs, args)
			if err != nil {
				return err
			}
			if err := vf.needOrg(); err != nil {
				return err
			}
			q, err := qf.query(args)
			if err != nil {
				return err
			}
			if *limit < 1 {
				return errors.New("--limit must be at least 1")
			}
			v, err := vf.openVaultReadOnly()
			if err != nil {
				return err
			}
			defer v.Close()
			enc := json.NewEncoder(stdout)
			left := *limit
			for left > 0 {
				q.Limit = min(left, 1000)
				page, err := v.Search(ctx, vf.org, q)
				if err != nil {
					return fmt.Errorf("search: %w", err)
				}
				for _, ev := range page.Events {
					if err := enc.Encode(ev); err != nil {
						return err
					}
				}
				left -= len(page.Events)
				if page.Next == "" || len(page.Events) == 0 {
					break
				}
				q.Cursor = page.Next
			}
			return nil
		},
	}
}

func vaultExportCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs, vf := newVaultFlags("export", true)
	var qf queryFlags
	qf.register(fs)
	return &ffcli.Command{
		Name: "export", ShortUsage: "ciiguard vault export --org ID [--from T --to T] QUERY… > bundle.ndjson", ShortHelp: "write a signed, verifiable export bundle",
		LongHelp: "Writes the matching events, each with its inclusion proof against a checkpoint signed\nfor this export. Check it with `ciiguard vault verify-bundle FILE --key KEY`.",
		FlagSet:  fs, Options: envOpts,
		Exec: func(ctx context.Context, args []string) error {
			args, err := positional(fs, args)
			if err != nil {
				return err
			}
			if err := vf.needOrg(); err != nil {
				return err
			}
			q, err := qf.query(args)
			if err != nil {
				return err
			}
			v, err := vf.openVault()
			if err != nil {
				return err
			}
			defer v.Close()
			if err := v.ExportBundle(ctx, vf.org, q, stdout); err != nil {
				return fmt.Errorf("export bundle: %w", err)
			}
			return nil
		},
	}
}

// positional lets flags follow positional arguments, as in `verify-bundle FILE --key KEY`:
// the standard flag package stops at the first positional argument, so the rest is parsed
// again after taking it.
func positional(fs *flag.FlagSet, args []string) ([]string, error) {
	var out []string
	for len(args) > 0 {
		if strings.HasPrefix(args[0], "-") && args[0] != "-" {
			if err := fs.Parse(args); err != nil {
				return nil, err
			}
			args = fs.Args()
			continue
		}
		out = append(out, args[0])
		args = args[1:]
	}
	return out, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func b64s(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}
