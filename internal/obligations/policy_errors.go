package obligations

import (
	"errors"
	"strings"

	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
)

// PolicyRefused is an uploaded policy file that does not load: every problem found, each
// with where it is (line, obligation, field) and what kind it is, so that the policies page
// can say it in the reader's language. It unwraps to the *problem.Invalid the API answers
// with (field "file", the loader's English message per problem).
type PolicyRefused struct {
	Problems []PolicyProblem
	invalid  *problem.Invalid
}

// PolicyProblem is one problem of a refused policy file. Obligation and Field are written
// as in the uploaded file (without the organisation's ORG-<id>- prefix); Detail is the
// parser's or the expression compiler's own text, which stays untranslated.
type PolicyProblem struct {
	Line       int
	Kind       catalog.ErrorKind
	Key        string // ErrUnknownField: the unknown key
	Obligation string // ErrExpression: the obligation
	Expr       string // ErrExpression: applies, check or due
	Field      string // ErrSchema: the field path
	Detail     string
	format     string // ErrSchema: the loader's English reason format and arguments
	args       []any
}

func (e *PolicyRefused) Error() string { return e.invalid.Error() }

// Unwrap lets the web layer answer it as the 400 of any invalid input.
func (e *PolicyRefused) Unwrap() error { return e.invalid }

// refusePolicy turns a catalog loading error into a PolicyRefused; prefix is the
// organisation's ORG-<id>- prefix, taken off ids so they read as the user wrote them.
func refusePolicy(err error, prefix string) *PolicyRefused {
	out := &PolicyRefused{invalid: &problem.Invalid{}}
	for _, e := range flatten(err) {
		msg := strings.ReplaceAll(strings.TrimPrefix(e.Error(), "catalog: "), prefix, "")
		out.invalid.Add("file", "%s", msg)
		var ce *catalog.Error
		if !errors.As(e, &ce) {
			out.Problems = append(out.Problems, PolicyProblem{Detail: msg})
			continue
		}
		p := PolicyProblem{Line: ce.Line, Kind: ce.Kind, Key: ce.Key, Expr: ce.Expr,
			Obligation: strings.TrimPrefix(ce.Obligation, prefix), Field: strings.ReplaceAll(ce.Field, prefix, "")}
		p.format, p.args = ce.Reason()
		for i, a := range p.args {
			if s, ok := a.(string); ok {
				p.args[i] = strings.ReplaceAll(s, prefix, "")
			}
		}
		switch ce.Kind {
		case catalog.ErrSyntax, catalog.ErrExpression:
			p.Detail = strings.TrimPrefix(ce.Msg, "yaml: ")
		case catalog.ErrSchema:
			if _, ok := schemaReasons[p.format]; !ok {
				p.Detail = strings.ReplaceAll(ce.Msg, prefix, "")
			}
		case catalog.ErrUnknownField, catalog.ErrType:
			// the message says it all; yaml.v3's text names Go types, not the user's file
		default:
			p.Detail = strings.ReplaceAll(ce.Msg, prefix, "")
		}
		out.Problems = append(out.Problems, p)
	}
	return out
}

// flatten lists the errors joined in err (errors.Join nests).
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// schemaReasons maps the loader's English reason formats that a policy author meets most
// to message keys; others are shown as "does not follow the catalog form" with the
// loader's English text marked untranslated.
var schemaReasons = map[string]string{
	"missing":                                   "policies.reason.missing",
	"missing Chinese text":                      "policies.reason.missing_zh",
	"missing English text":                      "policies.reason.missing_en",
	"%q is not one of %s":                       "policies.reason.not_one_of",
	"%q is not a YYYY-MM-DD date":               "policies.reason.not_a_date",
	"give a check expression or an attestation": "policies.reason.check_or_attestation",
	"must be a positive number of days":         "policies.reason.positive_days",
	"at least one party is required":            "policies.reason.binds",
	"no obligations":                            "policies.reason.no_obligations",
	"at least one version is required":          "policies.reason.no_versions",
	"version %q is not a version of %s":         "policies.reason.unknown_version",
	"a check needs at least one met case and one gap or overdue case": "policies.reason.tests",
}

// notYetDefined refuses a policy that defines an instrument, obligation or penalty id the
// organisation's catalog already has (from another of its policy files), naming each id as
// the user wrote it.
func notYetDefined(cur, policy *catalog.Catalog, prefix string) error {
	v := &problem.Invalid{}
	for _, in := range policy.Instruments {
		if _, ok := cur.Instrument(in.ID); ok {
			v.Add("file", "instrument %s is already defined in another of your policy files", strings.TrimPrefix(in.ID, prefix))
		}
	}
	for _, o := range policy.Obligations {
		if _, ok := cur.Obligation(o.ID); ok {
			v.Add("file", "obligation %s is already defined in another of your policy files", strings.TrimPrefix(o.ID, prefix))
		}
	}
	for _, p := range policy.Penalties {
		if _, ok := cur.Penalty(p.ID); ok {
			v.Add("file", "penalty %s is already defined in another of your policy files", strings.TrimPrefix(p.ID, prefix))
		}
	}
	return v.Err()
}
