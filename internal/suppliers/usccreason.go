package suppliers

import (
	"errors"
	"strings"

	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/problem"
)

// addUSCC checks code and adds a reason on field that the page translates: the kernel's
// check says which character is wrong, and the reasons here say it in words that have a
// Chinese translation (messages/reasons.zh-CN.json).
func addUSCC(v *problem.Invalid, field, code string) {
	err := uscc.Validate(code)
	var e *uscc.Error
	if err == nil || !errors.As(err, &e) {
		if err != nil {
			v.Add(field, "is not a unified social credit code")
		}
		return
	}
	inSet := true
	for _, c := range code {
		inSet = inSet && strings.ContainsRune(uscc.Chars, c)
	}
	// Validate stops at the first problem: the length, then a character outside the set
	// (everything before it is in the set, hence one byte each, so Position counts
	// characters), then the division code, then the two check characters.
	switch {
	case e.Position == 0:
		v.Add(field, "must be 18 characters, not %d", len([]rune(code)))
	case !inSet:
		v.Add(field, "character %d is not allowed: use digits and capital letters other than I, O, S, V and Z", e.Position)
	case e.Position == 17 || e.Position == 18:
		v.Add(field, "character %d is a check character and should be %s: the code is mistyped", e.Position, string(uscc.Complete(code[:16])[e.Position-1]))
	default:
		v.Add(field, "characters 3 to 8 are the administrative division code and must be digits (character %d is not)", e.Position)
	}
}
