package auth

import (
	"errors"
	"strings"
	"testing"
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
