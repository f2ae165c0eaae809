package rules

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"ciiguard/internal/calendar"
)

// SubjectKind says what a finding is about.
type SubjectKind string

// Subject kinds, as written in the catalog's `subject` field.
const (
	SubjectOrg    SubjectKind = "org"
	SubjectSystem SubjectKind = "system"
)

// Status is the outcome of one obligation for one subject.
type Status string

// Finding states (docs/catalog-schema.md, "Finding states").
const (
	StatusMet              Status = "met"
	StatusGap              Status = "gap"
	StatusOverdue          Status = "overdue"
	StatusNotApplicable    Status = "not_applicable"
	StatusNeedsAttestation Status = "needs_attestation"
	// StatusError is an obligation whose expression failed at run time for this subject (the
	// cost limit, a division by zero): nobody knows whether the duty is met, and the rule's
	// author must fix it. Other findings are unaffected.
	StatusError Status = "error"
)

// urgency ranks the statuses, most urgent first. An error ranks with the open work, after
// gaps: the rule needs fixing, but nothing says the duty is breached.
var urgency = map[Status]int{StatusOverdue: 0, StatusGap: 1, StatusError: 2, StatusNeedsAttestation: 3, StatusMet: 4, StatusNotApplicable: 5}

// Urgency ranks a status for sorting and roll-ups: 0 for overdue, the most urgent, up to 5
// for not applicable; an unknown status ranks after all of them.
func (s Status) Urgency() int {
	if u, ok := urgency[s]; ok {
		return u
	}
	return len(urgency)
}

// Text is a bilingual string.
type Text struct {
	Zh string `json:"zh" yaml:"zh"`
	En string `json:"en" yaml:"en"`
}

// PenaltyRange is the fine at stake when a duty is not met, in RMB (or, when MultipleOf is set,
// multipliers of that amount).
type PenaltyRange struct {
	ID         string `json:"id"`
	Min        int64  `json:"min"`
	Max        int64  `json:"max"`
	PersonsMin int64  `json:"persons_min,omitempty"` // for directly responsible persons
	PersonsMax int64  `json:"persons_max,omitempty"`
	MultipleOf string `json:"multiple_of,omitempty"` // e.g. purchase_amount
}

// AttestationSpec describes an attestation duty: what evidence a person must provide and how
// long an attestation stays valid.
type AttestationSpec struct {
	Evidence     Text
	ValidityDays int
}

// Rule is one obligation as the engine sees it: the catalog (or an organisation's own policy)
// supplies it, the engine compiles it. Exactly one of Check and Attestation is set.
type Rule struct {
	ID          string
	Subject     SubjectKind
	Applies     string // CEL bool; "" means always
	Check       string // CEL bool
	Due         string // CEL timestamp; "" means no deadline
	Attestation *AttestationSpec
	Penalty     *PenaltyRange
	// AppliesTo names, in plain words, whom or what the duty binds ("CII operators",
	// "systems graded at level 3 or above"); the not-applicable reason shows it instead of
	// the Applies expression.
	AppliesTo Text
	// Requires says, in plain words, what Check asks for ("network logs kept for at least
	// 180 days"); met, gap and overdue reasons show it instead of the expression.
	Requires Text
}

// CompileError is a rule refused at load: which obligation, which field, and why.
type CompileError struct {
	RuleID string
	Field  string // applies, check, due, subject, attestation
	Err    error
}

// Error names the obligation and the field, which is what a catalog author needs to fix it.
func (e *CompileError) Error() string {
	return fmt.Sprintf("rules: obligation %s: %s: %v", e.RuleID, e.Field, e.Err)
}

// Unwrap exposes the CEL error.
func (e *CompileError) Unwrap() error { return e.Err }

// Finding is the outcome of one obligation for one subject.
type Finding struct {
	ObligationID string        `json:"obligation_id"`
	SubjectKind  SubjectKind   `json:"subject_kind"`
	SubjectID    string        `json:"subject_id"` // Facts.OrgID for the org, the system id in decimal for a system
	Status       Status        `json:"status"`
	Reason       Text          `json:"reason"`
	Due          *time.Time    `json:"due,omitempty"`
	Penalty      *PenaltyRange `json:"penalty,omitempty"`
	Evidence     []string      `json:"evidence,omitempty"` // SHA-256 of attestation evidence
	// Provisional marks a deadline counted in working days through a year without an
	// official holiday schedule (weekends only until one is loaded).
	Provisional bool   `json:"provisional,omitempty"`
	AttestedBy  string `json:"attested_by,omitempty"`
}

// Defaults for the evaluation limits. A catalog expression costs tens of units; the limit is
// generous for real rules and stops runaway comprehensions early.
const (
	DefaultCostLimit = 100_000
	DefaultTimeout   = 10 * time.Second
)

// TimeoutFindings is how many findings one timeout covers: a call that evaluates more gets
// the timeout once for every TimeoutFindings started (Engine.Limit), so the limit grows with
// the organisation. A fixed limit for the whole call failed large organisations under load:
// 360,000 findings take 0.5 s on a quiet core but 9–33 s were measured at load average
// 15–30 on the shared machine (docs/performance.md), past the 10 s default, and a failed
// evaluation is retried as a whole one, so such an organisation never got current findings.
// 10 s per 20,000 findings is 500 µs a finding, over 300 times the quiet cost; runaway
// expressions are stopped by the per-expression cost limit, not by this.
const TimeoutFindings = 20_000

// Option configures NewEngine.
type Option func(*config)

type config struct {
	cal       *calendar.Calendar
	costLimit uint64
	timeout   time.Duration
	facts     []FactSet
}

// WithCalendar sets the calendar behind addWorkingDays (default calendar.Official()).
func WithCalendar(c *calendar.Calendar) Option { return func(o *config) { o.cal = c } }

// WithCostLimit sets the CEL cost limit per expression evaluation.
func WithCostLimit(n uint64) Option { return func(o *config) { o.costLimit = n } }

// WithTimeout bounds one whole evaluation call (EvaluateAll, EvaluateSystem …) of up to
// TimeoutFindings findings; larger calls get d for every TimeoutFindings started.
func WithTimeout(d time.Duration) Option { return func(o *config) { o.timeout = d } }

// WithFacts adds fact sets for this engine only, on top of the registered ones.
func WithFacts(sets ...FactSet) Option {
	return func(o *config) { o.facts = append(o.facts, sets...) }
}

// Engine holds compiled rules. It is immutable after NewEngine and safe for concurrent use.
type Engine struct {
	cfg      config
	orgEnv   *cel.Env
	sysEnv   *cel.Env
	rules    []*compiled // sorted by ID
	byID     map[string]*compiled
	orgRules []*compiled
	sysRules []*compiled
	factSets []FactSet
	fieldIdx map[reflect.Type]map[string]int  // CEL field name -> struct field index
	labels   map[reflect.Type]map[string]Text // CEL field name -> label for reasons
}

// factRef is one fact an expression reads, such as org.is_cii_operator or logs.retention_days.
type factRef struct{ variable, field string }

type compiled struct {
	Rule
	applies, check, due cel.Program
	appliesReads        []factRef       // facts read by applies, shown when the duty does not apply
	checkReads          []factRef       // facts read by check and due, shown when it does
	orgFields           map[string]bool // org fields read (for incremental re-evaluation)
	setsRead            map[string]bool // registered fact sets read (likewise)
	dueInstant          bool            // the deadline counts hours: an instant, not a Beijing date
	dueWorking          bool            // the deadline counts working days (may be provisional)
	txt                 reasonText      // the constant parts of this rule's reasons
}

// reasonText holds the parts of a rule's reasons that do not depend on the facts, built once
// at compile time because a full evaluation writes hundreds of thousands of reasons.
type reasonText struct {
	naZh, naEn       string // does not apply
	metZh, metEn     string // met
	falseZh, falseEn string // "<check> is false", used by gap and overdue
}

// NewEngine compiles and type-checks every rule. All problems are reported together, each as
// a *CompileError, joined with errors.Join.
func NewEngine(rs []Rule, opts ...Option) (*Engine, error) {
	cfg := config{cal: calendar.Official(), costLimit: DefaultCostLimit, timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	sets := append(RegisteredFacts(), cfg.facts...)
	if err := checkFactSets(sets); err != nil {
		return nil, err
	}
	orgEnv, sysEnv, err := newEnvs(cfg.cal, sets)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, orgEnv: orgEnv, sysEnv: sysEnv, byID: map[string]*compiled{},
		factSets: sets, fieldIdx: map[reflect.Type]map[string]int{}, labels: map[reflect.Type]map[string]Text{}}
	for _, t := range append([]reflect.Type{orgType, systemType}, typesOf(sets)...) {
		e.fieldIdx[t] = celFieldIndex(t)
		e.labels[t] = fieldLabels(t)
	}
	var errs []error
	for _, r := range rs {
		c, err := e.compile(r)
		if err != nil {
			errs = append(errs, err...)
			continue
		}
		if _, dup := e.byID[r.ID]; dup {
			errs = append(errs, &CompileError{RuleID: r.ID, Field: "id", Err: errors.New("duplicate obligation id")})
			continue
		}
		e.byID[r.ID] = c
		e.rules = append(e.rules, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	for _, c := range e.rules {
		if c.Subject == SubjectSystem {
			e.sysRules = append(e.sysRules, c)
		} else {
			e.orgRules = append(e.orgRules, c)
		}
	}
	return e, nil
}

func typesOf(sets []FactSet) []reflect.Type {
	out := make([]reflect.Type, len(sets))
	for i, s := range sets {
		out[i] = s.Type
	}
	return out
}

// fieldLabels reads each field's `label:"中文|English"` tag, keyed by CEL name, so that
// reasons name facts the way a compliance officer would rather than by their CEL path.
func fieldLabels(t reflect.Type) map[string]Text {
	m := map[string]Text{}
	for name, i := range celFieldIndex(t) {
		if zh, en, ok := strings.Cut(t.Field(i).Tag.Get("label"), "|"); ok {
			m[name] = Text{Zh: zh, En: en}
		}
	}
	return m
}

// celFieldIndex maps each exported field's CEL name (its `cel` tag, else its Go name) to its
// index, for reading fact values into reasons.
func celFieldIndex(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("cel"); ok {
			name = strings.Split(tag, ",")[0]
		}
		if name != "-" {
			m[name] = i
		}
	}
	return m
}

func (e *Engine) compile(r Rule) (*compiled, []error) {
	fail := func(field string, err error) []error {
		return []error{&CompileError{RuleID: r.ID, Field: field, Err: err}}
	}
	if r.ID == "" {
		return nil, fail("id", errors.New("empty id"))
	}
	env := e.orgEnv
	switch r.Subject {
	case SubjectOrg, "":
		r.Subject = SubjectOrg
	case SubjectSystem:
		env = e.sysEnv
	default:
		return nil, fail("subject", fmt.Errorf("unknown subject %q (want org or system)", r.Subject))
	}
	if (r.Check == "") == (r.Attestation == nil) {
		return nil, fail("check", errors.New("exactly one of check and attestation must be given"))
	}
	c := &compiled{Rule: r, orgFields: map[string]bool{}, setsRead: map[string]bool{}}
	var errs []error
	var shown *[]factRef // the reason's list this expression's reads go to
	seen := map[factRef]bool{}
	build := func(field, expr string, want *cel.Type) cel.Program {
		if strings.TrimSpace(expr) == "" {
			return nil
		}
		prg, checked, err := e.programAST(env, expr, want)
		if err != nil {
			errs = append(errs, &CompileError{RuleID: r.ID, Field: field, Err: err})
			return nil
		}
		if field == "due" {
			c.dueInstant = callsHours(checked)
			c.dueWorking = callsFunction(checked, "addWorkingDays")
		}
		for _, fr := range factReads(checked) {
			if !seen[fr] {
				seen[fr] = true
				*shown = append(*shown, fr)
			}
			switch fr.variable {
			case "org":
				c.orgFields[fr.field] = true
			case "system", "now":
			default:
				c.setsRead[fr.variable] = true
			}
		}
		return prg
	}
	c.txt = reasonText{
		naZh: "不适用：适用条件 " + r.Applies + " 不成立", naEn: "Does not apply: " + r.Applies + " is false",
		metZh: "已满足：" + r.Check, metEn: "Met: " + r.Check + " holds",
		falseZh: r.Check + " 不成立", falseEn: r.Check + " is false",
	}
	if r.AppliesTo.Zh != "" && r.AppliesTo.En != "" {
		c.txt.naZh, c.txt.naEn = "不适用：本义务约束"+r.AppliesTo.Zh, "Does not apply: this duty binds "+r.AppliesTo.En
	}
	if r.Requires.Zh != "" && r.Requires.En != "" {
		c.txt.metZh, c.txt.metEn = "已满足："+r.Requires.Zh, "Met: "+r.Requires.En
		c.txt.falseZh, c.txt.falseEn = "要求"+r.Requires.Zh, "required: "+r.Requires.En
	}
	shown = &c.appliesReads
	c.applies = build("applies", r.Applies, cel.BoolType)
	shown, seen = &c.checkReads, map[factRef]bool{}
	c.check = build("check", r.Check, cel.BoolType)
	c.due = build("due", r.Due, cel.TimestampType)
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

func (e *Engine) programAST(env *cel.Env, expr string, want *cel.Type) (cel.Program, *cel.Ast, error) {
	checked, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, nil, fmt.Errorf("%q: %w", expr, iss.Err())
	}
	if !checked.OutputType().IsExactType(want) {
		return nil, nil, fmt.Errorf("%q returns %s, want %s", expr, typeName(checked.OutputType()), typeName(want))
	}
	prg, err := env.Program(checked,
		cel.CostLimit(e.cfg.costLimit),
		cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, nil, fmt.Errorf("%q: %w", expr, err)
	}
	return prg, checked, nil
}

func typeName(t *cel.Type) string {
	if t.IsExactType(cel.TimestampType) {
		return "timestamp"
	}
	return t.String()
}

// factReads lists the `variable.field` selections in a checked expression, in source order,
// so that a reason can name the values the decision rested on.
func factReads(a *cel.Ast) []factRef {
	var out []factRef
	nav := ast.NavigateAST(a.NativeRep())
	visit := ast.NewExprVisitor(func(x ast.Expr) {
		if x.Kind() != ast.SelectKind {
			return
		}
		sel := x.AsSelect()
		if sel.Operand().Kind() == ast.IdentKind {
			out = append(out, factRef{variable: sel.Operand().AsIdent(), field: sel.FieldName()})
		}
	})
	ast.PreOrderVisit(nav, visit)
	return out
}

// Rule returns the compiled rule for an obligation id.
func (e *Engine) Rule(id string) (Rule, bool) {
	c, ok := e.byID[id]
	if !ok {
		return Rule{}, false
	}
	return c.Rule, true
}

// activation resolves the CEL variables of one evaluation without building a map per call.
type activation struct {
	org, system, now ref.Val
	extra            map[string]ref.Val
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "org":
		return a.org, true
	case "system":
		if a.system == nil {
			return nil, false
		}
		return a.system, true
	case "now":
		return a.now, true
	}
	v, ok := a.extra[name]
	return v, ok
}

// Parent implements interpreter.Activation; there is no parent scope.
func (a *activation) Parent() interpreter.Activation { return nil }

// orgScope holds the per-evaluation values shared by every subject.
type orgScope struct {
	facts *Facts
	now   time.Time
	act   activation // org, now and extras bound; system set per subject
	atts  map[attKey][]*Attestation
	orgV  reflect.Value
	extra map[string]reflect.Value
	// perSystem are the per-system fact sets, bound for each system by bindSystem.
	perSystem []FactSet
}

type attKey struct {
	id      string
	kind    SubjectKind
	subject string
}

func (e *Engine) newScope(f *Facts) *orgScope {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	adapter := e.orgEnv.CELTypeAdapter()
	s := &orgScope{facts: f, now: now, atts: map[attKey][]*Attestation{}, extra: map[string]reflect.Value{}}
	s.act.org = adapter.NativeToValue(&f.Org)
	s.act.now = types.Timestamp{Time: now.UTC()}
	s.orgV = reflect.ValueOf(f.Org)
	s.act.extra = map[string]ref.Val{}
	for _, fs := range e.factSets {
		if fs.PerSystem {
			s.perSystem = append(s.perSystem, fs)
			continue
		}
		v, ok := f.Extra[fs.Name]
		s.bindSet(adapter, fs, v, ok)
	}
	for i := range f.Attestations {
		a := &f.Attestations[i]
		k := attKey{a.ObligationID, a.SubjectKind, a.SubjectID}
		if a.SubjectKind == SubjectOrg || a.SubjectKind == "" {
			k = attKey{a.ObligationID, SubjectOrg, ""}
		}
		s.atts[k] = append(s.atts[k], a)
	}
	return s
}

// bindSet makes v (a struct or a pointer to one; the zero value when !ok or nil) the
// value of the set's CEL variable and of its reasons.
func (s *orgScope) bindSet(adapter types.Adapter, fs FactSet, v any, ok bool) {
	rv := reflect.ValueOf(v)
	if !ok || v == nil {
		rv = reflect.New(fs.Type) // zero value when the capability gave nothing
	}
	if rv.Kind() != reflect.Pointer {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p
	}
	s.act.extra[fs.Name] = adapter.NativeToValue(rv.Interface())
	s.extra[fs.Name] = rv.Elem()
}

// bindSystem binds the system variable and the system's values of the per-system sets.
func (e *Engine) bindSystem(s *orgScope, sys *System) {
	adapter := e.orgEnv.CELTypeAdapter()
	s.act.system = adapter.NativeToValue(sys)
	for _, fs := range s.perSystem {
		v, ok := s.facts.SystemExtra[fs.Name][sys.ID]
		s.bindSet(adapter, fs, v, ok)
	}
}

// Limit is the time one evaluation call of n findings may take: the configured timeout for
// every TimeoutFindings findings started, at least once; 0 when there is no timeout.
func (e *Engine) Limit(n int) time.Duration {
	if e.cfg.timeout <= 0 {
		return 0
	}
	units := max(1, (n+TimeoutFindings-1)/TimeoutFindings)
	return e.cfg.timeout * time.Duration(units)
}

// withTimeout bounds a call that evaluates n findings (Limit).
func (e *Engine) withTimeout(ctx context.Context, n int) (context.Context, context.CancelFunc) {
	if d := e.Limit(n); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// EvaluateAll evaluates every obligation for the organisation and each of its systems. The
// findings come in a fixed order: organisation findings by obligation id, then each system by
// ascending id, its findings by obligation id. An expression that fails at run time (cost
// limit, timeout, arithmetic error) yields a gap finding whose reason says so, and the error
// is also returned, joined with the others; findings for everything else are still complete.
func (e *Engine) EvaluateAll(ctx context.Context, f Facts) ([]Finding, error) {
	n := len(e.orgRules) + len(f.Systems)*len(e.sysRules)
	ctx, cancel := e.withTimeout(ctx, n)
	defer cancel()
	s := e.newScope(&f)
	out := make([]Finding, 0, n)
	var errs []error
	out, errs = e.evalOrg(ctx, s, out, errs)
	for _, i := range systemOrder(f.Systems) {
		out, errs = e.evalSystem(ctx, s, &f.Systems[i], e.sysRules, out, errs)
	}
	return out, errors.Join(errs...)
}

// EvaluateOrg evaluates only the organisation-level obligations.
func (e *Engine) EvaluateOrg(ctx context.Context, f Facts) ([]Finding, error) {
	ctx, cancel := e.withTimeout(ctx, len(e.orgRules))
	defer cancel()
	out, errs := e.evalOrg(ctx, e.newScope(&f), nil, nil)
	return out, errors.Join(errs...)
}

// EvaluateSystem evaluates the system-level obligations for one system, reading the
// organisation, clock and attestations from f (f.Systems is ignored). It is the incremental
// path: after one system changes, only its findings need recomputing.
func (e *Engine) EvaluateSystem(ctx context.Context, f Facts, sys System) ([]Finding, error) {
	ctx, cancel := e.withTimeout(ctx, len(e.sysRules))
	defer cancel()
	out, errs := e.evalSystem(ctx, e.newScope(&f), &sys, e.sysRules, nil, nil)
	return out, errors.Join(errs...)
}

// EvaluateRule evaluates one obligation for the organisation (sys == nil) or one system. The
// catalog's test harness uses it to run each test case.
func (e *Engine) EvaluateRule(ctx context.Context, id string, f Facts, sys *System) (Finding, error) {
	c, ok := e.byID[id]
	if !ok {
		return Finding{}, fmt.Errorf("rules: no obligation %q", id)
	}
	if c.Subject == SubjectSystem && sys == nil {
		return Finding{}, fmt.Errorf("rules: obligation %s is evaluated per system; give a system", id)
	}
	ctx, cancel := e.withTimeout(ctx, 1)
	defer cancel()
	s := e.newScope(&f)
	if c.Subject == SubjectOrg {
		s.act.system = nil
		return e.evalOne(ctx, s, c, SubjectOrg, "", reflect.Value{})
	}
	e.bindSystem(s, sys)
	return e.evalOne(ctx, s, c, SubjectSystem, strconv.FormatInt(sys.ID, 10), reflect.ValueOf(*sys))
}

func (e *Engine) evalOrg(ctx context.Context, s *orgScope, out []Finding, errs []error) ([]Finding, []error) {
	s.act.system = nil
	for _, c := range e.orgRules {
		fd, err := e.evalOne(ctx, s, c, SubjectOrg, "", reflect.Value{})
		out = append(out, fd)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errs
}

func (e *Engine) evalSystem(ctx context.Context, s *orgScope, sys *System, rs []*compiled, out []Finding, errs []error) ([]Finding, []error) {
	e.bindSystem(s, sys)
	id := strconv.FormatInt(sys.ID, 10)
	sv := reflect.ValueOf(*sys)
	for _, c := range rs {
		fd, err := e.evalOne(ctx, s, c, SubjectSystem, id, sv)
		out = append(out, fd)
		if err != nil {
			errs = append(errs, err)
		}
	}
	s.act.system = nil
	return out, errs
}

// evalBool runs one boolean expression. It uses Eval rather than ContextEval: the cost limit
// bounds every single expression, and evalOne checks the context between expressions, which
// saves the per-call context CEL would otherwise allocate (a tenth of a full evaluation).
func evalBool(p cel.Program, act *activation) (bool, error) {
	v, _, err := p.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("returned %v, not a bool", v)
	}
	return b, nil
}

func (e *Engine) evalOne(ctx context.Context, s *orgScope, c *compiled, kind SubjectKind, subjectID string, sysV reflect.Value) (Finding, error) {
	fd := Finding{ObligationID: c.ID, SubjectKind: kind, SubjectID: subjectID, Penalty: c.Penalty}
	if kind == SubjectOrg {
		fd.SubjectID = s.facts.OrgID
	}
	fail := func(field string, err error) (Finding, error) {
		ee := &EvalError{RuleID: c.ID, Subject: kind, SubjectID: fd.SubjectID, Field: field, Err: err, CostLimit: e.cfg.costLimit}
		fd.Status = StatusError
		fd.Reason = ee.Reason()
		return fd, ee
	}
	var valuesCache *Text
	values := func() Text { // built at most once per finding, only when a reason needs it
		if valuesCache == nil {
			v := e.describeReads(c.checkReads, s, sysV)
			valuesCache = &v
		}
		return *valuesCache
	}
	if err := ctx.Err(); err != nil {
		return fail("applies", err)
	}
	if c.applies != nil {
		ok, err := evalBool(c.applies, &s.act)
		if err != nil {
			return fail("applies", err)
		}
		if !ok {
			fd.Status = StatusNotApplicable
			v := e.describeReads(c.appliesReads, s, sysV)
			fd.Reason = Text{Zh: c.txt.naZh + v.Zh, En: c.txt.naEn + v.En}
			return fd, nil
		}
	}
	var due time.Time
	dueUnset := false
	if c.due != nil {
		v, _, err := c.due.Eval(&s.act)
		if err != nil {
			return fail("due", err)
		}
		t, ok := v.Value().(time.Time)
		if !ok {
			return fail("due", fmt.Errorf("returned %v, not a timestamp", v))
		}
		if isUnset(t) {
			// Counted from a date nobody recorded: the duty was never done, so its deadline is
			// long past (the same reading as daysSince, which is huge for an unset date).
			dueUnset = true
		} else {
			due = t
			fd.Due = &due
		}
	}
	overdue := dueUnset || (!due.IsZero() && pastDue(s.now, due, c.dueInstant))
	if c.Attestation != nil {
		e.attest(s, c, &fd, kind, subjectID, overdue)
		e.markProvisional(c, &fd)
		return fd, nil
	}
	ok, err := evalBool(c.check, &s.act)
	if err != nil {
		return fail("check", err)
	}
	switch {
	case ok:
		fd.Status = StatusMet
		fd.Reason = Text{
			Zh: c.txt.metZh + values().Zh,
			En: c.txt.metEn + values().En,
		}
	case overdue && dueUnset:
		fd.Status = StatusOverdue
		fd.Reason = Text{
			Zh: "已逾期（期限所依据的日期从未记录）：" + c.txt.falseZh + values().Zh,
			En: "Overdue (the date the deadline counts from was never recorded): " + c.txt.falseEn + values().En,
		}
	case overdue:
		fd.Status = StatusOverdue
		fd.Reason = Text{
			Zh: "已逾期（期限 " + dateOf(due) + "）：" + c.txt.falseZh + values().Zh,
			En: "Overdue since " + dateOf(due) + ": " + c.txt.falseEn + values().En,
		}
	default:
		fd.Status = StatusGap
		dz, de := "", ""
		if !due.IsZero() {
			d := dateOf(due)
			dz, de = "，期限 "+d, "; due "+d
			if dueToday(s.now, due, c.dueInstant) {
				dz, de = dz+"（今天到期）", de+" (today)"
			}
		}
		fd.Reason = Text{
			Zh: "未满足：" + c.txt.falseZh + values().Zh + dz,
			En: "Not met: " + c.txt.falseEn + values().En + de,
		}
	}
	e.markProvisional(c, &fd)
	return fd, nil
}

// attest decides an attestation duty from the attestations on file: a valid one meets it, an
// expired one leaves a gap naming the expiry date, none at all needs an attestation. A due date
// that has passed turns the last two into overdue.
func (e *Engine) attest(s *orgScope, c *compiled, fd *Finding, kind SubjectKind, subjectID string, overdue bool) {
	key := attKey{c.ID, kind, subjectID}
	if kind == SubjectOrg {
		key.subject = ""
	}
	var best, expired *Attestation
	var bestUntil, expiredUntil time.Time
	for _, a := range s.atts[key] {
		until := a.ValidUntil
		if until.IsZero() {
			until = a.ValidFrom.AddDate(0, 0, c.Attestation.ValidityDays)
		}
		switch {
		case s.now.Before(a.ValidFrom):
			// not yet in force; ignore
		case !s.now.After(until):
			if best == nil || until.After(bestUntil) {
				best, bestUntil = a, until
			}
		default:
			if expired == nil || until.After(expiredUntil) {
				expired, expiredUntil = a, until
			}
		}
	}
	switch {
	case best != nil:
		fd.Status = StatusMet
		fd.Evidence = append([]string(nil), best.EvidenceSHA256s...)
		sort.Strings(fd.Evidence)
		fd.AttestedBy = best.By
		fd.Reason = Text{
			Zh: fmt.Sprintf("已由 %s 声明，有效期至 %s", best.By, dateOf(bestUntil)),
			En: fmt.Sprintf("Attested by %s, valid until %s", best.By, dateOf(bestUntil)),
		}
		return
	case expired != nil:
		fd.Status = StatusGap
		fd.Evidence = append([]string(nil), expired.EvidenceSHA256s...)
		sort.Strings(fd.Evidence)
		fd.AttestedBy = expired.By
		fd.Reason = Text{
			Zh: fmt.Sprintf("声明已于 %s 过期，需重新提供：%s", dateOf(expiredUntil), c.Attestation.Evidence.Zh),
			En: fmt.Sprintf("attestation expired on %s; attest again with: %s", dateOf(expiredUntil), c.Attestation.Evidence.En),
		}
	default:
		fd.Status = StatusNeedsAttestation
		fd.Reason = Text{
			Zh: "需要声明并提供证据：" + c.Attestation.Evidence.Zh,
			En: "Needs an attestation with evidence: " + c.Attestation.Evidence.En,
		}
	}
	if overdue {
		fd.Status = StatusOverdue
		when := "(never started)"
		if fd.Due != nil {
			when = dateOf(*fd.Due)
		}
		fd.Reason.Zh += fmt.Sprintf("；期限 %s 已过", when)
		fd.Reason.En += fmt.Sprintf("; the deadline %s has passed", when)
	}
}

func dateOf(t time.Time) string { return t.In(calendar.Shanghai).Format(time.DateOnly) }

// describeReads renders the facts an expression read, in both languages, e.g.
// "（日志留存天数 = 90）" and " (log retention in days = 90)"; a fact without a label is
// named by its CEL path. It reads the Go values directly (not through CEL), so it costs
// nothing unless a reason is built.
func (e *Engine) describeReads(reads []factRef, s *orgScope, sysV reflect.Value) Text {
	var zh, en strings.Builder
	for _, r := range reads {
		var v reflect.Value
		switch r.variable {
		case "org":
			v = s.orgV
		case "system":
			v = sysV
		default:
			v = s.extra[r.variable]
		}
		if !v.IsValid() {
			continue
		}
		idx, ok := e.fieldIdx[v.Type()][r.field]
		if !ok {
			continue
		}
		label, ok := e.labels[v.Type()][r.field]
		if !ok {
			label = Text{Zh: r.variable + "." + r.field, En: r.variable + "." + r.field}
		}
		if zh.Len() == 0 {
			zh.WriteString("（")
			en.WriteString(" (")
		} else {
			zh.WriteString("，")
			en.WriteString(", ")
		}
		val, ok := enumLabels[r.field][v.Field(idx).String()]
		if !ok {
			val, ok = sectorValue(r.field, v.Field(idx))
		}
		if !ok {
			val = formatValue(v.Field(idx))
		}
		zh.WriteString(label.Zh + " = " + val.Zh)
		en.WriteString(label.En + " = " + val.En)
	}
	if zh.Len() == 0 {
		return Text{}
	}
	zh.WriteString("）")
	en.WriteByte(')')
	return Text{Zh: zh.String(), En: en.String()}
}

// enumLabels names the values of the fact model's enumerations, by CEL field name.
var enumLabels = map[string]map[string]Text{
	"kind": {
		"operator":  {Zh: "运营者", En: "operator"},
		"regulator": {Zh: "监管部门", En: "regulator"},
		"supplier":  {Zh: "供应商", En: "supplier"},
	},
	"cii_status": {
		"none":         {Zh: "非关基", En: "none"},
		"candidate":    {Zh: "关基候选", En: "candidate"},
		"identified":   {Zh: "已认定关基", En: "identified"},
		"deidentified": {Zh: "已撤销认定", En: "de-identified"},
	},
}

// formatValue renders a fact value for a reason: yes/no for flags, "not recorded" for an
// unset date, dates in China Standard Time.
func formatValue(v reflect.Value) Text {
	same := func(s string) Text { return Text{Zh: s, En: s} }
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return Text{Zh: "是", En: "yes"}
		}
		return Text{Zh: "否", En: "no"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return same(groupDigits(v.Int()))
	case reflect.String:
		if v.String() == "" {
			return Text{Zh: "空", En: "empty"}
		}
		return Text{Zh: "“" + v.String() + "”", En: strconv.Quote(v.String())}
	case reflect.Slice:
		zh, en := make([]string, v.Len()), make([]string, v.Len())
		for i := range zh {
			t := formatValue(v.Index(i))
			zh[i], en[i] = t.Zh, t.En
		}
		if len(zh) == 0 {
			return Text{Zh: "无", En: "none"}
		}
		return Text{Zh: strings.Join(zh, "、"), En: "[" + strings.Join(en, ", ") + "]"}
	}
	if t, ok := v.Interface().(time.Time); ok {
		if isUnset(t) {
			return Text{Zh: "未记录", En: "not recorded"}
		}
		return same(dateOf(t))
	}
	return same(fmt.Sprint(v.Interface()))
}

// groupDigits writes a count from 10,000 up with a comma between groups of three digits
// (8,600,000), so that a reader sees its size at a glance; smaller figures, such as a
// year or 184 days, are written plainly.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n > -10_000 && n < 10_000 {
		return s
	}
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// systemOrder returns the indexes of systems in ascending id, so that findings come out in
// the same order whatever order the facts were read in.
func systemOrder(systems []System) []int {
	order := make([]int, len(systems))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return systems[order[i]].ID < systems[order[j]].ID })
	return order
}
