package pgtest

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

var pg Shared

func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.Stop(); err != nil {
		println("pgtest: stop:", err.Error())
		code = 1
	}
	os.Exit(code)
}

// Two calls give two distinct, empty, usable databases.
func TestFreshDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := pg.DSN(t), pg.DSN(t)
	if a == b {
		t.Fatalf("same database twice: %s", a)
	}
	for _, dsn := range []string{a, b} {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (x INT)`); err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: %d, %v", dsn, n, err)
		}
		db.Close()
	}
}
