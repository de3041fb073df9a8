package postgres

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// noWait is a Sleep that does not wait: tests never depend on timing.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func testConfig() Config { return Config{Sleep: noWait, MaxAttempts: 50} }

// open opens the database at dsn; the store is closed with the test.
func open(t testing.TB, dsn string, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dsns := map[string]string{} // a storetest dir names one database
	storetest.Run(t, func(t testing.TB, dir string) store.Store {
		mu.Lock()
		dsn, ok := dsns[dir]
		if !ok {
			dsn = pg.DSN(t)
			dsns[dir] = dsn
		}
		mu.Unlock()
		return open(t, dsn, testConfig())
	})
}
