package auth_test

import (
	"regexp"
	"strings"
	"testing"

	"kefu/internal/auth"
)

var hashRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=47104,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashAndCheckPassword(t *testing.T) {
	const pw = "Correct-Horse-9"
	h1, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{h1, h2} {
		if !hashRE.MatchString(h) {
			t.Errorf("hash %q is not argon2id m=47104,t=1,p=1 with a 16-byte salt and 32-byte key", h)
		}
		if strings.Contains(h, pw) {
			t.Errorf("hash contains the password")
		}
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no random salt")
	}
	tests := []struct {
		hash, pw string
		want     bool
	}{
		{h1, pw, true},
		{h2, pw, true},
		{h1, "Correct-Horse-8", false},
		{h1, "correct-horse-9", false},
		{h1, pw + " ", false},
		{h1, "", false},
	}
	for _, tc := range tests {
		ok, err := auth.CheckPassword(tc.hash, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, err := auth.HashPassword("abc12345")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "abc12345"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", join("", "argon2i", parts[2], parts[3], parts[4], parts[5])},
		{"too few parts", join("", "argon2id", parts[2], parts[3], parts[4])},
		{"too many parts", good + "$extra"},
		{"wrong version", join("", "argon2id", "v=16", parts[3], parts[4], parts[5])},
		{"garbled version", join("", "argon2id", "v=x", parts[3], parts[4], parts[5])},
		{"garbled params", join("", "argon2id", parts[2], "m=a,t=1,p=1", parts[4], parts[5])},
		{"missing params", join("", "argon2id", parts[2], "", parts[4], parts[5])},
		{"bad salt base64", join("", "argon2id", parts[2], parts[3], "!!!!", parts[5])},
		{"bad key base64", join("", "argon2id", parts[2], parts[3], parts[4], "@@@@")},
		{"empty key", join("", "argon2id", parts[2], parts[3], parts[4], "")},
		// argon2.IDKey panics on zero rounds or zero parallelism: these must be
		// errors, not a crashed login.
		{"zero time", join("", "argon2id", parts[2], "m=47104,t=0,p=1", parts[4], parts[5])},
		{"zero threads", join("", "argon2id", parts[2], "m=47104,t=1,p=0", parts[4], parts[5])},
		{"threads overflow", join("", "argon2id", parts[2], "m=47104,t=1,p=256", parts[4], parts[5])},
		{"absurd memory", join("", "argon2id", parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5])},
		{"absurd time", join("", "argon2id", parts[2], "m=47104,t=4294967295,p=1", parts[4], parts[5])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ok bool
			var err error
			func() {
				defer func() {
					if v := recover(); v != nil {
						t.Fatalf("CheckPassword panicked: %v", v)
					}
				}()
				ok, err = auth.CheckPassword(tc.hash, "abc12345")
			}()
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", tc.hash, ok, err)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, login, pw string
		ok              bool
	}{
		{"letters and digits", "alice", "abcd1234", true},
		{"letters and symbols", "alice", "abcd-efg!", true},
		{"digits and symbols", "alice", "1234-5678", true},
		{"chinese and digits", "alice", "客服中心密码2025", true},
		{"eight chinese runes with digit", "alice", "客服中心密码好1", true},
		{"seven runes", "alice", "abc1234", false},
		{"seven chinese runes", "alice", "客服中心密码1", false},
		{"empty", "alice", "", false},
		{"exactly 128", "alice", strings.Repeat("a1", 64), true},
		{"129", "alice", strings.Repeat("a1", 64) + "b", false},
		{"letters only", "alice", "abcdefghij", false},
		{"digits only", "alice", "1234567890", false},
		{"symbols only", "alice", "!@#$%^&*()", false},
		{"chinese only", "alice", "客服中心客服中心", false},
		{"same as login", "alice2025", "alice2025", false},
		{"login in other case", "alice2025", "ALICE2025", false},
		{"login as part is fine", "alice", "alice2025", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.ValidatePassword(tc.login, tc.pw)
			if (err == nil) != tc.ok {
				t.Errorf("ValidatePassword(%q, %q) = %v, want ok=%v", tc.login, tc.pw, err, tc.ok)
			}
			if err != nil && err.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}
