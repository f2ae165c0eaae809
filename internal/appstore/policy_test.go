package appstore

import (
	"strings"
	"testing"
)

// TestPolicy: the default policy flags READ_SMS + INTERNET and nothing in a package with
// INTERNET alone; a platform's own line replaces it; a malformed line is refused with its
// number.
func TestPolicy(t *testing.T) {
	def, err := ParsePolicy("")
	if err != nil {
		t.Fatal(err)
	}
	if m := Matches(def, []string{"android.permission.INTERNET", "android.permission.READ_SMS"}); len(m) != 1 || !strings.Contains(m[0].Why, "验证码") {
		t.Errorf("READ_SMS + INTERNET: %v", m)
	}
	if m := Matches(def, []string{"android.permission.INTERNET"}); len(m) != 0 {
		t.Errorf("INTERNET alone: %v", m)
	}
	own, err := ParsePolicy("CAMERA+RECORD_AUDIO: 偷拍 / covert filming")
	if err != nil || len(Matches(own, []string{"android.permission.CAMERA", "android.permission.RECORD_AUDIO"})) != 1 {
		t.Errorf("own policy: %v %v", own, err)
	}
	if _, err := ParsePolicy("CAMERA\nREAD_SMS+"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("one-permission line: %v", err)
	}
	if u := undeclared([]string{"android.permission.CAMERA", "android.permission.INTERNET"}, []string{"INTERNET"}); len(u) != 1 || u[0] != "android.permission.CAMERA" {
		t.Errorf("undeclared: %v", u)
	}
}
