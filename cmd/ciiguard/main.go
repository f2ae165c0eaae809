// Command ciiguard is the compliance and protection platform for critical information
// infrastructure under China's network-security regime: one binary that serves the web UI
// and API, runs the demo, applies migrations and administers users and organisations.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/peterbourgon/ff/v3"
	"github.com/peterbourgon/ff/v3/ffcli"

	"ciiguard/internal/app"
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ciiguard:", err)
		os.Exit(1)
	}
}

// common holds the flags every command that opens the installation takes.
type common struct {
	data     string
	db       string
	logLevel string
	logJSON  bool
}

func defaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "ciiguard")
	}
	return "ciiguard-data"
}

// moduleFlags constructs the installation's capabilities and adds the flags of those that
// take configuration (kernel.Configurable) to fs, so that `--help` lists them and
// CIIGUARD_* variables set them like the kernel's own flags. The same modules, configured,
// are handed to app.Open.
func moduleFlags(fs *flag.FlagSet) []kernel.Module {
	mods := app.Modules()
	for _, m := range mods {
		if c, ok := m.(kernel.Configurable); ok {
			c.Flags(fs)
		}
	}
	return mods
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", defaultDataDir(), "data directory: SQLite database, vault, evidence files")
	fs.StringVar(&c.db, "db", "", "records store: sqlite:PATH or a postgres:// URL (default sqlite:<data>/ciiguard.db)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.BoolVar(&c.logJSON, "log-json", false, "write logs as JSON lines instead of text")
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.logJSON {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func (c *common) open(ctx context.Context, stderr io.Writer, extra func(*app.Config)) (*app.App, error) {
	log, err := c.logger(stderr)
	if err != nil {
		return nil, err
	}
	cfg := app.Config{Data: c.data, DB: c.db}
	if extra != nil {
		extra(&cfg)
	}
	return app.Open(ctx, cfg, log)
}

// with opens the installation, runs fn and closes it again.
func (c *common) with(ctx context.Context, stderr io.Writer, fn func(*app.App) error) error {
	a, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func newFlagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet("ciiguard "+name, flag.ContinueOnError)
}

var envOpts = []ff.Option{ff.WithEnvVarPrefix("CIIGUARD")}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := &ffcli.Command{
		Name:       "ciiguard",
		ShortUsage: "ciiguard <command> [flags]",
		ShortHelp:  "compliance and protection platform for critical information infrastructure",
		LongHelp: `ciiguard keeps an operator's inventory, obligations, security logs, incidents,
supply chain and data exports within China's CII security regime, and gives
regulators their registry, inbox and inspections.

Every flag can also be set with an environment variable: CIIGUARD_ followed by
the flag name in capitals with - as _ (for example CIIGUARD_DB, CIIGUARD_TLS_CERT).`,
		Subcommands: []*ffcli.Command{
			serveCmd(stdout, stderr), demoCmd(stdout, stderr), migrateCmd(stdout, stderr),
			userCmd(stdin, stdout, stderr), orgCmd(stdout, stderr), auditCmd(stdout, stderr), catalogCmd(stdout), calendarCmd(stdout, stderr), vaultCmd(stdout, stderr), bundleCmd(stdout), versionCmd(stdout),
		},
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
	}
	root.FlagSet = newFlagSet("")
	setOutput(root, stderr)
	if err := root.Parse(args); err != nil {
		return err
	}
	return root.Run(ctx)
}

// setOutput sends every command's usage and flag errors to w.
func setOutput(c *ffcli.Command, w io.Writer) {
	if c.FlagSet == nil {
		c.FlagSet = newFlagSet(c.Name)
	}
	c.FlagSet.SetOutput(w)
	for _, sub := range c.Subcommands {
		setOutput(sub, w)
	}
}

func versionCmd(stdout io.Writer) *ffcli.Command {
	return &ffcli.Command{
		Name: "version", ShortUsage: "ciiguard version", ShortHelp: "print the version",
		Exec: func(context.Context, []string) error { fmt.Fprintln(stdout, "ciiguard", version); return nil },
	}
}

func serveCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("serve")
	var c common
	c.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address")
	cert := fs.String("tls-cert", "", "PEM certificate file; with --tls-key, serve HTTPS")
	key := fs.String("tls-key", "", "PEM private key file for --tls-cert")
	var nf nodeFlags
	nf.register(fs)
	mods := moduleFlags(fs)
	return &ffcli.Command{
		Name: "serve", ShortUsage: "ciiguard serve [flags]", ShortHelp: "run the server",
		LongHelp: "Apply pending migrations and serve the web UI and API until interrupted.\nIn-flight requests finish before it exits.",
		FlagSet:  fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			if (*cert == "") != (*key == "") {
				return errors.New("--tls-cert and --tls-key go together")
			}
			if err := nf.check(); err != nil {
				return err
			}
			a, err := c.open(ctx, stderr, func(cfg *app.Config) {
				cfg.Addr, cfg.TLSCert, cfg.TLSKey, cfg.Modules = *addr, *cert, *key, mods
				cfg.Node, cfg.NodeURL, cfg.VaultLease = nf.name, nf.url, nf.vaultLease
			})
			if err != nil {
				return err
			}
			defer a.Close()
			return a.Serve(ctx, func(bound string) {
				scheme := "http"
				if *cert != "" {
					scheme = "https"
				}
				a.Log.Info("serving", "url", scheme+"://"+bound, "store", a.DB.String())
			})
		},
	}
}

func demoCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("demo")
	var c common
	c.register(fs)
	_ = fs.Set("data", "")
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address; loopback by default, as every demo account shares one password")
	keep := fs.Bool("keep", false, "keep the throwaway data directory on exit")
	mods := moduleFlags(fs)
	return &ffcli.Command{
		Name: "demo", ShortUsage: "ciiguard demo [flags]", ShortHelp: "run with demo organisations, users and data",
		LongHelp: `Create a throwaway data directory (or reuse --data DIR), seed a demo operator,
regulator and supplier with a user in every role and each capability's demo
records, and serve the UI. The logins are printed once it is listening.
It listens on loopback unless --addr says otherwise, and warns loudly when it
does not: every demo account shares one published password.`,
		FlagSet: fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			if c.data == "" {
				dir, err := os.MkdirTemp("", "ciiguard-demo-")
				if err != nil {
					return fmt.Errorf("create demo data directory: %w", err)
				}
				c.data = dir
				if !*keep {
					defer os.RemoveAll(dir)
				}
			}
			a, err := c.open(ctx, stderr, func(cfg *app.Config) { cfg.Addr, cfg.Modules = *addr, mods })
			if err != nil {
				return err
			}
			defer a.Close()
			logins, err := a.SeedDemo(ctx)
			if err != nil {
				return err
			}
			return a.Serve(ctx, func(bound string) {
				fmt.Fprint(stdout, app.FormatLogins("http://"+bound, logins))
				fmt.Fprintf(stdout, "Data directory: %s\n", c.data)
				warnExposedDemo(stderr, a.Log, bound)
			})
		},
	}
}

func migrateCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("migrate")
	var c common
	c.register(fs)
	return &ffcli.Command{
		Name: "migrate", ShortUsage: "ciiguard migrate [flags]", ShortHelp: "apply pending database migrations",
		LongHelp: "Apply every pending migration (forward only) and exit. serve and demo do this at start-up too.",
		FlagSet:  fs, Options: envOpts,
		Exec: func(ctx context.Context, _ []string) error {
			return c.with(ctx, stderr, func(a *app.App) error {
				fmt.Fprintf(stdout, "store %s is up to date\n", a.DB)
				return nil
			})
		},
	}
}

// readPassword reads one line from r: the password, given on standard input so that it
// stays out of the process list and shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (pipe it in: echo \"$PW\" | ciiguard user ...)")
	}
	return pw, nil
}

func cliCtx(ctx context.Context) context.Context {
	return audit.WithActor(ctx, audit.Actor{Label: "cli"})
}

func userCmd(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	addFS := newFlagSet("user add")
	var addC common
	addC.register(addFS)
	org := addFS.Int64("org", 0, "organisation id (see ciiguard org list)")
	email := addFS.String("email", "", "e-mail address, used to sign in")
	name := addFS.String("name", "", "display name")
	role := addFS.String("role", "", "role: "+fmt.Sprint(auth.AllRoles()))

	pwFS := newFlagSet("user passwd")
	var pwC common
	pwC.register(pwFS)
	pwEmail := pwFS.String("email", "", "the user's e-mail address")

	disFS := newFlagSet("user disable")
	var disC common
	disC.register(disFS)
	disEmail := disFS.String("email", "", "the user's e-mail address")
	enable := disFS.Bool("enable", false, "enable the user again instead")

	return &ffcli.Command{
		Name: "user", ShortUsage: "ciiguard user <add|passwd|disable> [flags]", ShortHelp: "manage users",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{
			{
				Name: "add", ShortUsage: "echo \"$PW\" | ciiguard user add --org ID --email E --name N --role R", ShortHelp: "add a user (password on standard input)",
				FlagSet: addFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					pw, err := readPassword(stdin)
					if err != nil {
						return err
					}
					return addC.with(ctx, stderr, func(a *app.App) error {
						u, err := a.Auth.CreateUser(cliCtx(ctx), auth.NewUser{OrgID: *org, Email: *email, Name: *name, Role: auth.Role(*role), Password: pw})
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "user %d %s (%s) added to organisation %d\n", u.ID, u.Email, u.Role, u.OrgID)
						return nil
					})
				},
			},
			{
				Name: "passwd", ShortUsage: "echo \"$PW\" | ciiguard user passwd --email E", ShortHelp: "set a user's password (on standard input); ends their sessions",
				FlagSet: pwFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					pw, err := readPassword(stdin)
					if err != nil {
						return err
					}
					return pwC.with(ctx, stderr, func(a *app.App) error {
						if _, err := a.Auth.UpdateUserByEmail(cliCtx(ctx), *pwEmail, auth.UserChange{Password: &pw}); err != nil {
							return fmt.Errorf("user %s: %w", *pwEmail, err)
						}
						fmt.Fprintf(stdout, "password of %s changed\n", *pwEmail)
						return nil
					})
				},
			},
			{
				Name: "disable", ShortUsage: "ciiguard user disable --email E [--enable]", ShortHelp: "disable a user (ends sessions, revokes tokens), or --enable again",
				FlagSet: disFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					return disC.with(ctx, stderr, func(a *app.App) error {
						disabled := !*enable
						if _, err := a.Auth.UpdateUserByEmail(cliCtx(ctx), *disEmail, auth.UserChange{Disabled: &disabled}); err != nil {
							return fmt.Errorf("user %s: %w", *disEmail, err)
						}
						fmt.Fprintf(stdout, "%s %s\n", *disEmail, map[bool]string{true: "disabled", false: "enabled"}[disabled])
						return nil
					})
				},
			},
		},
	}
}

func orgCmd(stdout, stderr io.Writer) *ffcli.Command {
	addFS := newFlagSet("org add")
	var addC common
	addC.register(addFS)
	kind := addFS.String("kind", "operator", "operator, regulator, supplier or installation (the team running this installation; its users get the operations role)")
	nameZH := addFS.String("name-zh", "", "name in Chinese")
	nameEN := addFS.String("name-en", "", "name in English")
	uscc := addFS.String("uscc", "", "unified social credit code")

	listFS := newFlagSet("org list")
	var listC common
	listC.register(listFS)
	return &ffcli.Command{
		Name: "org", ShortUsage: "ciiguard org <add|list> [flags]", ShortHelp: "manage organisations",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{
			{
				Name: "add", ShortUsage: "ciiguard org add --kind K --name-zh Z --name-en E", ShortHelp: "add an organisation",
				FlagSet: addFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					return addC.with(ctx, stderr, func(a *app.App) error {
						o, err := a.Auth.CreateOrg(cliCtx(ctx), auth.Org{Kind: auth.OrgKind(*kind), NameZH: *nameZH, NameEN: *nameEN, USCC: *uscc})
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "organisation %d %s (%s) added\n", o.ID, o.NameEN, o.Kind)
						return nil
					})
				},
			},
			{
				Name: "list", ShortUsage: "ciiguard org list", ShortHelp: "list organisations",
				FlagSet: listFS, Options: envOpts,
				Exec: func(ctx context.Context, _ []string) error {
					return listC.with(ctx, stderr, func(a *app.App) error {
						orgs, err := a.Auth.ListOrgs(ctx, "")
						if err != nil {
							return err
						}
						for _, o := range orgs {
							fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", o.ID, o.Kind, o.NameZH, o.NameEN)
						}
						return nil
					})
				},
			},
		},
	}
}

func auditCmd(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("audit verify")
	var c common
	c.register(fs)
	return &ffcli.Command{
		Name: "audit", ShortUsage: "ciiguard audit verify [flags]", ShortHelp: "check the audit trail",
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
		Subcommands: []*ffcli.Command{{
			Name: "verify", ShortUsage: "ciiguard audit verify", ShortHelp: "walk the hash chain, compare it with the anchors in the log vault and report the first broken link",
			LongHelp: `Walk the audit trail's hash chain and compare it with the chain heads that the
server anchors in each organisation's log vault every minute: an anchored entry
that is missing (entries removed from the end and the head rewound) or whose hash
differs (rewritten) is named, as is any broken link. Like the vault commands it
opens <data>/vault, so run it against a stopped server or a copy.`,
			FlagSet: fs, Options: envOpts,
			Exec: func(ctx context.Context, _ []string) error {
				return c.with(ctx, stderr, func(a *app.App) error {
					return auditVerify(ctx, stdout, a)
				})
			},
		}},
	}
}

// auditVerify checks the chain against the anchors of the module that keeps them (the
// security-logs capability's vault).
func auditVerify(ctx context.Context, stdout io.Writer, a *app.App) error {
	var anchors []audit.Anchor
	for _, m := range a.Modules {
		if al, ok := m.(audit.AnchorLog); ok {
			as, err := al.Anchors(ctx)
			if err != nil {
				return fmt.Errorf("read the audit anchors in the log vault: %w", err)
			}
			anchors = append(anchors, as...)
		}
	}
	rep, err := audit.VerifyAnchored(ctx, a.DB, anchors)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit trail intact: %d entries verified\n", rep.Entries)
	if rep.Anchors == 0 {
		fmt.Fprintln(stdout, "no anchors in the log vault yet: a running server writes one every minute the trail changes")
		return nil
	}
	fmt.Fprintf(stdout, "%d anchors in the log vault agree; the newest holds entry %d (organisation %d) since %s; %d not yet covered by a signed checkpoint\n",
		rep.Anchors, rep.Newest.Seq, rep.Newest.OrgID, rep.Newest.At.Format(time.RFC3339), rep.Unsigned)
	return nil
}
