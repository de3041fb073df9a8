package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestReadyAllPass(t *testing.T) {
	c := New(time.Minute, Check{Name: "a", Probe: func(context.Context) error { return nil }},
		Check{Name: "b", Probe: func(context.Context) error { return nil }})
	w := httptest.NewRecorder()
	c.ReadyHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	var rep Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || rep.Status != "ready" || len(rep.Checks) != 2 || rep.Checks[0].Name != "a" || !rep.Checks[1].OK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestReadyNamesTheFailure(t *testing.T) {
	c := New(time.Minute, Check{Name: "store", Probe: func(context.Context) error { return errors.New("locked") }},
		Check{Name: "blobs", Probe: func(context.Context) error { return nil }})
	w := httptest.NewRecorder()
	c.ReadyHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	if w.Code != 503 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	var rep Report
	json.Unmarshal(w.Body.Bytes(), &rep)
	if rep.Status != "unavailable" || strings.Join(rep.Failed, ",") != "store" || rep.Checks[0].Error != "locked" || !rep.Checks[1].OK {
		t.Fatalf("%s", w.Body)
	}
}

// A probe that ignores its context: Ready still returns (after the
// timeout), and concurrent and later Readys join the one run in progress
// instead of starting more.
func TestReadyBoundedAndSingleFlight(t *testing.T) {
	release := make(chan struct{})
	var runs atomic.Int32
	c := New(20*time.Millisecond, Check{Name: "stuck", Probe: func(context.Context) error {
		runs.Add(1)
		<-release // ignores ctx
		return nil
	}})
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep := c.Ready(context.Background())
			if rep.Status != "unavailable" || !strings.Contains(rep.Checks[0].Error, "timed out") {
				t.Errorf("stuck probe: %+v", rep)
			}
		}()
	}
	wg.Wait()
	if rep := c.Ready(context.Background()); rep.Status != "unavailable" {
		t.Errorf("still stuck: %+v", rep)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs of a stuck probe, want 1", n)
	}
	close(release)
	// Once the run ends with success, Ready reports ready.
	for try := 0; ; try++ {
		if rep := c.Ready(context.Background()); rep.Status == "ready" {
			break
		}
		if try == 10000 {
			t.Fatal("never ready after the probe returned")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDrain(t *testing.T) {
	c := New(time.Minute, Check{Name: "a", Probe: func(context.Context) error { return nil }})
	c.Drain()
	w := httptest.NewRecorder()
	c.ReadyHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	if w.Code != 503 || !strings.Contains(w.Body.String(), `"status":"draining"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestLiveAndMethods(t *testing.T) {
	w := httptest.NewRecorder()
	LiveHandler().ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/health/live", nil))
	if w.Code != 200 {
		t.Fatalf("HEAD live: %d", w.Code)
	}
	w = httptest.NewRecorder()
	LiveHandler().ServeHTTP(w, httptest.NewRequest(http.MethodDelete, "/health/live", nil))
	if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Fatalf("DELETE live: %d", w.Code)
	}
}

type walker struct {
	blob.Store
	keys []string
	err  error
}

func (w walker) Walk(ctx context.Context, fn func(string, time.Time) error) error {
	for _, k := range w.keys {
		if err := fn(k, time.Time{}); err != nil {
			return err
		}
	}
	return w.err
}

// pingingWalker is a blob store with the Ping capability.
type pingingWalker struct {
	walker
	ping error
}

func (p pingingWalker) Ping(context.Context) error { return p.ping }

type viewer struct {
	store.Store
	err error
}

func (v viewer) View(ctx context.Context, fn func(store.Tx) error) error {
	if v.err != nil {
		return v.err
	}
	return fn(tx{})
}

type tx struct{ store.Tx }

func (tx) GetAccount(context.Context, string) (*store.Account, error) { return nil, store.ErrNotFound }

func TestProbes(t *testing.T) {
	ctx := context.Background()
	if err := Blobs(walker{keys: []string{"a", "b"}}).Probe(ctx); err != nil {
		t.Errorf("blobs with keys: %v", err)
	}
	if err := Blobs(walker{}).Probe(ctx); err != nil {
		t.Errorf("no blobs: %v", err)
	}
	if err := Blobs(walker{err: errors.New("gone")}).Probe(ctx); err == nil {
		t.Error("a failing walk passed")
	}
	// A store that pings is probed by its ping, not a walk.
	if err := Blobs(pingingWalker{walker: walker{err: errors.New("walked")}}).Probe(ctx); err != nil {
		t.Errorf("a store that pings was walked: %v", err)
	}
	if err := Blobs(pingingWalker{ping: errors.New("down")}).Probe(ctx); err == nil {
		t.Error("a failing ping passed")
	}
	if err := Store(viewer{}).Probe(ctx); err != nil {
		t.Errorf("store without the probed account: %v", err)
	}
	if err := Store(viewer{err: errors.New("locked")}).Probe(ctx); err == nil {
		t.Error("a failing store passed")
	}
}
