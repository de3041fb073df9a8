package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Schema levels: what a database's tables can hold, numbered by the SQLite
// migration that added each feature. A store whose schema is complete
// passes SchemaLatest; SQLite passes an older level only when it reads an
// older database without migrating it (sqlite.OpenReadOnly).
const (
	// SchemaInstallation added the installation record and blob holds.
	SchemaInstallation = 6
	// SchemaListing added objects' storage_class and buckets' region.
	SchemaListing = 9
	// SchemaVersions added object versions.
	SchemaVersions = 10
	// SchemaLifecycle added lifecycle cursors.
	SchemaLifecycle = 11
	// SchemaCluster added leases and freed blobs.
	SchemaCluster = 13
	// SchemaLatest is the level of a fully migrated database.
	SchemaLatest = 13
)

// Tx implements store.Tx over one SQL transaction. It is not safe for
// concurrent use (neither is a *sql.Tx).
type Tx struct {
	tx      *sql.Tx
	d       Dialect
	bumped  bool
	schema  int              // the database's schema level
	now     func() time.Time // the Store's clock (blob holds lapse by it)
	rebinds bool             // d rewrites placeholders
	guards  bool             // d.AbortsOnError: renames run in savepoints
	stmts   *Stmts           // prepared statements, when the driver needs them cached
	held    map[string]bool  // the key and bucket locks taken (scope.go)
	// A scoped transaction (Enter): its scope, how many methods within it
	// are running, and whether a statement ran outside it.
	scope  store.Scope
	scoped bool
	// scopeBucket is the scope's bucket record as Enter read it ("": no
	// such bucket); nil when Enter did not read it.
	scopeBucket *string
	inside      int
	strayed     bool
}

var _ store.Tx = (*Tx)(nil)

// NewTx wraps tx. schema is the database's schema level (SchemaLatest
// unless reading an older database); now is the store's clock.
func NewTx(tx *sql.Tx, d Dialect, schema int, now func() time.Time) *Tx {
	return &Tx{tx: tx, d: d, schema: schema, now: now, rebinds: d.Placeholder(1) != "?", guards: d.AbortsOnError()}
}

// Bumped reports whether fn changed IAM data: the store must then bump the
// IAM generation (BumpGeneration) before it commits.
func (t *Tx) Bumped() bool { return t.bumped }

// Run calls fn with t; a panic becomes fn's error, so that one caller's bug
// cannot stall a store's writers.
func Run(fn func(store.Tx) error, t *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlstore: transaction function panicked: %v", r)
		}
	}()
	return fn(t)
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ReadGeneration reads the IAM generation counter (the meta row).
func ReadGeneration(ctx context.Context, q queryer, d Dialect) (int64, error) {
	var g int64
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'iam_generation'`).Scan(&g)
	return g, MapError(d, err)
}

// BumpGeneration increments the IAM generation counter inside tx and
// returns its new value.
func BumpGeneration(ctx context.Context, tx *sql.Tx, d Dialect) (int64, error) {
	var g int64
	err := tx.QueryRowContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'iam_generation' RETURNING value`).Scan(&g)
	return g, MapError(d, err)
}

// MapError turns driver errors into store sentinels: no rows is
// store.ErrNotFound; what the dialect classifies as a duplicate key or a
// conflict wraps store.ErrExists or store.ErrConflict (keeping the
// driver's message).
func MapError(d Dialect, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if kind := d.Classify(err); kind != nil {
		return fmt.Errorf("%w: %v", kind, err)
	}
	return err
}

func (t *Tx) mapErr(err error) error { return MapError(t.d, err) }

// Rebind rewrites the ? placeholders of q into the dialect's form; ? inside
// single-quoted literals is left alone.
func Rebind(d Dialect, q string) string {
	if d.Placeholder(1) == "?" || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteString(d.Placeholder(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (t *Tx) rebind(q string) string {
	if !t.rebinds {
		return q
	}
	return Rebind(t.d, q)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	t.stray()
	q = t.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.stray()
	q = t.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// execRaw runs a statement without bumping the IAM generation.
func (t *Tx) execRaw(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.stray()
	q = t.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// execRename runs an IAM UPDATE that must change exactly one row and may
// collide with another row's unique name (store.ErrExists). Where an error
// aborts the transaction (Dialect.AbortsOnError) it runs in a savepoint, so
// that the caller may handle the collision and go on, as on SQLite.
// (Inserts that may collide are written ON CONFLICT: see create.)
func (t *Tx) execRename(ctx context.Context, q string, args ...any) error {
	if !t.guards {
		return t.execOne(ctx, q, args...)
	}
	t.stray()
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT rename`); err != nil {
		return t.mapErr(err)
	}
	err := t.execOne(ctx, q, args...)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		if _, rerr := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT rename`); rerr != nil {
			return errors.Join(err, t.mapErr(rerr))
		}
	}
	if _, rerr := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT rename`); rerr != nil && err == nil {
		return t.mapErr(rerr)
	}
	return err
}

// exec runs a statement that changes IAM data: it bumps the generation.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.execRaw(ctx, q, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	t.bumped = true
	return res, nil
}

// create runs a one-row INSERT … VALUES … ON CONFLICT DO NOTHING: when no
// row went in the key is taken, store.ErrExists. (Not a unique violation:
// under PostgreSQL's SERIALIZABLE, a key that a concurrent transaction took
// and this one cannot see then fails as a serialization failure, which
// Update retries, rather than as a duplicate.) iam says whether the row is
// IAM data (it bumps the generation).
func (t *Tx) create(ctx context.Context, iam bool, q string, args ...any) error {
	res, err := t.execRaw(ctx, q, args...)
	if err != nil {
		return t.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	t.bumped = t.bumped || iam
	return nil
}

// execOne runs an IAM statement that must change exactly one row.
func (t *Tx) execOne(ctx context.Context, q string, args ...any) error {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// execS3 runs a statement that changes no IAM data.
func (t *Tx) execS3(ctx context.Context, q string, args ...any) error {
	_, err := t.execRaw(ctx, q, args...)
	return t.mapErr(err)
}

// Installation record and blob holds.

func (t *Tx) GetInstallation(ctx context.Context) (*store.Installation, error) {
	if t.schema < SchemaInstallation {
		return nil, store.ErrNotFound // a database from before the record existed
	}
	in := &store.Installation{}
	var updated int64
	err := t.queryRow(ctx, `SELECT master_key_check, default_account, updated_at FROM installation WHERE id = 1`).
		Scan(&in.MasterKeyCheck, &in.DefaultAccount, &updated)
	if err != nil {
		return nil, t.mapErr(err)
	}
	in.UpdatedAt = fromNanos(updated)
	return in, nil
}

func (t *Tx) PutInstallation(ctx context.Context, in *store.Installation) error {
	return t.execS3(ctx, `INSERT INTO installation (id, master_key_check, default_account, updated_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET master_key_check = excluded.master_key_check, default_account = excluded.default_account,
		updated_at = excluded.updated_at`, in.MasterKeyCheck, in.DefaultAccount, nanos(in.UpdatedAt))
}

// HoldBlobs creates or extends the blob hold id until the given time: until
// then (by the clock of each process reading the store), BlobReferenced
// answers true for every blob. See sqlite.Store.HoldBlobs.
func (t *Tx) HoldBlobs(ctx context.Context, id string, until time.Time) error {
	return t.execS3(ctx, `INSERT INTO blob_holds (id, until) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET until = excluded.until`,
		id, until.UnixNano())
}

// ReleaseBlobHold ends the hold id and drops holds that have lapsed.
func (t *Tx) ReleaseBlobHold(ctx context.Context, id string) error {
	return t.execS3(ctx, `DELETE FROM blob_holds WHERE id = ? OR until <= ?`, id, t.now().UnixNano())
}
