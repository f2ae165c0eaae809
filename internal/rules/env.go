// Package rules turns the catalog's CEL expressions and an organisation's facts into
// findings: for every obligation and every subject it applies to, is the duty met, is there a
// gap, is it overdue, or does it need a person's attestation — with the reason in Chinese and
// English, the due date and the fine range at stake.
//
// The fact model (Org, System, now and the helper functions) is fixed by
// docs/catalog-schema.md and described with worked examples in docs/rules.md. Expressions are
// compiled and type-checked once, when the Engine is built, so a typo in a field name or an
// expression of the wrong type is refused at load with the obligation id and the field,
// never discovered in production. Evaluation is bounded by a CEL cost limit and a timeout so
// that a pathological expression cannot hang the server.
//
// Capabilities that add facts (people, incidents, suppliers …) register them with
// RegisterFacts (or the WithFacts option); their values travel in Facts.Extra.
package rules

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/parser"

	"ciiguard/internal/calendar"
)

// FactSet is an additional group of facts a capability contributes to the rule language: a CEL
// variable (Name) whose type is a Go struct (Type), exposed through its `cel` struct tags just
// like Org and System. For example the people capability could register
//
//	rules.RegisterFacts(rules.FactSet{Name: "people", Type: reflect.TypeOf(people.Facts{})})
//
// after which catalog expressions may read `people.trained_staff_ratio`, the evaluation reads
// the value from Facts.Extra["people"], and catalog test cases may give `facts: {people: {…}}`.
type FactSet struct {
	Name string       // CEL variable name; must not clash with org, system or now
	Type reflect.Type // a struct type (not a pointer)
	Doc  string       // one line for docs and the UI
	// PerSystem makes the set a value per system rather than per organisation: only
	// `subject: system` rules may read it (an organisation rule that does is refused at
	// load), and each system's evaluation reads that system's value from Facts.SystemExtra.
	// Duties such as "every CII system has a plan drilled this year" need it.
	PerSystem bool
}

var (
	registryMu sync.Mutex
	registry   []FactSet
)

// RegisterFacts adds fact sets to every Engine built afterwards. Call it from the init function
// or constructor of the capability that owns the facts. It refuses reserved or duplicate names.
func RegisterFacts(sets ...FactSet) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	all := append(append([]FactSet(nil), registry...), sets...)
	if err := checkFactSets(all); err != nil {
		return err
	}
	registry = all
	return nil
}

// RegisteredFacts returns the fact sets added with RegisterFacts, sorted by name.
func RegisteredFacts() []FactSet {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := append([]FactSet(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func checkFactSets(sets []FactSet) error {
	seen := map[string]bool{"org": true, "system": true, "now": true}
	for _, s := range sets {
		if s.Name == "" || s.Type == nil || s.Type.Kind() != reflect.Struct {
			return fmt.Errorf("rules: fact set %q: needs a name and a struct type", s.Name)
		}
		if seen[s.Name] {
			return fmt.Errorf("rules: fact set %q: name already taken", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

var (
	orgType    = reflect.TypeOf(Org{})
	systemType = reflect.TypeOf(System{})
)

// celTypeName is how NativeTypes names a Go struct in CEL: package name dot type name.
func celTypeName(t reflect.Type) string {
	return fmt.Sprintf("%s.%s", lastPathElem(t.PkgPath()), t.Name())
}

func lastPathElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// newEnvs builds the CEL environments for organisation-level and system-level expressions. The
// org environment has no `system` variable, so an org obligation that reads it is refused at
// load.
func newEnvs(cal *calendar.Calendar, extra []FactSet) (orgEnv, sysEnv *cel.Env, err error) {
	typeArgs := []any{orgType, systemType}
	for _, fs := range extra {
		typeArgs = append(typeArgs, fs.Type)
	}
	typeArgs = append(typeArgs, ext.ParseStructTags(true))
	opts := []cel.EnvOption{
		ext.NativeTypes(typeArgs...),
		cel.Variable("org", cel.ObjectType(celTypeName(orgType))),
		cel.Variable("now", cel.TimestampType),
		cel.Macros(cel.GlobalMacro("daysSince", 1, expandDaysSince)),
	}
	sysVars := []cel.EnvOption{cel.Variable("system", cel.ObjectType(celTypeName(systemType)))}
	for _, fs := range extra {
		v := cel.Variable(fs.Name, cel.ObjectType(celTypeName(fs.Type)))
		if fs.PerSystem {
			// Only the system environment knows a per-system set, so that an organisation
			// rule reading it is refused at load rather than reading no system's value.
			sysVars = append(sysVars, v)
			continue
		}
		opts = append(opts, v)
	}
	opts = append(opts, helperFunctions(cal)...)
	orgEnv, err = cel.NewEnv(opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: build CEL environment: %w", err)
	}
	sysEnv, err = orgEnv.Extend(sysVars...)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: build system CEL environment: %w", err)
	}
	return orgEnv, sysEnv, nil
}

// expandDaysSince rewrites daysSince(t) into the internal daysBetween(t, now), because a CEL
// function cannot read a variable of the activation and `now` changes per evaluation.
func expandDaysSince(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
	return eh.NewCall(fnDaysBetween, args[0], eh.NewIdent("now")), nil
}

const fnDaysBetween = "__ciiguard_daysBetween"

// unsetDays is what daysSince returns for an unset date: larger than any real span, so that
// "daysSince(x) > 365" is true and "daysSince(x) <= 365" false when x was never recorded.
const unsetDays = 1 << 40

func helperFunctions(cal *calendar.Calendar) []cel.EnvOption {
	ts := func(v ref.Val) (time.Time, bool) {
		t, ok := v.(types.Timestamp)
		return t.Time, ok
	}
	return []cel.EnvOption{
		cel.Function("isSet",
			cel.Overload("isSet_timestamp", []*cel.Type{cel.TimestampType}, cel.BoolType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, ok := ts(v)
					if !ok {
						return types.NoSuchOverloadErr()
					}
					return types.Bool(!isUnset(t))
				}))),
		cel.Function(fnDaysBetween,
			cel.Overload("daysBetween_timestamp_timestamp", []*cel.Type{cel.TimestampType, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					from, ok1 := ts(a)
					to, ok2 := ts(b)
					if !ok1 || !ok2 {
						return types.NoSuchOverloadErr()
					}
					if isUnset(from) {
						return types.Int(unsetDays)
					}
					// Days between Beijing dates: a year after 2025-12-01 ends with 2026-12-01.
					return types.Int(calendarDays(from, to))
				}))),
		dateArith("addDays", func(t time.Time, n int) (time.Time, error) { return calendar.AddDays(t, n), nil }),
		dateArith("addMonths", func(t time.Time, n int) (time.Time, error) { return calendar.AddMonths(t, n), nil }),
		dateArith("addWorkingDays", cal.AddWorkingDays),
		// addHours is an addition to the pinned contract for the incident-report clocks
		// (1, 2 and 4 hours), which capabilities will check once incidents have facts.
		dateArith("addHours", func(t time.Time, n int) (time.Time, error) { return calendar.AddHours(t, n), nil }),
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// maxDateArith bounds the day or month count of date arithmetic so that an expression cannot
// push a timestamp out of CEL's range (years 1 to 9999).
const maxDateArith = 100000

// dateArith declares a (timestamp, int) -> timestamp helper. An unset date stays unset, so a
// deadline computed from a date nobody recorded is itself unset rather than a date in year 1.
func dateArith(name string, f func(time.Time, int) (time.Time, error)) cel.EnvOption {
	return cel.Function(name,
		cel.Overload(name+"_timestamp_int", []*cel.Type{cel.TimestampType, cel.IntType}, cel.TimestampType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				t, ok := a.(types.Timestamp)
				n, ok2 := b.(types.Int)
				if !ok || !ok2 {
					return types.NoSuchOverloadErr()
				}
				if isUnset(t.Time) {
					return t
				}
				if n > maxDateArith || n < -maxDateArith {
					return types.NewErr("%s: %d is out of range", name, int64(n))
				}
				r, err := f(t.Time, int(n))
				if err != nil {
					return types.NewErr("%s: %v", name, err)
				}
				return types.Timestamp{Time: r.UTC()}
			})))
}

// isUnset reports whether a fact date was never recorded. Go's zero time reaches CEL as the
// Unix epoch, so 1970-01-01T00:00:00Z also counts as unset; no real compliance date falls on it.
func isUnset(t time.Time) bool {
	return t.IsZero() || (t.Unix() == 0 && t.Nanosecond() == 0)
}
