package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// EvalError is one obligation that could not be evaluated for one subject: its expression
// failed at run time (the cost limit, a division by zero, a date out of range) or the
// evaluation ran out of time. The finding for that rule and subject has StatusError; every
// other finding of the evaluation is complete.
type EvalError struct {
	RuleID    string
	Subject   SubjectKind
	SubjectID string
	Field     string // applies, check or due
	Err       error
	CostLimit uint64 // the engine's cost limit, for the message when it was exceeded
}

// Error names the obligation, the subject and the expression that failed.
func (e *EvalError) Error() string {
	return fmt.Sprintf("rules: obligation %s, %s %s: %s: %v", e.RuleID, e.Subject, e.SubjectID, e.Field, e.Err)
}

// Unwrap exposes the cause (a CEL error, or the context's error on a timeout).
func (e *EvalError) Unwrap() error { return e.Err }

// CostExceeded reports whether the expression went past the engine's cost limit.
func (e *EvalError) CostExceeded() bool {
	return e.Err != nil && strings.Contains(e.Err.Error(), "cost limit exceeded")
}

// Interrupted reports whether the evaluation as a whole was cancelled or ran out of time,
// rather than this rule failing on its own.
func (e *EvalError) Interrupted() bool {
	return errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded)
}

// Reason is what the error finding says, in both languages.
func (e *EvalError) Reason() Text {
	if e.CostExceeded() {
		return Text{
			Zh: fmt.Sprintf("无法计算 %s：表达式超出计算成本上限（%d），请简化该规则", e.Field, e.CostLimit),
			En: fmt.Sprintf("could not evaluate %s: the expression exceeds the evaluation cost limit (%d); simplify the rule", e.Field, e.CostLimit),
		}
	}
	return Text{
		Zh: fmt.Sprintf("无法计算 %s：%v", e.Field, e.Err),
		En: fmt.Sprintf("could not evaluate %s: %v", e.Field, e.Err),
	}
}

// RuleFailures splits an evaluation's error into the rules that failed on their own (their
// findings say so with StatusError) and anything else, which makes the evaluation as a whole
// unusable (a timeout, a cancellation). rest is nil when every failure is a rule's own.
func RuleFailures(err error) (failed []*EvalError, rest error) {
	if err == nil {
		return nil, nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var others []error
	for _, e := range errs {
		var ee *EvalError
		if errors.As(e, &ee) && !ee.Interrupted() {
			failed = append(failed, ee)
			continue
		}
		others = append(others, e)
	}
	return failed, errors.Join(others...)
}
