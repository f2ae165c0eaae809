package appstore

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/problem"
)

// residentWeights are the GB 11643-1999 weights of the first 17 digits of a citizen
// identity number: 2^(18-i) mod 11 for positions i = 1…17 (ISO 7064 MOD 11-2).
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentCheckChars maps (sum mod 11) to the check character: (12 - r) mod 11, with 10
// written 'X' (GB 11643-1999, 5.5).
const residentCheckChars = "10X98765432"

// ResidentCheck returns the GB 11643-1999 check character of 17 digits.
func ResidentCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * residentWeights[i]
	}
	return residentCheckChars[sum%11]
}

// ValidateResidentID checks a citizen identity number (公民身份号码, GB 11643-1999): 18
// characters, 17 digits then the check character (a digit or 'X'), an address code whose
// first digit is a province-level region (1–8, 9 is not issued), a real birth date in
// positions 7–14 not in the future, and the check character. It returns the reason in
// English (with a Chinese translation in messages/reasons.zh-CN.json).
func ValidateResidentID(id string, now time.Time) error {
	if len(id) != 18 {
		return fmt.Errorf("must be 18 characters, not %d", len([]rune(id)))
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("character %d must be a digit", i+1)
		}
	}
	if c := id[17]; !(c >= '0' && c <= '9') && c != 'X' {
		return errors.New("character 18 is the check character and must be a digit or a capital X")
	}
	if id[0] < '1' || id[0] > '8' {
		return errors.New("characters 1 to 6 are the address code and must start with 1 to 8")
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(now) {
		return errors.New("characters 7 to 14 are the date of birth and are not a real date")
	}
	if want := ResidentCheck(id); id[17] != want {
		return fmt.Errorf("character 18 is the check character and should be %s: the number is mistyped", string(want))
	}
	return nil
}

// MaskResidentID shows the first six and the last four characters only: the number is
// personal information and a page needs no more to tell two developers apart.
func MaskResidentID(id string) string {
	if len(id) != 18 {
		return "******"
	}
	return id[:6] + "********" + id[14:]
}

// phoneRE is a mainland mobile number: 11 digits starting 1[3-9].
var phoneRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ValidPhone reports whether s is a mainland mobile number.
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// MaskPhone shows the first three and last four digits.
func MaskPhone(s string) string {
	if len(s) != 11 {
		return "***"
	}
	return s[:3] + "****" + s[7:]
}

// addUSCC checks code on field with the kernel's GB 32100 check and says what is wrong
// in words that have a Chinese translation.
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

// filingRE is an app's MIIT filing number (ICP备案号 of an app, 2023 notice): the
// province's one-character abbreviation, "ICP备", eight digits, "号-", then "A" and a
// number (e.g. 京ICP备12345678号-5A). The format is taken from the numbers the MIIT
// filing system issues and shows; the notice itself does not define it (configurable
// only by changing this pattern, labelled so in docs/appstore.md).
var filingRE = regexp.MustCompile(`^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP备[0-9]{8,10}号-[0-9]{1,4}A$`)

// ValidFilingNumber reports whether s has the form of an app filing number.
func ValidFilingNumber(s string) bool { return filingRE.MatchString(s) }
