// Package problem holds the errors a user causes — invalid input naming the field and the
// reason, a conflict, a refused action — so that every layer can return them and the web
// layer can answer them as HTTP 4xx with application/problem+json or field messages on a form.
package problem

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError says what is wrong with one input field. Reason is English; the format and
// arguments it was made from are kept so that a page can show it in the reader's language.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`

	format string
	args   []any
}

// Translator maps an English reason format (the literal passed to Field, Add or
// Conflictf) to the same format in another language; ok is false when it has none.
type Translator func(format string) (translated string, ok bool)

// In returns the reason in the language of tr, or in English when tr has no translation.
func (f FieldError) In(tr Translator) string { return localize(f.Reason, f.format, f.args, tr) }

func localize(reason, format string, args []any, tr Translator) string {
	if format == "" {
		format = reason // built as a struct literal: the reason is its own format
	}
	if tr == nil {
		return reason
	}
	t, ok := tr(format)
	if !ok {
		return reason
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// Invalid is input that failed validation; it lists every bad field, not only the first.
type Invalid struct {
	Fields []FieldError
}

func (e *Invalid) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a bad field.
func (e *Invalid) Add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Reason: fmt.Sprintf(format, args...), format: format, args: args})
}

// Err returns e when it holds any field errors and nil otherwise, so validators can end
// with `return v.Err()`.
func (e *Invalid) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Field builds an Invalid error for one field.
func Field(field, format string, args ...any) error {
	e := &Invalid{}
	e.Add(field, format, args...)
	return e
}

// Conflict is a request that clashes with existing records (a duplicate e-mail, say).
type Conflict struct {
	Field, Reason string

	format string
	args   []any
}

// Conflictf builds a Conflict whose reason has arguments, keeping its format for
// translation.
func Conflictf(field, format string, args ...any) *Conflict {
	return &Conflict{Field: field, Reason: fmt.Sprintf(format, args...), format: format, args: args}
}

func (e *Conflict) Error() string { return e.Field + ": " + e.Reason }

// In returns the reason in the language of tr, or in English when tr has no translation.
func (e *Conflict) In(tr Translator) string { return localize(e.Reason, e.format, e.args, tr) }

// Forbidden is an action the user's role or the record's state does not allow.
type Forbidden struct{ Reason string }

func (e *Forbidden) Error() string { return "forbidden: " + e.Reason }

// TooMany is a request refused by a rate limit; RetryAfter is in seconds.
type TooMany struct {
	Reason     string
	RetryAfter int
}

func (e *TooMany) Error() string { return e.Reason }

// In returns the reason in the language of tr, or in English when tr has no translation.
func (e *TooMany) In(tr Translator) string { return localize(e.Reason, "", nil, tr) }

// Outage is an error that puts part of the service out of order until an operator acts —
// an organisation's log stopped by damage on disk, say. It is answered 503 with
// OutageReason as the detail: not the user's fault, not an internal error to hide, and
// not something a retry cures. Packages implement it without importing this one.
type Outage interface {
	error
	OutageReason() string
}

// LocalOutage is an Outage that pages can state in the reader's language: OutageMessage
// names a key of the message catalog and its arguments (numbers, paths: nothing that
// needs translating itself). The API keeps answering OutageReason, in English.
type LocalOutage interface {
	Outage
	OutageMessage() (key string, args []any)
}

// As reports whether err is, or wraps, a *T problem.
func As[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
