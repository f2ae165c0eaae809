package appstore

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/problem"
)

// TestResidentID checks GB 11643-1999 numbers against the standard's own examples
// (11010519491231002X and 440524188001010014 are the worked examples of its annex, their
// check characters X and 4 computed by hand in the comment below) and the ways a number
// goes wrong.
//
//	1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 × 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 167; 167 mod 11 = 2 → X
//	4 4 0 5 2 4 1 8 8 0 0 1 0 1 0 0 1 × the same weights = 195; 195 mod 11 = 8 → 4
func TestResidentID(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		id, want string
	}{
		{"11010519491231002X", ""},
		{"440524188001010014", "date of birth"}, // born 1880: before 1900 is not issued
		{"440524198001010013", ""},
		{"110105194912310021", "should be X"},
		{"11010519491231002x", "must be a digit or a capital X"},
		{"1101051949123100", "must be 18 characters"},
		{"11010519491331002X", "date of birth"},
		{"91010519491231002X", "address code"},
		{"110105A9491231002X", "character 7 must be a digit"},
		{"110105203001010011", "date of birth"},
	} {
		err := ValidateResidentID(c.id, now)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.id, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want a reason with %q", c.id, err, c.want)
		}
	}
	if got := ResidentCheck("44052418800101001"); got != '4' {
		t.Errorf("check of the standard's second example: %c, want 4", got)
	}
}

// TestDeveloperUSCC: the kernel's GB 32100 check through this capability's reasons, on a
// published code (914403001922038216, Huawei Technologies Co., Ltd., as its business
// licence shows it) and that code mistyped.
func TestDeveloperUSCC(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{"914403001922038216", ""},
		{"914403001922038217", "character 18 is a check character and should be 6"},
		{"914403001922038276", "character 17 is a check character and should be 1"},
		{"9144030", "must be 18 characters"},
		{"91440300192203821I", "character 18 is not allowed"},
	} {
		v := &problem.Invalid{}
		addUSCC(v, "uscc", c.code)
		got := ""
		if len(v.Fields) > 0 {
			got = v.Fields[0].Reason
		}
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.code, got, c.want)
		}
	}
}

// TestFilingNumber: the form the MIIT filing system gives app filing numbers.
func TestFilingNumber(t *testing.T) {
	for s, ok := range map[string]bool{
		"京ICP备12345678号-5A": true, "粤ICP备2023000001号-12A": true,
		"京ICP备12345678号-5": false, "京ICP备12345678号": false, "ICP备12345678号-5A": false, "": false, "京ICP证123456号": false,
	} {
		if ValidFilingNumber(s) != ok {
			t.Errorf("%q: %v, want %v", s, !ok, ok)
		}
	}
}
