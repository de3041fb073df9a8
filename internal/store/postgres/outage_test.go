package postgres

import (
	"database/sql"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// When PostgreSQL drops every connection of a node (a restart, a
// failover), the node recovers without being reopened: the pool opens new
// connections and the listener reconnects.
func TestRecoversFromDroppedConnections(t *testing.T) {
	dsn := pg.DSN(t)
	s := open(t, dsn, testConfig())
	waitListening(t, s)
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "1", Name: "one"})
	}); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&killed); err != nil || killed == 0 {
		t.Fatalf("terminated %d backends: %v", killed, err)
	}
	// A bounded number of tries: a request may fail on a connection that
	// died, the next ones must not.
	var lastErr error
	for i := 0; i < 5; i++ {
		if lastErr = s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateAccount(ctx, &store.Account{ID: "2", Name: "two"})
		}); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("no recovery: %v", lastErr)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetAccount(ctx, "2"); return err }); err != nil {
		t.Fatal(err)
	}
	for i := 0; !s.listening.Load(); i++ { // the listener reconnects (it was dropped too)
		if i == 6000 {
			t.Fatal("the listener never reconnected")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A PostgreSQL restart under a running store: requests fail while it is
// down and succeed again once it is back, without reopening the store; the
// listener reconnects, so another node's IAM change reaches this one by
// NOTIFY again.
func TestRecoversFromRestart(t *testing.T) {
	c, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	dsn, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	s := open(t, dsn, Config{MaxAttempts: 3, Now: func() time.Time { return frozen }})
	waitListening(t, s)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateAccount(ctx, &store.Account{ID: "1", Name: "one"}) }); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for range 5 { // a request may meet a connection that died; the next ones must not
		if lastErr = s.Update(ctx, func(tx store.Tx) error { return tx.CreateAccount(ctx, &store.Account{ID: "2", Name: "two"}) }); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("no recovery after the restart: %v", lastErr)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetAccount(ctx, "1"); return err }); err != nil {
		t.Fatalf("data from before the restart: %v", err)
	}
	for i := 0; !s.listening.Load(); i++ {
		if i == 6000 {
			t.Fatal("the listener never reconnected after the restart")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Another node's IAM change arrives by NOTIFY (this store's clock never
	// moves, so its poll cannot be what brings it).
	before, err := s.IAMGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := open(t, dsn, Config{})
	if err := other.Update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Account: "1", ID: "AIDAEXAMPLE", Name: "after-restart", Path: "/"})
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		g, err := s.IAMGeneration(ctx)
		if err == nil && g > before {
			break
		}
		if i == 6000 {
			t.Fatalf("another node's change never reached this store after the restart (generation %d, %v)", g, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
