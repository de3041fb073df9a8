package quota

import (
	"fmt"
	"testing"
	"time"
)

// clock is a test clock moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

// drain calls Allow n times and returns how many were admitted.
func drain(l *Limiter, account, principal string, n int) int {
	ok := 0
	for i := 0; i < n; i++ {
		if l.Allow(account, principal) == Admitted {
			ok++
		}
	}
	return ok
}

func TestPrincipalThrottledOthersServed(t *testing.T) {
	c := newClock()
	l := New(Config{Default: Limits{Principal: Limit{Rate: 2, Burst: 4}, Account: Limit{Rate: 100, Burst: 100}}, Now: c.now})
	if got := drain(l, "111122223333", "alice", 10); got != 4 {
		t.Fatalf("alice admitted %d of 10 with burst 4", got)
	}
	if r := l.Allow("111122223333", "alice"); r != PrincipalBucket {
		t.Fatalf("alice after her burst: %v, want PrincipalBucket", r)
	}
	// Bob, of the same account, is served in full.
	if got := drain(l, "111122223333", "bob", 4); got != 4 {
		t.Fatalf("bob admitted %d of 4 while alice is throttled", got)
	}
	if p, a := l.ThrottledBy(); p != 7 || a != 0 || l.Throttled() != 7 {
		t.Fatalf("throttled by principal %d, by account %d, total %d; want 7, 0, 7", p, a, l.Throttled())
	}
	// Half a second refills one token at 2/s.
	c.advance(500 * time.Millisecond)
	if got := drain(l, "111122223333", "alice", 3); got != 1 {
		t.Fatalf("alice after 0.5 s at 2/s: admitted %d, want 1", got)
	}
	// A long pause refills to the burst, never beyond.
	c.advance(time.Hour)
	if got := drain(l, "111122223333", "alice", 10); got != 4 {
		t.Fatalf("alice after an hour: admitted %d, want the burst 4", got)
	}
}

func TestAccountLimit(t *testing.T) {
	c := newClock()
	l := New(Config{Default: Limits{Principal: Limit{Rate: 10, Burst: 10}, Account: Limit{Rate: 5, Burst: 12}}, Now: c.now})
	// Three principals share the account's 12 tokens.
	got := drain(l, "111122223333", "a", 5) + drain(l, "111122223333", "b", 5) + drain(l, "111122223333", "c", 5)
	if got != 12 {
		t.Fatalf("admitted %d across the account, want its burst 12", got)
	}
	if r := l.Allow("111122223333", "d"); r != AccountBucket {
		t.Fatalf("a fresh principal of a spent account: %v, want AccountBucket", r)
	}
	// Another account is not affected.
	if got := drain(l, "444455556666", "a", 10); got != 10 {
		t.Fatalf("another account admitted %d of 10", got)
	}
	if _, a := l.ThrottledBy(); a != 4 {
		t.Fatalf("throttled by account: %d, want 4", a)
	}
	// The account refills at 5/s.
	c.advance(time.Second)
	if got := drain(l, "111122223333", "e", 10); got != 5 {
		t.Fatalf("after 1 s at 5/s: admitted %d, want 5", got)
	}
}

// A principal refused by its own bucket takes nothing from its account's.
func TestThrottledPrincipalDoesNotDrainAccount(t *testing.T) {
	c := newClock()
	l := New(Config{Default: Limits{Principal: Limit{Rate: 1, Burst: 2}, Account: Limit{Rate: 1, Burst: 5}}, Now: c.now})
	if got := drain(l, "111122223333", "noisy", 1000); got != 2 {
		t.Fatalf("noisy admitted %d, want 2", got)
	}
	if got := drain(l, "111122223333", "quiet", 3); got != 2 {
		t.Fatalf("quiet admitted %d, want 2 (its own burst)", got)
	}
	if got := drain(l, "111122223333", "third", 3); got != 1 {
		t.Fatalf("third admitted %d, want the account's last token", got)
	}
}

func TestAccountOverridesAndUnlimited(t *testing.T) {
	c := newClock()
	l := New(Config{
		Default: Limits{Principal: Limit{Rate: 1, Burst: 1}, Account: Limit{Rate: 1, Burst: 1}},
		Accounts: map[string]Limits{
			"444455556666": {Principal: Limit{Rate: 1, Burst: 3}, Account: Limit{Rate: 10, Burst: 10}},
			"777788889999": {}, // no limit at all
		},
		Now: c.now,
	})
	if got := drain(l, "111122223333", "p", 5); got != 1 {
		t.Fatalf("default account admitted %d, want 1", got)
	}
	if got := drain(l, "444455556666", "p", 5); got != 3 {
		t.Fatalf("overridden account admitted %d, want 3", got)
	}
	if got := drain(l, "777788889999", "p", 1000); got != 1000 {
		t.Fatalf("unlimited account admitted %d of 1000", got)
	}
	if p, a := l.Tracked(); p != 2 || a != 2 {
		t.Fatalf("tracked %d principals and %d accounts; an unlimited account needs none", p, a)
	}
}

// TestBoundedMemory: however many principals call, at most MaxPrincipals
// buckets are kept; the least recently used goes first.
func TestBoundedMemory(t *testing.T) {
	c := newClock()
	l := New(Config{Default: Limits{Principal: Limit{Rate: 1, Burst: 1}, Account: Limit{Rate: 1e6, Burst: 1e6}}, MaxPrincipals: 3, MaxAccounts: 2, Now: c.now})
	if got := drain(l, "111122223333", "first", 2); got != 1 {
		t.Fatalf("first admitted %d, want 1", got)
	}
	for i := 0; i < 1000; i++ {
		l.Allow("111122223333", fmt.Sprintf("p%d", i))
		if p, a := l.Tracked(); p > 3 || a > 2 {
			t.Fatalf("after %d principals: %d principal and %d account buckets, bound 3 and 2", i+1, p, a)
		}
	}
	if l.Evicted() != 998 {
		t.Fatalf("evicted %d buckets, want 998", l.Evicted())
	}
	// "first" was the idlest and was dropped: it starts again full.
	if r := l.Allow("111122223333", "first"); r != Admitted {
		t.Fatalf("first after eviction: %v", r)
	}
	// The most recent ones are still held, still empty.
	if r := l.Allow("111122223333", "p999"); r != PrincipalBucket {
		t.Fatalf("p999, used last: %v, want PrincipalBucket", r)
	}
	// Accounts are bounded the same way.
	for i := 0; i < 10; i++ {
		l.Allow(fmt.Sprintf("%012d", i), "x")
	}
	if _, a := l.Tracked(); a != 2 {
		t.Fatalf("%d account buckets, bound 2", a)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newClock()
	l := New(Config{Default: Limits{Principal: Limit{Rate: 1, Burst: 50}, Account: Limit{Rate: 1, Burst: 1000}}, Now: c.now})
	done := make(chan int)
	for g := 0; g < 8; g++ {
		go func() { done <- drain(l, "111122223333", "shared", 100) }()
	}
	total := 0
	for g := 0; g < 8; g++ {
		total += <-done
	}
	if total != 50 {
		t.Fatalf("8 goroutines admitted %d in all, want the burst 50", total)
	}
	if l.Throttled() != 750 {
		t.Fatalf("throttled %d, want 750", l.Throttled())
	}
}
