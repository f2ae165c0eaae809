package scope

import "ciiguard/internal/kernel/uscc"

// The unified social credit code check lives in the kernel (internal/kernel/uscc) since the
// suppliers register validates its suppliers' codes the same way; these names keep scope's
// callers and tests as they were.

// usccChars is the GB 32100-2015 character set in value order.
const usccChars = uscc.Chars

// USCCError says why a unified social credit code is not valid.
type USCCError = uscc.Error

// ValidateUSCC checks a unified social credit code (see uscc.Validate).
func ValidateUSCC(code string) error { return uscc.Validate(code) }

// CompleteUSCC appends both check characters to a 16-character prefix (see uscc.Complete).
func CompleteUSCC(prefix16 string) string { return uscc.Complete(prefix16) }
