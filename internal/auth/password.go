package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (OWASP 2024 baseline: m=46 MiB, t=1, p=1).
type hashParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	keyLen  uint32
}

var defaultParams = hashParams{memory: 46 * 1024, time: 1, threads: 1, keyLen: 32}

// Upper bounds CheckPassword accepts for a stored hash: far above the
// defaults, low enough that a corrupt row cannot take the process down.
const (
	maxMemory = 1024 * 1024 // KiB (1 GiB)
	maxTime   = 16
)

// HashPassword returns an encoded argon2id hash:
// $argon2id$v=19$m=47104,t=1,p=1$<salt>$<key>.
func HashPassword(password string) (string, error) {
	return hashWith(password, defaultParams)
}

func hashWith(password string, p hashParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether password matches the encoded hash, in
// constant time with respect to the key.
func CheckPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p hashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return false, errBadHash
	}
	// argon2.IDKey panics on zero rounds or parallelism, and a corrupt
	// memory or time cost would stall or exhaust the process: bound them.
	if p.time < 1 || p.time > maxTime || p.threads < 1 || p.memory < 8*uint32(p.threads) || p.memory > maxMemory {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ValidatePassword enforces the password policy: 8–128 characters, not
// the login, at least two kinds of character (letters, digits, others).
func ValidatePassword(login, password string) error {
	n := len([]rune(password))
	if n < 8 || n > 128 {
		return errors.New("密码长度须为 8–128 位")
	}
	if strings.EqualFold(password, login) {
		return errors.New("密码不能与登录名相同")
	}
	var letters, digits, others bool
	for _, r := range password {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			letters = true
		default:
			others = true
		}
	}
	kinds := 0
	for _, b := range []bool{letters, digits, others} {
		if b {
			kinds++
		}
	}
	if kinds < 2 {
		return errors.New("密码须包含字母、数字、符号中的至少两类")
	}
	return nil
}
