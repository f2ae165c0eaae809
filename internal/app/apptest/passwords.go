package apptest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/argon2"

	"ciiguard/internal/app"
)

// DemoPasswordHash returns app.DemoPassword hashed at the lowest argon2id cost the
// verifier accepts, for tests that create their own users (auth.NewUser.PasswordHash) and
// sign them in without paying production's hashing cost each time.
func DemoPasswordHash() string { return cheapDemoHash }

// cheapDemoHash is the demo password hashed with argon2id at the lowest cost the
// verifier accepts (64 KiB, one pass, one lane) instead of production's 64 MiB and three
// passes. A sign-in still runs the real check (auth.VerifyPassword reads the cost from
// the stored hash) but takes about a millisecond instead of a good part of a second of
// both cores, and the suite signs in hundreds of times. It exists only in this test
// package: production code never writes such a hash.
var cheapDemoHash = func() string {
	const mem, passes, lanes = 64, 1, 1
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go 1.24 and later)
	key := argon2.IDKey([]byte(app.DemoPassword), salt, passes, mem, lanes, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, passes, lanes,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}()
