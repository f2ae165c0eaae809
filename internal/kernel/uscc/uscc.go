// Package uscc checks China's unified social credit codes (统一社会信用代码, GB 32100-2015)
// for every capability that records an organisation: the inventory's profile and the
// suppliers register. It is a kernel part, so both use it without importing each other.
package uscc

import (
	"fmt"
	"strings"
)

// Chars is the GB 32100-2015 character set in value order: the digits, then the
// capital letters without I, O, S, V and Z (which are too easily misread as digits).
const Chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31 for positions 1–17 (GB 32100-2015, 5.2).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are the GB 11714-1997 weights of the eight body characters of an
// organisation code.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// Error says why a unified social credit code is not valid; Position is the
// 1-based character it concerns (0 for the code as a whole).
type Error struct {
	Position int
	Reason   string
}

// Error returns the reason, which names the character concerned.
func (e *Error) Error() string { return e.Reason }

// Validate checks a unified social credit code (统一社会信用代码): 18 characters from
// the GB 32100-2015 set, a six-digit administrative division code in positions 3–8, the
// GB 11714 check character of the embedded organisation code in position 17 and the
// GB 32100 check character in position 18. Both check characters are verified because a
// transposition inside the organisation code can survive one of them but not both.
func Validate(code string) error {
	if n := len([]rune(code)); n != 18 {
		return &Error{Reason: fmt.Sprintf("must be 18 characters, not %d", n)}
	}
	vals := make([]int, 18)
	for i, c := range code {
		v := strings.IndexRune(Chars, c)
		if v < 0 {
			return &Error{Position: i + 1, Reason: fmt.Sprintf("character %d (%q) is not allowed: use 0-9 and A-H J-N P-R T-U W-Y (no I, O, S, V, Z, no lower case)", i+1, c)}
		}
		vals[i] = v
	}
	for i := 2; i < 8; i++ {
		if vals[i] > 9 {
			return &Error{Position: i + 1, Reason: fmt.Sprintf("positions 3–8 are the administrative division code and must be digits; character %d is %q", i+1, code[i])}
		}
	}
	if want := orgCodeCheck(code[8:16]); code[16] != want {
		return &Error{Position: 17, Reason: fmt.Sprintf("character 17 is the check character of the organisation code %s (GB 11714) and should be %q, not %q", code[8:16], want, code[16])}
	}
	if want := usccCheck(code[:17]); code[17] != want {
		return &Error{Position: 18, Reason: fmt.Sprintf("character 18 is the check character (GB 32100-2015) and should be %q, not %q", want, code[17])}
	}
	return nil
}

// usccCheck computes the GB 32100 check character of the first 17 characters, which must
// already be in the character set.
func usccCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(Chars, first17[i]) * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return Chars[c]
}

// orgCodeCheck computes the GB 11714 check character of an eight-character organisation
// code body: digits count as their value and letters as 10 for A up to 35 for Z.
func orgCodeCheck(body string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// Complete appends both check characters to a 16-character prefix (registration
// authority, type, division code and organisation code body). It is for demo data and
// tests; it does not validate the prefix, so pass the result to Validate.
func Complete(prefix16 string) string {
	if len(prefix16) != 16 {
		return prefix16
	}
	first17 := prefix16 + string(orgCodeCheck(prefix16[8:16]))
	for i := 0; i < 17; i++ {
		if strings.IndexByte(Chars, first17[i]) < 0 {
			return first17
		}
	}
	return first17 + string(usccCheck(first17))
}
