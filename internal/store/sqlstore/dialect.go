package sqlstore

// Dialect is what differs between the SQL databases sqlstore runs on. Each
// store package implements it in one file (sqlite/dialect.go,
// postgres/dialect.go); everything else — the queries, row mapping, the
// JSON encoding of records, the IAM-generation flag, sentinel errors — is
// shared.
//
// Not here because both dialects accept the same text: upserts and
// insert-or-ignore are written INSERT … ON CONFLICT (…) DO UPDATE SET
// c = excluded.c and INSERT … ON CONFLICT DO NOTHING (SQLite ≥ 3.24 and
// PostgreSQL ≥ 9.5); DELETE/UPDATE … RETURNING (SQLite ≥ 3.35); row-value
// comparisons; a derived table always carries an alias (PostgreSQL < 16
// requires one). Times are stored as Unix nanoseconds in integer columns,
// so no time expression is needed in queries.
type Dialect interface {
	// Placeholder is the marker of the nth (1-based) query parameter: "?"
	// for SQLite, "$n" for PostgreSQL. Queries are written with ? and
	// rebound (Rebind) when the dialect wants another form.
	Placeholder(n int) string
	// JSONText is an expression for the text of the top-level field of
	// the JSON record in column col (NULL when the field is missing). Only
	// databases of an older schema level need it.
	JSONText(col, field string) string
	// Classify returns store.ErrExists for a unique or primary-key
	// violation, store.ErrConflict for an error that retrying the
	// transaction may cure (serialization failure, deadlock, busy), and nil
	// for anything else.
	Classify(err error) error
	// AbortsOnError reports whether a failed statement aborts the whole
	// transaction (PostgreSQL). Then a rename (the one UPDATE that may
	// collide with a unique key) runs inside a savepoint, so that a caller
	// may handle its store.ErrExists and go on, as it can on SQLite.
	AbortsOnError() bool
	// KeyLock is a statement that locks one object key until the
	// transaction ends, its one parameter the key's slot (KeySlot), and
	// that fails a snapshot-isolated transaction (store.ErrConflict) when
	// another transaction holding the lock committed after its snapshot;
	// "" when the database runs one writer at a time (SQLite). See
	// scope.go.
	KeyLock() string
	// BucketLock is a statement that locks the bucket record named by its
	// one parameter until the transaction ends — exclusive: against every
	// other lock and write of it; shared: against its deletion only — and
	// locks nothing when there is no such bucket; "" when the database
	// runs one writer at a time.
	BucketLock(exclusive bool) string
	// ObjectLock is KeyLock and BucketLock(false) in one statement (its
	// parameters: the key's slot, then the bucket's name), which returns
	// the bucket record's data column as read under the lock (no row when
	// there is no such bucket); "" when the database runs one writer at a
	// time.
	ObjectLock() string
}
