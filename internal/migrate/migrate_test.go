package migrate_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/migrate"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// tables lists the names q returns, sorted.
func tables(t *testing.T, q func() (*sql.Rows, error)) []string {
	t.Helper()
	rows, err := q()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// known is every table the copier copies or skips.
func known() []string {
	out := migrate.Tables()
	for t := range migrate.Skipped() {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// The copier knows exactly the tables of a fully migrated SQLite store,
// and those of a migrated PostgreSQL database: a migration that adds a
// table fails this test until the copier copies or skips it.
func TestTablesMatchSchemas(t *testing.T) {
	_, raw, dst := stores(t)
	got := tables(t, func() (*sql.Rows, error) {
		return raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	})
	if !slices.Equal(got, known()) {
		t.Errorf("SQLite tables:\n %v\nthe copier knows:\n %v", got, known())
	}
	err := dst.WriteRaw(context.Background(), func(tx *sql.Tx) error {
		got = tables(t, func() (*sql.Rows, error) {
			return tx.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pgKnown := known()
	for t := range migrate.TargetOnly() {
		pgKnown = append(pgKnown, t)
	}
	sort.Strings(pgKnown)
	if !slices.Equal(got, pgKnown) {
		t.Errorf("PostgreSQL tables:\n %v\nthe copier knows:\n %v", got, pgKnown)
	}
}

// stores makes a migrated SQLite store, returning its path and its raw
// database for the test's writes (to close before openRO), and a migrated,
// empty PostgreSQL database.
func stores(t *testing.T) (string, *sql.DB, *postgres.Store) { return storesTB(t) }

func storesTB(t testing.TB) (string, *sql.DB, *postgres.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	dst, err := postgres.Open(context.Background(), pg.DSN(t), postgres.Config{NoListen: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	return path, raw, dst
}

func openRO(t *testing.T, path string) *sqlite.Store { return openROTB(t, path) }

func openROTB(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	ro, err := sqlite.OpenReadOnly(path, sqlite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// read runs one query on the target and scans its single row.
func read(t *testing.T, dst *postgres.Store, q string, into ...any) {
	t.Helper()
	err := dst.WriteRaw(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(q).Scan(into...)
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func config(src *sqlite.Store, dst *postgres.Store) migrate.Config {
	return migrate.Config{Source: src, Target: dst, Schema: sqlstore.SchemaLatest}
}

// Values arrive exactly (text, BIGINT nanos beyond 2^53, bytes that are
// not UTF-8, NULL), the seeded meta row is replaced by the source's, and
// the skipped tables stay behind.
func TestCopyKeepsValues(t *testing.T) {
	ctx := context.Background()
	path, raw, dst := stores(t)
	exec(t, raw, `UPDATE meta SET value = 4242 WHERE key = 'iam_generation'`)
	exec(t, raw, `INSERT INTO installation (id, master_key_check, default_account, updated_at) VALUES (1, ?, 'acct', ?)`, []byte{0, 0xff, 1, 0x80}, int64(1<<62+7))
	exec(t, raw, `INSERT INTO accounts (id, name, created_at) VALUES ('111122223333', 'n€', ?)`, int64(1<<60+3))
	exec(t, raw, `INSERT INTO token_keys (id, sealed, state, created_at) VALUES (7, ?, 'active', 1)`, []byte{9, 8, 0, 7})
	exec(t, raw, `INSERT INTO mfa_devices (serial, account, data) VALUES ('s1', 'a', '{"z":1,"a":"é"}')`)
	exec(t, raw, `INSERT INTO blob_holds (id, until) VALUES ('backup-x', 1)`)
	exec(t, raw, `INSERT INTO leases (name, holder, until) VALUES ('sweep', 'node', 1)`)
	// Enough rows for several INSERT batches.
	for i := range 3000 {
		exec(t, raw, `INSERT INTO group_members (account, group_id, user_id) VALUES ('a', 'g', ?)`, fmt.Sprintf("u%05d", i))
	}
	raw.Close()
	sum, err := migrate.Run(ctx, config(openRO(t, path), dst))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows["group_members"] != 3000 || sum.Rows["meta"] != 1 || sum.Rows["installation"] != 1 || sum.Tables != len(migrate.Tables()) {
		t.Fatalf("summary: %+v", sum)
	}
	var gen, upd, created int64
	var check, sealed []byte
	var name, data string
	read(t, dst, `SELECT value FROM meta WHERE key = 'iam_generation'`, &gen)
	read(t, dst, `SELECT master_key_check, updated_at FROM installation`, &check, &upd)
	read(t, dst, `SELECT name, created_at FROM accounts`, &name, &created)
	read(t, dst, `SELECT sealed FROM token_keys WHERE id = 7`, &sealed)
	read(t, dst, `SELECT data FROM mfa_devices`, &data)
	if gen != 4242 || !bytes.Equal(check, []byte{0, 0xff, 1, 0x80}) || upd != 1<<62+7 || name != "n€" || created != 1<<60+3 ||
		!bytes.Equal(sealed, []byte{9, 8, 0, 7}) || data != `{"z":1,"a":"é"}` {
		t.Fatalf("copied values: gen %d check %x upd %d name %q created %d sealed %x data %s", gen, check, upd, name, created, sealed, data)
	}
	var holds, leases, members int64
	read(t, dst, `SELECT COUNT(*) FROM blob_holds`, &holds)
	read(t, dst, `SELECT COUNT(*) FROM leases`, &leases)
	read(t, dst, `SELECT COUNT(*) FROM group_members`, &members)
	if holds != 0 || leases != 0 || members != 3000 {
		t.Fatalf("blob_holds %d, leases %d, group_members %d", holds, leases, members)
	}

	// A second run finds the target full and writes nothing.
	_, err = migrate.Run(ctx, config(openRO(t, path), dst))
	if !errors.Is(err, migrate.ErrTargetNotEmpty) {
		t.Fatalf("second run: %v", err)
	}
	read(t, dst, `SELECT COUNT(*) FROM group_members`, &members)
	if members != 3000 {
		t.Fatalf("group_members after the refused run: %d", members)
	}
}

// A source table the copier does not know (a later migration's) fails
// the run before anything is written.
func TestUnknownTableRefused(t *testing.T) {
	path, raw, dst := stores(t)
	exec(t, raw, `INSERT INTO accounts (id, name, created_at) VALUES ('111122223333', 'n', 1)`)
	exec(t, raw, `CREATE TABLE widgets (id TEXT PRIMARY KEY)`)
	raw.Close()
	_, err := migrate.Run(context.Background(), config(openRO(t, path), dst))
	if !errors.Is(err, migrate.ErrUnknownTable) || !strings.Contains(err.Error(), "widgets") {
		t.Fatalf("run: %v", err)
	}
	var n int64
	read(t, dst, `SELECT COUNT(*) FROM accounts`, &n)
	if n != 0 {
		t.Fatalf("accounts written: %d", n)
	}
}

// A failure in the middle of the copy (a value the target refuses) rolls
// the whole transaction back: the target stays empty, and a fixed source
// then migrates.
func TestFailureLeavesTargetEmpty(t *testing.T) {
	ctx := context.Background()
	path, raw, dst := stores(t)
	exec(t, raw, `INSERT INTO accounts (id, name, created_at) VALUES ('111122223333', 'n', 1)`)
	exec(t, raw, `INSERT INTO buckets (name, account, created_at, data) VALUES ('b', 'a', 'not a number', '{}')`)
	raw.Close()
	_, err := migrate.Run(ctx, config(openRO(t, path), dst))
	if !errors.Is(err, migrate.ErrSchemaMismatch) {
		t.Fatalf("run: %v", err)
	}
	var n, gen int64
	read(t, dst, `SELECT COUNT(*) FROM accounts`, &n)
	read(t, dst, `SELECT value FROM meta WHERE key = 'iam_generation'`, &gen)
	if n != 0 || gen != 1 {
		t.Fatalf("after the failed run: %d accounts, generation %d", n, gen)
	}
}

// A source at an older schema level is refused.
func TestOlderSourceRefused(t *testing.T) {
	path, raw, dst := stores(t)
	exec(t, raw, `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`)
	raw.Close()
	_, err := migrate.Run(context.Background(), config(openRO(t, path), dst))
	if !errors.Is(err, migrate.ErrSourceSchema) {
		t.Fatalf("run: %v", err)
	}
}
