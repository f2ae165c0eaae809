package obligations

import (
	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
)

// policyErrorLine is one problem of a refused policy as the policies page shows it: the
// sentence in the reader's language, then the field path and the parser's own words, which
// are marked translate="no" (they quote the file and the parser, not ciiguard).
type policyErrorLine struct {
	Text, Place, Detail string
}

// policyErrorLines says why an upload was refused, in lang; nil when err is not a refusal
// of the file (a server error is answered as one).
func (m *Module) policyErrorLines(lang string, err error) []policyErrorLine {
	if refused, ok := problem.As[*PolicyRefused](err); ok {
		out := make([]policyErrorLine, 0, len(refused.Problems))
		for _, p := range refused.Problems {
			out = append(out, m.policyErrorLine(lang, p))
		}
		return out
	}
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		tr := m.d.Web.Messages.Reasons(lang)
		out := make([]policyErrorLine, 0, len(inv.Fields))
		for _, f := range inv.Fields {
			out = append(out, policyErrorLine{Text: f.In(tr)})
		}
		return out
	}
	return nil
}

func (m *Module) policyErrorLine(lang string, p PolicyProblem) policyErrorLine {
	t := func(key string, args ...any) string { return m.d.Web.Messages.T(lang, key, args...) }
	l := policyErrorLine{Detail: p.Detail}
	switch p.Kind {
	case catalog.ErrSyntax:
		l.Text = t("policies.err.syntax", p.Line)
		if p.Line == 0 {
			l.Text = t("policies.err.syntax_noline")
		}
	case catalog.ErrUnknownField:
		l.Text = t("policies.err.unknown_field", p.Line, p.Key)
	case catalog.ErrType:
		l.Text = t("policies.err.type", p.Line)
	case catalog.ErrExpression:
		l.Text = t("policies.err.expression", p.Line, p.Obligation, t("policies.expr."+p.Expr))
	case catalog.ErrSchema:
		reason := t("policies.reason.other")
		if key, ok := schemaReasons[p.format]; ok {
			reason = t(key, p.args...)
		}
		l.Text, l.Place = t("policies.err.schema", p.Line, reason), p.Field
	default:
		l.Text = t("policies.err.other")
	}
	return l
}
