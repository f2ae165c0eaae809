package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/oversight"
)

// bundleCmd checks an inspection's reproduction bundle offline: a department verifies what
// it took away from an inspection with nothing but the file (and, to pin the signer, the
// installation key's fingerprint it was given).
func bundleCmd(stdout io.Writer) *ffcli.Command {
	fs := newFlagSet("bundle verify")
	key := fs.String("key", "", "the installation key's fingerprint (SHA-256 of the Ed25519 public key, hex), as the installation publishes it and its reports print it; without it the key in the bundle is reported, not checked against anything")
	verify := &ffcli.Command{
		Name: "verify", ShortUsage: "ciiguard bundle verify [--key FINGERPRINT] FILE",
		ShortHelp: "check an inspection's reproduction bundle or a signed report bundle offline",
		LongHelp: `Checks a bundle an inspection reproduced (ciiguard-inspection-bundle/1): every evidence
file against its SHA-256, every log event against its leaf, its RFC 9162 inclusion proof
and the log vault's signed checkpoint, and the end record's Ed25519 signature over the
header and every line, so that one byte changed or one line dropped fails. Needs only the
file; exits non-zero on the first failure.

A signed report bundle (ciiguard-report-bundle/1, exported from an assessment report for
filing outside ciiguard) is recognised by its format and checked the same way: the key
against its fingerprint, the Ed25519 signature over both files' SHA-256, each file against
its hash, the report signed off. So is a department's signed receipt
(ciiguard-report-receipt/1), its answer to such a report: the key, the signature over the
receipt's bytes, and what it answers.`,
		FlagSet: fs, Options: envOpts,
		Exec: func(_ context.Context, args []string) error {
			args, err := positional(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return errors.New("give the bundle file: ciiguard bundle verify [--key FINGERPRINT] FILE")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open bundle: %w", err)
			}
			defer f.Close()
			want := strings.ToLower(strings.TrimSpace(*key))
			br := bufio.NewReaderSize(f, 4096)
			head, _ := br.Peek(512)
			if reportbundle.IsBundle(head) {
				return verifyReportBundle(stdout, br, args[0], want)
			}
			if reportbundle.IsReceipt(head) {
				return verifyReceipt(stdout, br, args[0], want)
			}
			rep, err := oversight.VerifyBundle(br, want)
			if err != nil {
				return fmt.Errorf("bundle %s does NOT verify: %w", args[0], err)
			}
			fmt.Fprintf(stdout, "bundle verified: inspection %d (%s) of %s (organisation %d) by %s, reproduced %s\n",
				rep.InspectionID, rep.Ref, rep.OperatorZH, rep.OperatorID, rep.RegulatorZH, rep.Created.UTC().Format(time.RFC3339))
			fmt.Fprintf(stdout, "%d records, %d evidence files, %d log events with inclusion proofs\n", rep.Records, rep.Files, rep.LogEvents)
			fmt.Fprintf(stdout, "signed by installation key %s", rep.KeyFingerprint)
			if want == "" {
				fmt.Fprint(stdout, " (not checked: compare it with the fingerprint the installation publishes, or give --key)")
			}
			fmt.Fprintln(stdout)
			for _, k := range rep.VaultKeys {
				fmt.Fprintf(stdout, "log vault checkpoints verified with %s\n", k)
			}
			return nil
		},
	}
	return &ffcli.Command{
		Name: "bundle", ShortUsage: "ciiguard bundle verify [--key FINGERPRINT] FILE", ShortHelp: "verify an inspection's signed reproduction bundle",
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{verify},
	}
}

// verifyReportBundle checks a signed report bundle and says what it holds.
func verifyReportBundle(stdout io.Writer, r io.Reader, name, want string) error {
	rep, err := reportbundle.Verify(r, want)
	if err != nil {
		return fmt.Errorf("report bundle %s does NOT verify: %w", name, err)
	}
	fmt.Fprintf(stdout, "report bundle verified: %s report %d, version %d, of %s (%s), signed off by %s, exported %s\n",
		rep.Kind, rep.Year, rep.Version, rep.NameZH, rep.USCC, rep.SignedOffBy, rep.Created.UTC().Format(time.RFC3339))
	fmt.Fprintf(stdout, "report JSON SHA-256 %s (printed on its PDF), PDF SHA-256 %s\n", rep.ContentSHA256, rep.PDFSHA256)
	fmt.Fprintf(stdout, "signed by installation key %s", rep.KeyFingerprint)
	if want == "" {
		fmt.Fprint(stdout, " (not checked: compare it with the fingerprint the installation publishes, or give --key)")
	}
	fmt.Fprintln(stdout)
	return nil
}

// verifyReceipt checks a department's signed receipt and says what it answers.
func verifyReceipt(stdout io.Writer, r io.Reader, name, want string) error {
	rc, err := reportbundle.VerifyReceipt(r, want)
	if err != nil {
		return fmt.Errorf("report receipt %s does NOT verify: %w", name, err)
	}
	fmt.Fprintf(stdout, "report receipt verified: %s answers %s report %d, version %d, of %s (report JSON SHA-256 %s), issued %s\n",
		rc.DepartmentZH, rc.Kind, rc.Year, rc.Version, rc.USCC, rc.ContentSHA256, rc.Issued.UTC().Format(time.RFC3339))
	fmt.Fprintf(stdout, "state %s\n", rc.State)
	for _, a := range rc.Answers {
		fmt.Fprintf(stdout, "answer %s %s by %s", a.Action, a.At.UTC().Format(time.RFC3339), a.By)
		if a.Note != "" {
			fmt.Fprintf(stdout, ": %s", a.Note)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "signed by installation key %s", rc.KeyFingerprint)
	if want == "" {
		fmt.Fprint(stdout, " (not checked: compare it with the fingerprint the department publishes, or give --key)")
	}
	fmt.Fprintln(stdout)
	return nil
}
