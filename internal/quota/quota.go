package quota

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

// Limit is one token bucket's shape: it refills at Rate tokens a second up
// to Burst tokens. Rate 0 means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// Limits are the limits of one account: each of its principals' buckets,
// and the account's own bucket shared by all of them.
type Limits struct {
	Principal Limit
	Account   Limit
}

// Default bounds on the buckets kept.
const (
	DefaultMaxPrincipals = 100000
	DefaultMaxAccounts   = 10000
)

// Config configures a Limiter.
type Config struct {
	// Default applies to every account without an entry in Accounts.
	Default Limits
	// Accounts are per-account limits (complete: they replace Default).
	Accounts map[string]Limits
	// MaxPrincipals and MaxAccounts bound the buckets kept (0: the
	// defaults above).
	MaxPrincipals int
	MaxAccounts   int
	// Now is the clock buckets refill by (nil: time.Now).
	Now func() time.Time
}

// Limiter admits requests while their principal's and account's buckets
// hold tokens. It is safe for concurrent use.
type Limiter struct {
	def      Limits
	accounts map[string]Limits
	now      func() time.Time

	mu         sync.Mutex
	principals *lru
	accts      *lru

	byPrincipal atomic.Uint64
	byAccount   atomic.Uint64
	evicted     atomic.Uint64
}

// New returns a Limiter.
func New(c Config) *Limiter {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxPrincipals <= 0 {
		c.MaxPrincipals = DefaultMaxPrincipals
	}
	if c.MaxAccounts <= 0 {
		c.MaxAccounts = DefaultMaxAccounts
	}
	accounts := make(map[string]Limits, len(c.Accounts))
	for id, l := range c.Accounts {
		accounts[id] = l
	}
	return &Limiter{def: c.Default, accounts: accounts, now: c.Now,
		principals: newLRU(c.MaxPrincipals), accts: newLRU(c.MaxAccounts)}
}

// Reason says which bucket refused a request.
type Reason int

// Reasons of Allow.
const (
	Admitted        Reason = iota
	PrincipalBucket        // the principal's bucket is empty
	AccountBucket          // the account's bucket is empty
)

// Allow admits one request of principal (any stable name of the caller,
// unique within its account) in account, taking a token from both of their
// buckets, or refuses it and takes none.
func (l *Limiter) Allow(account, principal string) Reason {
	lim, ok := l.accounts[account]
	if !ok {
		lim = l.def
	}
	if lim.Principal.Rate <= 0 && lim.Account.Rate <= 0 {
		return Admitted
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var pb, ab *bucket
	if lim.Principal.Rate > 0 {
		pb = l.take(l.principals, account+"\x00"+principal, lim.Principal, now)
		if pb.tokens < 1 {
			l.byPrincipal.Add(1)
			return PrincipalBucket
		}
	}
	if lim.Account.Rate > 0 {
		ab = l.take(l.accts, account, lim.Account, now)
		if ab.tokens < 1 {
			l.byAccount.Add(1)
			return AccountBucket
		}
	}
	if pb != nil {
		pb.tokens--
	}
	if ab != nil {
		ab.tokens--
	}
	return Admitted
}

// take returns the bucket of key refilled to now, creating it full.
func (l *Limiter) take(c *lru, key string, lim Limit, now time.Time) *bucket {
	b, evicted := c.get(key)
	if evicted {
		l.evicted.Add(1)
	}
	burst := float64(max(lim.Burst, 1))
	if b.last.IsZero() {
		b.tokens, b.last = burst, now
		return b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*lim.Rate)
		b.last = now
	}
	return b
}

// Throttled is the number of requests refused so far.
func (l *Limiter) Throttled() uint64 { return l.byPrincipal.Load() + l.byAccount.Load() }

// ThrottledBy splits Throttled by the bucket that refused.
func (l *Limiter) ThrottledBy() (principal, account uint64) {
	return l.byPrincipal.Load(), l.byAccount.Load()
}

// Evicted is the number of buckets dropped to stay within the bounds.
func (l *Limiter) Evicted() uint64 { return l.evicted.Load() }

// Tracked is the number of principal and account buckets held now.
func (l *Limiter) Tracked() (principals, accounts int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.principals.order.Len(), l.accts.order.Len()
}

// bucket is one token bucket.
type bucket struct {
	key    string
	tokens float64
	last   time.Time // zero: new
}

// lru holds at most max buckets, dropping the least recently used.
type lru struct {
	max   int
	index map[string]*list.Element
	order *list.List // of *bucket, most recently used first
}

func newLRU(max int) *lru {
	return &lru{max: max, index: map[string]*list.Element{}, order: list.New()}
}

// get returns key's bucket (new and zero if absent), marking it used; it
// reports whether another bucket was dropped to make room.
func (c *lru) get(key string) (*bucket, bool) {
	if e, ok := c.index[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*bucket), false
	}
	evicted := false
	if c.order.Len() >= c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.index, old.Value.(*bucket).key)
		evicted = true
	}
	b := &bucket{key: key}
	c.index[key] = c.order.PushFront(b)
	return b, evicted
}
