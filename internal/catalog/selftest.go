package catalog

import (
	"context"
	"fmt"

	"ciiguard/internal/rules"
)

// TestResult is the outcome of one catalog test case.
type TestResult struct {
	ObligationID string
	Case         string
	File         string
	Line         int
	Expect       string
	Got          rules.Finding
	Err          error // evaluation error, if any
}

// Passed reports whether the case produced the expected status without error.
func (r TestResult) Passed() bool { return r.Err == nil && string(r.Got.Status) == r.Expect }

// String renders one line per case, FAIL lines with the file and line of the case.
func (r TestResult) String() string {
	if r.Passed() {
		return fmt.Sprintf("ok   %s / %s", r.ObligationID, r.Case)
	}
	msg := fmt.Sprintf("FAIL %s:%d %s / %s: want %s, got %s (%s)", r.File, r.Line, r.ObligationID, r.Case,
		r.Expect, r.Got.Status, r.Got.Reason.En)
	if r.Err != nil {
		msg += ": " + r.Err.Error()
	}
	return msg
}

// RunTests evaluates every obligation's test cases, in obligation and case order. The
// package tests (TestEmbeddedCatalog, each capability's catalog test) use it; a content
// change that breaks a rule fails there.
func (c *Catalog) RunTests(ctx context.Context) []TestResult {
	var out []TestResult
	for _, o := range c.Obligations {
		for _, tc := range o.Tests {
			if tc.skipped {
				continue
			}
			cf := tc.decoded
			f, err := c.engine.EvaluateRule(ctx, o.ID, cf.Facts(), cf.System)
			out = append(out, TestResult{ObligationID: o.ID, Case: tc.Name, File: o.File, Line: tc.Line,
				Expect: tc.Expect, Got: f, Err: err})
		}
	}
	return out
}
