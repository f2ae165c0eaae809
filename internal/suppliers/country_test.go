package suppliers

import "testing"

// TestValidCountry checks the country codes against a hand-written table from ISO 3166-1:
// assigned codes pass; groupings, reserved, withdrawn, lower-case and numeric codes do not.
func TestValidCountry(t *testing.T) {
	for code, want := range map[string]bool{
		"CN": true, "DE": true, "JP": true, "US": true, "HK": true, "MO": true, "TW": true, "SG": true, "RS": true,
		"EU": false, "UN": false, "ZZ": false, "XX": false, "AA": false, "QO": false, "001": false, "": false, "C": false,
		"cn": false, "SU": false, "YU": false, "DD": false, "CS": false, "AN": false, "中国": false, "C1": false,
	} {
		if got := validCountry(code); got != want {
			t.Errorf("validCountry(%q) = %v, want %v", code, got, want)
		}
	}
	if n := len(countryCodes); n < 240 || n > 260 || countryCodes[0] != "CN" {
		t.Errorf("%d countries, first %s; ISO 3166-1 assigns 249, China first", n, countryCodes[0])
	}
	if countryName("zh-CN", "DE") != "德国" || countryName("en", "DE") != "Germany" {
		t.Errorf("DE is %q / %q", countryName("zh-CN", "DE"), countryName("en", "DE"))
	}
}
