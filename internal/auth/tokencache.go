package auth

import (
	"crypto/subtle"
	"slices"
	"sync"
	"time"

	"kefu/internal/access"
	"kefu/internal/store"
)

// DefaultTokenCacheTTL is how long Authenticate trusts a token it has
// resolved before it reads the token and its staff member again.
//
// Within this process a revoked token, a password reset, a change of the
// staff member's login, name, locale or roles and a departure drop the
// cached entry at once (store.DB.Changed). Another kefu process sharing the
// database sees such a change only when its own entry expires: a revoked
// token or a departed person's token may keep working there for up to
// this long.
const DefaultTokenCacheTTL = 5 * time.Second

// maxCachedTokens bounds the cache; only tokens that authenticated are
// cached, so it is reached only with that many live tokens in use.
const maxCachedTokens = 10_000

// tokenCache holds resolved tokens by prefix.
type tokenCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	gen     uint64 // bumped by every drop, so a lookup racing a change is not cached
	entries map[string]*tokenEntry
}

type tokenEntry struct {
	hash      string // sha256 of the secret, as stored
	tokenID   string
	staffID   string
	expiresAt *time.Time // the token's own expiry
	lastUsed  *time.Time // last_used_at as this process knows it
	until     time.Time  // the entry's expiry
	p         access.Principal
}

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{ttl: ttl, entries: map[string]*tokenEntry{}}
}

// SetTokenCacheTTL changes how long resolved API tokens are trusted
// (DefaultTokenCacheTTL); 0 turns the cache off.
func (s *Service) SetTokenCacheTTL(d time.Duration) {
	c := s.tokens
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ttl = d
	c.gen++
	clear(c.entries)
}

// lookup returns the live entry for prefix, or nil, and the generation to
// pass to put after a lookup in the database.
func (c *tokenCache) lookup(prefix string, now time.Time) (tokenEntry, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[prefix]
	if !ok {
		return tokenEntry{}, false, c.gen
	}
	if !now.Before(e.until) || now.Before(e.until.Add(-c.ttl)) {
		delete(c.entries, prefix) // expired, or the clock went back
		return tokenEntry{}, false, c.gen
	}
	return *e, true, c.gen
}

// put caches a resolved token unless something was dropped since gen was
// read: the database read may then predate the change.
func (c *tokenCache) put(prefix string, e *tokenEntry, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl <= 0 || gen != c.gen {
		return
	}
	if len(c.entries) >= maxCachedTokens {
		for k, old := range c.entries {
			if !now.Before(old.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedTokens {
			clear(c.entries)
		}
	}
	e.until = now.Add(c.ttl)
	c.entries[prefix] = e
}

// touched records a write of last_used_at made for a cached token.
func (c *tokenCache) touched(prefix string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[prefix]; ok {
		e.lastUsed = &at
	}
}

// drop removes the entries that match and keeps lookups in flight from
// caching what they read before the change.
func (c *tokenCache) drop(match func(*tokenEntry) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if match(e) {
			delete(c.entries, k)
		}
	}
}

// changed is the service's store.DB.OnChanged hook.
func (c *tokenCache) changed(topic, id string) {
	switch topic {
	case store.ChangeStaff:
		c.drop(func(e *tokenEntry) bool { return e.staffID == id })
	case store.ChangeAPIToken:
		c.drop(func(e *tokenEntry) bool { return e.tokenID == id })
	}
}

// matches compares the secret's hash with the cached one in constant time.
func (e *tokenEntry) matches(hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hash), []byte(e.hash)) == 1
}

// principal returns a copy the caller may change.
func (e *tokenEntry) principal() *access.Principal {
	p := e.p
	p.Roles = slices.Clone(e.p.Roles)
	return &p
}
