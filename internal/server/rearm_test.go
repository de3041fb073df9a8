package server

import (
	"testing"
	"time"
)

// TestRearm: a request's first read or write always sets its deadline (the
// connection's is a previous request's); later ones move it only once less
// than the timeout is left, so every call has at least the timeout and a
// stalled client is cut off within a quarter more.
func TestRearm(t *testing.T) {
	const timeout = 60 * time.Second
	window := rearmedWindow(timeout)
	if window != 75*time.Second {
		t.Fatalf("window %v", window)
	}
	t0 := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	armed := t0.Add(window)
	for _, c := range []struct {
		until time.Time
		now   time.Time
		want  bool
	}{
		{time.Time{}, t0, true},                   // nothing set by this request
		{armed, t0, false},                        // just set
		{armed, t0.Add(15 * time.Second), false},  // exactly the timeout left
		{armed, t0.Add(15*time.Second + 1), true}, // less than the timeout left
		{armed, t0.Add(2 * timeout), true},        // long past
		{armed, t0.Add(-time.Hour), false},        // clock stepped back: more than the timeout left
	} {
		if got := rearm(c.until, c.now, timeout); got != c.want {
			t.Errorf("rearm(until %v, now %v) = %v, want %v", c.until.Sub(t0), c.now.Sub(t0), got, c.want)
		}
		// What rearm leaves (or sets) gives the call at least the timeout,
		// and, once set by this request, no more than the window.
		until := c.until
		if rearm(c.until, c.now, timeout) {
			until = c.now.Add(window)
		}
		if left := until.Sub(c.now); left < timeout || (c.now.After(t0) && left > window) {
			t.Errorf("until %v, now %v: %v left", c.until.Sub(t0), c.now.Sub(t0), left)
		}
	}
}
