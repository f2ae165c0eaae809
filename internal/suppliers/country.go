package suppliers

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// validCountry says code is an ISO 3166-1 alpha-2 country or territory code in capitals
// ("CN", "DE", "HK"), as CLDR knows them; regions, groupings, reserved and withdrawn codes
// ("EU", "UN", "ZZ", "001", "SU", "YU") are refused.
func validCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() || r.ISO3() == "ZZZ" || r.Canonicalize() != r {
		return false // withdrawn codes (SU, YU, DD …) canonicalise to their successors or not at all
	}
	n := display.Regions(language.SimplifiedChinese).Name(r)
	return n != "" && n != code
}

// countryName names an ISO 3166-1 code in lang ("zh-CN" or "en"): 中国 / China. A code
// CLDR does not know is shown as it is.
func countryName(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	in := language.English
	if lang != "en" {
		in = language.SimplifiedChinese
	}
	if n := display.Regions(in).Name(r); n != "" {
		return n
	}
	return code
}

// Country is an option of the country select: its code and its name in the page's language.
type Country struct{ Code, Name string }

// countryCodes are every code validCountry accepts, China first, then in code order.
var countryCodes = func() []string {
	out := []string{"CN"}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if c := string([]rune{a, b}); c != "CN" && validCountry(c) {
				out = append(out, c)
			}
		}
	}
	return out
}()

// countries lists the select's options in lang.
func countries(lang string) []Country {
	out := make([]Country, len(countryCodes))
	for i, c := range countryCodes {
		out[i] = Country{Code: c, Name: countryName(lang, c)}
	}
	return out
}
