package catalog

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/rules"
)

// content holds the catalog files written by the content engineer, one per instrument.
//
//go:embed content/*.yaml
var content embed.FS

// Error is one problem found while loading: the file, the line, the field path
// (e.g. "obligations[3].check") and what is wrong. Kind, Key, Obligation, Expr and Reason
// let a page say it in the reader's language; Msg stays the English (or parser's) text.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string

	Kind       ErrorKind // what went wrong, for a translated message
	Key        string    // ErrUnknownField: the key that is not in the schema
	Obligation string    // ErrExpression: the obligation whose expression failed
	Expr       string    // ErrExpression: which expression (applies, check, due)

	format string // ErrSchema: the English format Msg was made from, and its arguments
	args   []any
}

// ErrorKind says what kind of problem an Error is.
type ErrorKind string

// The kinds of loading problems.
const (
	ErrSyntax       ErrorKind = "syntax"        // not valid YAML
	ErrUnknownField ErrorKind = "unknown_field" // a key the schema does not have
	ErrType         ErrorKind = "type"          // a value of the wrong type for its key
	ErrExpression   ErrorKind = "expression"    // a CEL expression that does not compile
	ErrSchema       ErrorKind = "schema"        // a value the schema refuses (missing, out of range …)
)

// Reason returns the English format of a schema problem's message and its arguments (empty
// for other kinds), so that a page can show the same reason translated.
func (e *Error) Reason() (string, []any) { return e.format, e.args }

// Error formats the problem as "catalog: file:line: field: message", like a compiler.
func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return fmt.Sprintf("catalog: %s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("catalog: %s: %s: %s", loc, e.Field, e.Msg)
}

// Load loads the embedded catalog (content/*.yaml). Options go to the rules engine.
func Load(opts ...rules.Option) (*Catalog, error) { return LoadFS(content, "content", opts...) }

// LoadFS loads every *.yaml file in dir of fsys as one catalog. All problems are reported
// together (errors.Join of *Error values), so one run shows every mistake in every file.
func LoadFS(fsys fs.FS, dir string, opts ...rules.Option) (*Catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("catalog: list %s: %w", dir, err)
	}
	sort.Strings(names)
	var docs []*fileDoc
	var errs []error
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("catalog: read %s: %w", name, err))
			continue
		}
		d, es := parseFile(name, b, false)
		errs = append(errs, es...)
		if d != nil {
			docs = append(docs, d)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return build(docs, opts)
}

// fileDoc is one parsed file with its YAML tree kept for error positions.
type fileDoc struct {
	file        string
	root        *yaml.Node    // the document's top mapping
	Instrument  Instrument    `yaml:"instrument"`
	Penalties   []*Penalty    `yaml:"penalties"`
	Obligations []*Obligation `yaml:"obligations"`
	custom      bool
}

// maxFileSize bounds one catalog or policy file; real files are tens of kilobytes.
const maxFileSize = 8 << 20

func parseFile(name string, b []byte, custom bool) (*fileDoc, []error) {
	if len(b) > maxFileSize {
		return nil, []error{&Error{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", maxFileSize)}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, []error{&Error{File: name, Line: lineFromMsg(strings.TrimPrefix(err.Error(), "yaml: ")), Msg: err.Error(), Kind: ErrSyntax}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, []error{&Error{File: name, Line: 1, Msg: "want a mapping with instrument, penalties and obligations"}}
	}
	d := &fileDoc{file: name, root: doc.Content[0], custom: custom}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt key is an error, not a silently missing field
	if err := dec.Decode(d); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var errs []error
			for _, m := range te.Errors {
				e := &Error{File: name, Line: lineFromMsg(m), Msg: m, Kind: ErrType}
				if k := unknownFieldRE.FindStringSubmatch(m); k != nil {
					e.Kind, e.Key = ErrUnknownField, k[1]
				}
				errs = append(errs, e)
			}
			return nil, errs
		}
		return nil, []error{&Error{File: name, Line: lineFromMsg(strings.TrimPrefix(err.Error(), "yaml: ")), Msg: err.Error(), Kind: ErrSyntax}}
	}
	d.Instrument.File = name
	d.Instrument.Custom = custom
	obs := child(d.root, "obligations")
	for i, o := range d.Obligations {
		if o == nil {
			continue
		}
		o.Instrument, o.File = d.Instrument.ID, name
		on := item(obs, i)
		o.Line = lineOf(on)
		tests := child(on, "tests")
		for j := range o.Tests {
			o.Tests[j].Line = lineOf(item(tests, j))
		}
	}
	for _, p := range d.Penalties {
		if p != nil {
			p.Instrument = d.Instrument.ID
		}
	}
	return d, nil
}

var (
	lineRE = regexp.MustCompile(`^line (\d+):`)
	// unknownFieldRE reads the key out of yaml.v3's KnownFields message, "line 7: field chek
	// not found in type catalog.Obligation".
	unknownFieldRE = regexp.MustCompile(`^line \d+: field (\S+) not found in type `)
)

func lineFromMsg(m string) int {
	if s := lineRE.FindStringSubmatch(m); s != nil {
		var n int
		fmt.Sscan(s[1], &n)
		return n
	}
	return 0
}

// child returns the value node of key in a mapping node, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// item returns element i of a sequence node, or nil.
func item(n *yaml.Node, i int) *yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

var (
	instrumentIDRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)
	kebabRE        = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)
)

// validator collects errors for one file.
type validator struct {
	d    *fileDoc
	errs []error
}

func (v *validator) add(n *yaml.Node, field, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.d.file, Line: lineOf(n), Field: field, Msg: fmt.Sprintf(format, args...),
		Kind: ErrSchema, format: format, args: args})
}

// text requires both languages of a bilingual field.
func (v *validator) text(parent *yaml.Node, key, field string, t Text, required bool) {
	if !required && t.Zh == "" && t.En == "" {
		return
	}
	n := child(parent, key)
	if n == nil {
		n = parent
	}
	if strings.TrimSpace(t.Zh) == "" {
		v.add(n, field+".zh", "missing Chinese text")
	}
	if strings.TrimSpace(t.En) == "" {
		v.add(n, field+".en", "missing English text")
	}
}

func (v *validator) enum(n *yaml.Node, field, val string, allowed []string) {
	if !contains(allowed, val) {
		v.add(n, field, "%q is not one of %s", val, strings.Join(allowed, ", "))
	}
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (v *validator) validate() {
	d := v.d
	in := &d.Instrument
	inNode := child(d.root, "instrument")
	if inNode == nil {
		v.add(d.root, "instrument", "missing")
		return
	}
	if !instrumentIDRE.MatchString(in.ID) {
		v.add(child(inNode, "id"), "instrument.id", "%q is not an upper-case id such as CSL", in.ID)
	}
	if in.Kind != "" { // optional in the schema; every shipped instrument has one (TestInstrumentKinds)
		v.enum(child(inNode, "kind"), "instrument.kind", in.Kind, KindValues)
	}
	v.text(inNode, "title", "instrument.title", in.Title, true)
	v.text(inNode, "issuer", "instrument.issuer", in.Issuer, true)
	versions := map[string]bool{}
	vn := child(inNode, "versions")
	if len(in.Versions) == 0 {
		v.add(inNode, "instrument.versions", "at least one version is required")
	}
	prev := ""
	for i, ver := range in.Versions {
		n := item(vn, i)
		f := fmt.Sprintf("instrument.versions[%d]", i)
		if ver.ID == "" {
			v.add(n, f+".id", "missing")
		}
		if versions[ver.ID] {
			v.add(n, f+".id", "duplicate version %q", ver.ID)
		}
		versions[ver.ID] = true
		if ver.Adopted == "" && ver.InForce == "" {
			v.add(n, f, "give adopted or in_force")
		}
		for key, val := range map[string]string{"adopted": ver.Adopted, "in_force": ver.InForce} {
			if val != "" && !validDate(val) {
				v.add(child(n, key), f+"."+key, "%q is not a YYYY-MM-DD date", val)
			}
		}
		date := ver.InForce
		if date == "" {
			date = ver.Adopted
		}
		if prev != "" && date != "" && date < prev {
			v.add(n, f, "versions must be listed oldest first")
		}
		if date != "" {
			prev = date
		}
		if ver.Note != nil {
			v.text(n, "note", f+".note", *ver.Note, true)
		}
	}
	prefix := in.ID + "-"
	citations := func(n *yaml.Node, field string, cs []Citation) {
		cn := child(n, "equivalents")
		for i, c := range cs {
			f := fmt.Sprintf("%s.equivalents[%d]", field, i)
			if c.Article == "" {
				v.add(item(cn, i), f+".article", "missing")
			}
			if !strings.Contains(c.Version, ":") && !versions[c.Version] {
				v.add(item(cn, i), f+".version", "version %q is not a version of %s", c.Version, in.ID)
			}
		}
	}
	pn := child(d.root, "penalties")
	for i, p := range d.Penalties {
		n := item(pn, i)
		f := fmt.Sprintf("penalties[%d]", i)
		if p == nil {
			v.add(n, f, "empty penalty")
			continue
		}
		if !kebabRE.MatchString(p.ID) || !strings.HasPrefix(p.ID, prefix) {
			v.add(child(n, "id"), f+".id", "%q must be UPPER-KEBAB and start with %q", p.ID, prefix)
		}
		if !versions[p.Version] {
			v.add(child(n, "version"), f+".version", "version %q is not a version of %s", p.Version, in.ID)
		}
		if p.Article == "" {
			v.add(n, f+".article", "missing")
		}
		// 0..0 is allowed: some articles punish with a warning or an order to correct only.
		if p.Fine.Min < 0 || p.Fine.Max < p.Fine.Min {
			v.add(child(n, "fine"), f+".fine", "want 0 <= min <= max, got %d..%d", p.Fine.Min, p.Fine.Max)
		}
		if p.Persons != nil && (p.Persons.Min < 0 || p.Persons.Max < p.Persons.Min) {
			v.add(child(n, "persons"), f+".persons", "want 0 <= min <= max, got %d..%d", p.Persons.Min, p.Persons.Max)
		}
		v.penaltyTiers(n, f, p)
		v.text(n, "summary", f+".summary", p.Summary, true)
		citations(n, f, p.Equivalents)
		for _, ver := range in.Versions {
			if ver.ID == p.Version && ver.Draft {
				p.Draft = true
			}
		}
	}
	on := child(d.root, "obligations")
	if len(d.Obligations) == 0 {
		v.add(d.root, "obligations", "no obligations")
	}
	for i, o := range d.Obligations {
		n := item(on, i)
		f := fmt.Sprintf("obligations[%d]", i)
		if o == nil {
			v.add(n, f, "empty obligation")
			continue
		}
		if o.ID != "" {
			f = fmt.Sprintf("obligations[%d] %s", i, o.ID)
		}
		if !kebabRE.MatchString(o.ID) || !strings.HasPrefix(o.ID, prefix) {
			v.add(child(n, "id"), f+": id", "%q must be UPPER-KEBAB and start with %q", o.ID, prefix)
		}
		if !versions[o.Version] {
			v.add(child(n, "version"), f+": version", "version %q is not a version of %s", o.Version, in.ID)
		}
		if o.Article == "" && !d.custom {
			v.add(n, f+": article", "missing")
		}
		v.text(n, "title", f+": title", o.Title, true)
		v.text(n, "summary", f+": summary", o.Summary, !d.custom)
		if len(o.Binds) == 0 {
			v.add(n, f+": binds", "at least one party is required")
		}
		for j, b := range o.Binds {
			v.enum(item(child(n, "binds"), j), fmt.Sprintf("%s: binds[%d]", f, j), b, BindsValues)
		}
		v.enum(child(n, "capability"), f+": capability", o.Capability, CapabilityValues)
		if o.Subject == "" {
			o.Subject = "org"
		}
		v.enum(child(n, "subject"), f+": subject", o.Subject, SubjectValues)
		v.enum(child(n, "cadence"), f+": cadence", o.Cadence, CadenceValues)
		if o.Source != "" || !d.custom {
			v.enum(child(n, "source"), f+": source", o.Source, SourceValues)
		}
		hasCheck := strings.TrimSpace(o.Check) != ""
		switch {
		case hasCheck && o.Attestation != nil && o.Facts == "":
			v.add(child(n, "attestation"), f+": attestation", "give either check or attestation, not both (both only with facts:, the fact set the check reads)")
		case o.Facts != "" && (!hasCheck || o.Attestation == nil):
			v.add(child(n, "facts"), f+": facts", "an obligation on a capability's fact set needs a check and the attestation that stands in where the set is absent")
		case !hasCheck && o.Attestation == nil:
			v.add(n, f+": check", "give a check expression or an attestation")
		}
		if a := o.Attestation; a != nil {
			an := child(n, "attestation")
			v.text(an, "evidence", f+": attestation.evidence", a.Evidence, true)
			if a.ValidityDays <= 0 {
				v.add(an, f+": attestation.validity_days", "must be a positive number of days")
			}
		}
		if o.Deadline != nil {
			v.text(n, "deadline", f+": deadline", *o.Deadline, true)
		}
		if o.AppliesTo != nil {
			v.text(n, "applies_to", f+": applies_to", *o.AppliesTo, true)
		}
		if o.Requires != nil {
			v.text(n, "requires", f+": requires", *o.Requires, true)
			if !hasCheck {
				v.add(child(n, "requires"), f+": requires", "describes a check; this obligation has none")
			}
		}
		citations(n, f, o.Equivalents)
		tn := child(n, "tests")
		names := map[string]bool{}
		met, failing := false, false
		for j, tc := range o.Tests {
			tf := fmt.Sprintf("%s: tests[%d]", f, j)
			if tc.Name == "" {
				v.add(item(tn, j), tf+".name", "missing")
			}
			if names[tc.Name] {
				v.add(item(tn, j), tf+".name", "duplicate test name %q", tc.Name)
			}
			names[tc.Name] = true
			v.enum(child(item(tn, j), "expect"), tf+".expect", tc.Expect, append(ExpectValues, string(rules.StatusNeedsAttestation)))
			met = met || tc.Expect == "met"
			failing = failing || tc.Expect == "gap" || tc.Expect == "overdue"
		}
		if hasCheck && (!met || !failing) {
			at := tn
			if at == nil {
				at = n
			}
			v.add(at, f+": tests", "a check needs at least one met case and one gap or overdue case")
		}
	}
}

// build validates the files together, compiles every rule and decodes every test case.
func build(docs []*fileDoc, opts []rules.Option) (*Catalog, error) {
	c := &Catalog{instruments: map[string]*Instrument{}, obligations: map[string]*Obligation{},
		penalties: map[string]*Penalty{}, ruleOpts: opts}
	var errs []error
	type where struct {
		file string
		line int
	}
	seen := map[string]where{}
	for _, d := range docs {
		v := &validator{d: d}
		v.validate()
		errs = append(errs, v.errs...)
		in := &d.Instrument
		if w, dup := seen["i:"+in.ID]; dup {
			errs = append(errs, &Error{File: d.file, Line: lineOf(child(d.root, "instrument")), Field: "instrument.id",
				Msg: fmt.Sprintf("instrument %s is also defined in %s", in.ID, w.file)})
			continue
		}
		seen["i:"+in.ID] = where{d.file, 0}
		c.instruments[in.ID] = in
		c.Instruments = append(c.Instruments, in)
		for i, p := range d.Penalties {
			if p == nil {
				continue
			}
			if w, dup := seen["p:"+p.ID]; dup {
				errs = append(errs, &Error{File: d.file, Line: lineOf(item(child(d.root, "penalties"), i)),
					Field: fmt.Sprintf("penalties[%d].id", i), Msg: fmt.Sprintf("penalty %s is also defined at %s:%d", p.ID, w.file, w.line)})
				continue
			}
			seen["p:"+p.ID] = where{d.file, lineOf(item(child(d.root, "penalties"), i))}
			c.penalties[p.ID] = p
			c.Penalties = append(c.Penalties, p)
		}
		for _, o := range d.Obligations {
			if o == nil {
				continue
			}
			if w, dup := seen["o:"+o.ID]; dup {
				errs = append(errs, &Error{File: d.file, Line: o.Line, Field: o.ID + ": id",
					Msg: fmt.Sprintf("obligation %s is also defined at %s:%d", o.ID, w.file, w.line)})
				continue
			}
			seen["o:"+o.ID] = where{d.file, o.Line}
			c.obligations[o.ID] = o
			c.Obligations = append(c.Obligations, o)
		}
	}
	if err := c.crossCheck(docs); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := c.compile(docs); err != nil {
		return nil, err
	}
	sort.Slice(c.Instruments, func(i, j int) bool { return c.Instruments[i].ID < c.Instruments[j].ID })
	sort.Slice(c.Obligations, func(i, j int) bool { return c.Obligations[i].ID < c.Obligations[j].ID })
	sort.Slice(c.Penalties, func(i, j int) bool { return c.Penalties[i].ID < c.Penalties[j].ID })
	return c, nil
}

// crossCheck verifies references between files: penalties and versions of other instruments.
// A reference to an instrument the catalog does not carry (yet) is allowed, because the
// catalog grows one instrument at a time; once that instrument is loaded, its versions are
// checked.
func (c *Catalog) crossCheck(docs []*fileDoc) error {
	var errs []error
	for _, d := range docs {
		on := child(d.root, "obligations")
		for i, o := range d.Obligations {
			if o == nil {
				continue
			}
			n := item(on, i)
			if o.Penalty != "" {
				p, ok := c.penalties[o.Penalty]
				switch {
				case !ok:
					errs = append(errs, &Error{File: d.file, Line: lineOf(child(n, "penalty")), Field: o.ID + ": penalty",
						Msg: fmt.Sprintf("no penalty %q in the catalog", o.Penalty)})
				case p.Draft:
					// A draft is not law: its penalties are reference, never a fine.
					errs = append(errs, &Error{File: d.file, Line: lineOf(child(n, "penalty")), Field: o.ID + ": penalty",
						Msg: fmt.Sprintf("penalty %s is in a draft that never came into force; link the final text's penalty or none", o.Penalty)})
				}
			}
			errs = append(errs, c.checkForeign(d.file, child(n, "equivalents"), o.ID+": equivalents", o.Equivalents)...)
		}
		pn := child(d.root, "penalties")
		for i, p := range d.Penalties {
			if p != nil {
				errs = append(errs, c.checkForeign(d.file, child(item(pn, i), "equivalents"), p.ID+": equivalents", p.Equivalents)...)
				errs = append(errs, c.checkSuccessor(d.file, item(pn, i), p)...)
			}
		}
	}
	return errors.Join(errs...)
}

// checkSuccessor verifies superseded_by: an existing penalty of the same instrument, in a
// version that comes into force later, without a cycle.
func (c *Catalog) checkSuccessor(file string, n *yaml.Node, p *Penalty) []error {
	if p.SupersededBy == "" {
		return nil
	}
	bad := func(msg string, a ...any) []error {
		return []error{&Error{File: file, Line: lineOf(child(n, "superseded_by")), Field: p.ID + ": superseded_by", Msg: fmt.Sprintf(msg, a...)}}
	}
	next, ok := c.penalties[p.SupersededBy]
	if !ok {
		return bad("no penalty %q in the catalog", p.SupersededBy)
	}
	if next.Instrument != p.Instrument {
		return bad("%s is not a penalty of %s", next.ID, p.Instrument)
	}
	a, _ := c.VersionOf(p.Instrument, p.Version)
	b, _ := c.VersionOf(next.Instrument, next.Version)
	if !laterThan(b, a) || b.Draft {
		return bad("%s is not in a later version in force", next.ID)
	}
	return nil
}

func (c *Catalog) checkForeign(file string, n *yaml.Node, field string, cs []Citation) []error {
	var errs []error
	for i, ct := range cs {
		inst, ver, ok := strings.Cut(ct.Version, ":")
		if !ok {
			continue
		}
		in, loaded := c.instruments[inst]
		if !loaded {
			continue
		}
		found := false
		for _, v := range in.Versions {
			found = found || v.ID == ver
		}
		if !found {
			errs = append(errs, &Error{File: file, Line: lineOf(item(n, i)), Field: fmt.Sprintf("%s[%d].version", field, i),
				Msg: fmt.Sprintf("%s has no version %q", inst, ver)})
		}
	}
	return errs
}

// Rules converts the obligations to the rules engine's input.
func (c *Catalog) Rules() []rules.Rule {
	out := make([]rules.Rule, 0, len(c.Obligations))
	for _, o := range c.Obligations {
		r := rules.Rule{ID: o.ID, Subject: rules.SubjectKind(o.Subject), Applies: o.Applies, Check: o.Check, Due: o.Due}
		if o.AppliesTo != nil {
			r.AppliesTo = *o.AppliesTo
		}
		if o.Requires != nil {
			r.Requires = *o.Requires
		}
		if o.Attestation != nil {
			r.Attestation = &rules.AttestationSpec{Evidence: o.Attestation.Evidence, ValidityDays: o.Attestation.ValidityDays}
		}
		if p, ok := c.penalties[o.Penalty]; ok {
			pr := &rules.PenaltyRange{ID: p.ID, Min: p.Fine.Min, Max: p.Fine.Max, MultipleOf: p.MultipleOf}
			if p.Persons != nil {
				pr.PersonsMin, pr.PersonsMax = p.Persons.Min, p.Persons.Max
			}
			r.Penalty = pr
		}
		out = append(out, r)
	}
	return out
}

// compile builds the engine and decodes every test case's facts, mapping each problem back to
// the file and line of the expression or test.
func (c *Catalog) compile(docs []*fileDoc) error {
	if err := c.resolveFactSets(); err != nil {
		return err
	}
	eng, err := rules.NewEngine(c.Rules(), c.ruleOpts...)
	var errs []error
	if err != nil {
		var joined interface{ Unwrap() []error }
		list := []error{err}
		if errors.As(err, &joined) {
			list = joined.Unwrap()
		}
		for _, e := range list {
			var ce *rules.CompileError
			if !errors.As(e, &ce) {
				errs = append(errs, fmt.Errorf("catalog: %w", e))
				continue
			}
			o, ok := c.obligations[ce.RuleID]
			if !ok {
				errs = append(errs, fmt.Errorf("catalog: %w", e))
				continue
			}
			line := o.Line
			if n := c.obligationNode(docs, o); n != nil {
				if fn := child(n, ce.Field); fn != nil {
					line = fn.Line
				}
			}
			errs = append(errs, &Error{File: o.File, Line: line, Field: o.ID + ": " + ce.Field, Msg: ce.Err.Error(),
				Kind: ErrExpression, Obligation: o.ID, Expr: ce.Field})
		}
		return errors.Join(errs...)
	}
	c.engine = eng
	for _, o := range c.Obligations {
		for i := range o.Tests {
			tc := &o.Tests[i]
			if tc.skipped {
				continue
			}
			cf, err := rules.DecodeCaseFacts(&tc.Facts, eng.FactSets())
			if err != nil {
				errs = append(errs, &Error{File: o.File, Line: tc.Line, Field: fmt.Sprintf("%s: tests[%d] %q: facts", o.ID, i, tc.Name), Msg: err.Error()})
				continue
			}
			if tc.Now != "" {
				t, err := rules.ParseFactTime(tc.Now)
				if err != nil {
					errs = append(errs, &Error{File: o.File, Line: tc.Line, Field: fmt.Sprintf("%s: tests[%d] %q: now", o.ID, i, tc.Name), Msg: err.Error()})
					continue
				}
				cf.Now = t
			}
			if o.Subject == "system" && cf.System == nil {
				cf.System = &rules.System{} // a system obligation's case without a system tests the zero system
			}
			tc.decoded = cf
		}
	}
	return errors.Join(errs...)
}

func (c *Catalog) obligationNode(docs []*fileDoc, o *Obligation) *yaml.Node {
	for _, d := range docs {
		if d.file != o.File {
			continue
		}
		for i, x := range d.Obligations {
			if x == o {
				return item(child(d.root, "obligations"), i)
			}
		}
	}
	return nil
}
