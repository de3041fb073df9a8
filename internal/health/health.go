// Package health answers liveness and readiness probes.
//
// Live says the process serves HTTP. Ready runs every named Check with a
// timeout and answers 200 when all pass, 503 otherwise, with a JSON body
// naming each check and the failure of those that failed; it also answers
// 503 once the server drains (Drain), so a load balancer stops sending
// requests before the listener closes.
//
// A probe is bounded: Ready waits at most the timeout (real time, like a
// socket deadline) for it, whether or
// not the probe honours its context. A probe that is still running when the
// next Ready comes is not started again — the new Ready waits for the same
// run — so a hung backend holds one goroutine per check, never one per
// probe request.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Check is one dependency readiness needs.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// Checker runs the checks.
type Checker struct {
	timeout  time.Duration
	checks   []*check
	draining atomic.Bool
}

type check struct {
	Check
	mu     sync.Mutex
	flight *flight // the run in progress, nil when none
}

// flight is one run of a probe; err is set before done closes.
type flight struct {
	done chan struct{}
	err  error
}

// New returns a Checker running checks, each bounded by timeout.
func New(timeout time.Duration, checks ...Check) *Checker {
	c := &Checker{timeout: timeout}
	for _, ch := range checks {
		c.checks = append(c.checks, &check{Check: ch})
	}
	return c
}

// Drain makes every later Ready fail: the server is shutting down.
func (c *Checker) Drain() { c.draining.Store(true) }

// Result is one check's outcome.
type Result struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Report is the answer to a readiness probe.
type Report struct {
	Status string   `json:"status"` // "ready", "unavailable" or "draining"
	Failed []string `json:"failed,omitempty"`
	Checks []Result `json:"checks"`
}

// Ready runs every check concurrently and reports.
func (c *Checker) Ready(ctx context.Context) Report {
	rep := Report{Status: "ready", Checks: make([]Result, len(c.checks))}
	var wg sync.WaitGroup
	for i, ch := range c.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := Result{Name: ch.Name, OK: true}
			if err := c.run(ctx, ch); err != nil {
				res.OK, res.Error = false, err.Error()
			}
			rep.Checks[i] = res
		}()
	}
	wg.Wait()
	for _, r := range rep.Checks {
		if !r.OK {
			rep.Status = "unavailable"
			rep.Failed = append(rep.Failed, r.Name)
		}
	}
	if c.draining.Load() {
		rep.Status = "draining"
	}
	return rep
}

// errTimeout is the failure of a probe that did not answer in time.
var errTimeout = errors.New("timed out")

// run joins the check's run in progress or starts one, and waits for it
// at most the timeout.
func (c *Checker) run(ctx context.Context, ch *check) error {
	ch.mu.Lock()
	f := ch.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		ch.flight = f
		go func() {
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
			err := ch.Probe(pctx)
			cancel()
			ch.mu.Lock()
			f.err, ch.flight = err, nil
			ch.mu.Unlock()
			close(f.done)
		}()
	}
	ch.mu.Unlock()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case <-f.done:
		return f.err
	case <-t.C:
		return fmt.Errorf("%w after %s", errTimeout, c.timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LiveHandler answers 200 {"status":"live"} to GET and HEAD.
func LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnly(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "live"})
	})
}

// ReadyHandler answers GET and HEAD with the Report: 200 when ready, 503
// otherwise.
func (c *Checker) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnly(w, r) {
			return
		}
		rep := c.Ready(r.Context())
		status := http.StatusOK
		if rep.Status != "ready" {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, rep)
	})
}

func readOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// probeAccount is the account id the store probe reads; whether the
// account exists does not matter.
const probeAccount = "000000000000"

// Store checks that st answers a read: one read transaction getting one
// account record (found or not).
func Store(st store.Store) Check {
	return Check{Name: "store", Probe: func(ctx context.Context) error {
		return st.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetAccount(ctx, probeAccount)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
	}}
}

// errStop ends a blob walk at its first blob.
var errStop = errors.New("stop")

// pinger is the optional capability of a blob store with a cheaper probe
// than a listing (blob/s3blob: a HEAD of its bucket).
type pinger interface {
	Ping(ctx context.Context) error
}

// Blobs checks that b answers: its Ping where it has one, otherwise a Walk
// stopped at the first blob.
func Blobs(b blob.Store) Check {
	return Check{Name: "blobs", Probe: func(ctx context.Context) error {
		if p, ok := b.(pinger); ok {
			return p.Ping(ctx)
		}
		err := b.Walk(ctx, func(string, time.Time) error { return errStop })
		if errors.Is(err, errStop) {
			return nil
		}
		return err
	}}
}
