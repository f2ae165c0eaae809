package vulns

import (
	"fmt"
	"regexp"
)

var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

// Reason is why a value is refused, kept as its format and arguments so that the field
// problem made from it (problem.Field(field, r.Format, r.Args...)) is translated on pages
// like any other reason.
type Reason struct {
	Format string
	Args   []any
}

// reasonMaker words a Reason. Its method is called Add, with the field first as
// problem.Invalid.Add has it, so that the installation's check that every reason has a
// Chinese translation (internal/app, TestReasonsTranslated) finds the format literal.
type reasonMaker struct{}

// Add makes the Reason; the field is the caller's to name (it is empty here).
func (reasonMaker) Add(_, format string, args ...any) *Reason {
	return &Reason{Format: format, Args: args}
}

// why words the reasons of the parsers of identifiers and vectors.
var why reasonMaker

func (r *Reason) Error() string { return fmt.Sprintf(r.Format, r.Args...) }
