package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: RFC 9106's second recommended option (64 MiB, 3 passes), with two
// lanes for the two-core machines ciiguard is sized for.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// ErrBadPassword means the password did not match the stored hash.
var ErrBadPassword = errors.New("wrong password")

// CheckPasswordPolicy reports why a new password is not acceptable, or nil.
func CheckPasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return fmt.Errorf("password: must be at least %d characters", MinPasswordLen)
	}
	if len(pw) > 1024 {
		return fmt.Errorf("password: must be at most 1024 bytes")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash of pw in the PHC string format. It waits
// for a free hashing slot however busy the server is: it serves administrators setting
// passwords, not anonymous sign-ins.
func HashPassword(pw string) (string, error) {
	release, err := passwordHashes.acquire(context.Background(), false)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword is VerifyPassword for sign-ins: it runs only when a hashing slot is free
// or one frees up soon, and answers ErrBusy when too many checks are already waiting.
func CheckPassword(ctx context.Context, encoded, pw string) error {
	release, err := passwordHashes.acquire(ctx, true)
	if err != nil {
		return err
	}
	defer release()
	return VerifyPassword(encoded, pw)
}

// VerifyPassword checks pw against an encoded hash in constant time. Callers serving
// requests use CheckPassword, which bounds how many run at once.
func VerifyPassword(encoded, pw string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return fmt.Errorf("verify password: stored hash is not argon2id")
	}
	var version int
	var mem uint32
	var iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("verify password: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return fmt.Errorf("verify password: bad parameters %q: %w", parts[3], err)
	}
	// Bounds keep a corrupted row from making one sign-in allocate gigabytes.
	if mem < 8 || mem > 1<<20 || iters < 1 || iters > 16 || threads < 1 || threads > 16 {
		return fmt.Errorf("verify password: parameters %q out of range", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("verify password: bad salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("verify password: bad key: %w", err)
	}
	got := argon2.IDKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadPassword
	}
	return nil
}
