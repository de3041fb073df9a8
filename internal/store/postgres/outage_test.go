package postgres

import (
	"database/sql"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
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
