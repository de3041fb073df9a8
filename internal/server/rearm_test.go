package server

import (
	"testing"
	"time"
)

// TestRearm: a request's first read or write always sets its deadline (the
// connection's is a previous request's); later ones move it only once less
// than 3/4 of the timeout is left, so every call has at least that long.
func TestRearm(t *testing.T) {
	const timeout = 60 * time.Second
	t0 := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	armed := t0.Add(timeout)
	for _, c := range []struct {
		until time.Time
		now   time.Time
		want  bool
	}{
		{time.Time{}, t0, true},                   // nothing set by this request
		{armed, t0, false},                        // just set: all of it left
		{armed, t0.Add(15 * time.Second), false},  // exactly 3/4 left
		{armed, t0.Add(15*time.Second + 1), true}, // less than 3/4 left
		{armed, t0.Add(2 * timeout), true},        // long past
		{armed, t0.Add(-time.Hour), false},        // clock stepped back: more than the timeout left
	} {
		if got := rearm(c.until, c.now, timeout); got != c.want {
			t.Errorf("rearm(until %v, now %v) = %v, want %v", c.until.Sub(t0), c.now.Sub(t0), got, c.want)
		}
		// What rearm leaves (or sets) always gives the call 3/4 of the timeout.
		until := c.until
		if rearm(c.until, c.now, timeout) {
			until = c.now.Add(timeout)
		}
		if left := until.Sub(c.now); left < timeout-timeout/4 {
			t.Errorf("until %v, now %v: %v left", c.until.Sub(t0), c.now.Sub(t0), left)
		}
	}
}
