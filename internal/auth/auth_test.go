package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id with the expected parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	cases := []struct {
		name, hash, pw string
		want           error
	}{
		{"right", h, "correct horse battery", nil},
		{"wrong", h, "correct horse batterY", ErrBadPassword},
		{"empty", h, "", ErrBadPassword},
	}
	for _, c := range cases {
		if err := VerifyPassword(c.hash, c.pw); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=18$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if err := VerifyPassword(bad, "x"); err == nil || errors.Is(err, ErrBadPassword) {
			t.Errorf("malformed stored hash %q: %v, want a format error", bad, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "exactly12chr": true, "十二个汉字的密码也可以吗好": true, strings.Repeat("x", 1025): false} {
		if err := CheckPasswordPolicy(pw); (err == nil) != ok {
			t.Errorf("%.20q: %v", pw, err)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter()
	l.now = func() time.Time { return now }
	for i := 0; i < MaxFailuresPerAccount; i++ {
		if w := l.Check("a@x", "10.0.0.1"); w != 0 {
			t.Fatalf("attempt %d refused early", i+1)
		}
		l.Fail("a@x", "10.0.0.1")
	}
	if w := l.Check("a@x", "10.0.0.2"); w <= 0 || w > FailureWindow {
		t.Fatalf("account over its limit from another address: wait %v", w)
	}
	if w := l.Check("b@x", "10.0.0.1"); w != 0 {
		t.Fatalf("another account from the same address is not yet limited: %v", w)
	}
	now = now.Add(FailureWindow + time.Second)
	if w := l.Check("a@x", "10.0.0.1"); w != 0 {
		t.Fatalf("after the window: wait %v", w)
	}
	for i := 0; i < MaxFailuresPerAddress; i++ {
		l.Fail("user"+string(rune('a'+i))+"@x", "10.0.0.9")
	}
	if w := l.Check("fresh@x", "10.0.0.9"); w <= 0 {
		t.Fatal("an address spraying many accounts is not limited")
	}
	l.Fail("c@x", "10.0.0.3")
	l.Succeed("c@x")
	if len(l.recent("a:c@x")) != 0 {
		t.Fatal("success did not clear the account's failures")
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		kind OrgKind
		role Role
		ok   bool
	}{{Operator, Admin, true}, {Operator, Inspector, false}, {Regulator, Inspector, true}, {Supplier, SupplierUser, true}, {Supplier, Admin, false}, {"bank", Admin, false}} {
		if err := ValidRole(c.kind, c.role); (err == nil) != c.ok {
			t.Errorf("%s/%s: %v", c.kind, c.role, err)
		}
	}
	if !Narrower(Auditor, Admin) || Narrower(Admin, Auditor) || !Narrower(Admin, Admin) {
		t.Fatal("Narrower: an auditor is narrower than an admin, not the reverse")
	}
	if Allowed(Auditor, ManageUsers) || !Allowed(Admin, ManageUsers) || !Allowed(Inspector, SignedIn) || Allowed("", SignedIn) {
		t.Fatal("permission table answers wrongly")
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("fuzzing-password")
	f.Add(h, "fuzzing-password")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA", "x")
	f.Fuzz(func(t *testing.T, stored, pw string) {
		// Only small cost parameters are worth running; the point is that no stored
		// string makes it panic.
		if strings.Contains(stored, "m=") && !strings.Contains(stored, "m=8,") {
			return
		}
		_ = VerifyPassword(stored, pw)
	})
}
