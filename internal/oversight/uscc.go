package oversight

import (
	"errors"
	"strings"

	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/problem"
)

// addUSCC checks a credit code and adds a reason on field in words that have a Chinese
// translation (messages/reasons.zh-CN.json); the kernel's check stops at the first
// problem: the length, a character outside the set, the division code, the check
// characters.
func addUSCC(v *problem.Invalid, field, code string) {
	err := uscc.Validate(code)
	if err == nil {
		return
	}
	var e *uscc.Error
	if !errors.As(err, &e) {
		v.Add(field, "is not a unified social credit code")
		return
	}
	inSet := true
	for _, c := range code {
		inSet = inSet && strings.ContainsRune(uscc.Chars, c)
	}
	switch {
	case code == "":
		v.Add(field, "is required")
	case e.Position == 0:
		v.Add(field, "must be 18 characters, not %d", len([]rune(code)))
	case !inSet:
		v.Add(field, "character %d is not allowed: use digits and capital letters other than I, O, S, V and Z", e.Position)
	case e.Position == 17 || e.Position == 18:
		v.Add(field, "character %d is a check character: the code is mistyped", e.Position)
	default:
		v.Add(field, "characters 3 to 8 are the administrative division code and must be digits (character %d is not)", e.Position)
	}
}
