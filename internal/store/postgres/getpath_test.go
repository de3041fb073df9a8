package postgres

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// wire counts the connections a store dials and the round trips made over
// them: a round trip is a read that follows a write (the client sent, then
// waited for the server).
type wire struct {
	dials, trips atomic.Int64
}

func (w *wire) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	w.dials.Add(1)
	return &countedConn{Conn: c, w: w}, nil
}

type countedConn struct {
	net.Conn
	w    *wire
	mu   sync.Mutex
	sent bool // written since the last read
}

func (c *countedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.sent = true
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.sent {
		c.w.trips.Add(1)
		c.sent = false
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// getObjectReads is what the S3 GetObject handler asks of the store for
// one GET of an existing object: the bucket and the addressed version in
// one View (s3's loadBucketFor with prefetch), or, with twoViews, in a View
// each (as the handler did before).
func getObjectReads(ctx context.Context, s store.Store, twoViews bool, bucket, key string) error {
	lookup := func(tx store.Tx) error {
		_, err := tx.GetObject(ctx, bucket, key)
		if errors.Is(err, store.ErrNotFound) {
			_, err = tx.GetVersion(ctx, bucket, key, "")
		}
		return err
	}
	if twoViews {
		if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetBucket(ctx, bucket); return err }); err != nil {
			return err
		}
		return s.View(ctx, lookup)
	}
	return s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetBucket(ctx, bucket); err != nil {
			return err
		}
		return lookup(tx)
	})
}

// BenchmarkGetObjectReads measures the store's share of a GET of a small
// object: µs per GET (one client, and putWriters clients at once), round
// trips to PostgreSQL per GET, and connections dialled per 1,000 GETs —
// as the handler reads now (one View, the pool's default idle
// connections) and as it read before (two Views, 4 idle connections).
func BenchmarkGetObjectReads(b *testing.B) {
	for _, bc := range []struct {
		name     string
		clients  int
		twoViews bool
		maxIdle  int
	}{
		{"oneView/serial", 1, false, 0},
		{"oneView/parallel16", putWriters, false, 0},
		{"twoViews-idle4/serial", 1, true, 4},
		{"twoViews-idle4/parallel16", putWriters, true, 4},
	} {
		clients := bc.clients
		b.Run(bc.name, func(b *testing.B) {
			var w wire
			cfg := testConfig()
			cfg.Dial, cfg.NoListen, cfg.MaxIdleConns = w.dial, true, bc.maxIdle
			s := open(b, pg.DSN(b), cfg)
			makeBucket(b, s, "bench", "")
			if _, err := putSmall(ctx, s, false, "bench", "obj", "blob"); err != nil {
				b.Fatal(err)
			}
			// Warm the pool and the statement caches.
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() { defer wg.Done(); _ = getObjectReads(ctx, s, bc.twoViews, "bench", "obj") }()
			}
			wg.Wait()
			trips0, dials0 := w.trips.Load(), w.dials.Load()
			start := time.Now()
			b.ResetTimer()
			per := max(b.N/clients, 1)
			var failed atomic.Value
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range per {
						if err := getObjectReads(ctx, s, bc.twoViews, "bench", "obj"); err != nil {
							failed.Store(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
			n := float64(per * clients)
			b.ReportMetric(float64(elapsed.Microseconds())/n*float64(clients), "µs/GET/client")
			b.ReportMetric(n/elapsed.Seconds(), "GETs/s")
			b.ReportMetric(float64(w.trips.Load()-trips0)/n, "trips/GET")
			b.ReportMetric(float64(w.dials.Load()-dials0)*1000/n, "dials/1000GETs")
		})
	}
}
