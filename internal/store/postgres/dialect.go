package postgres

import (
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// dialect is PostgreSQL's sqlstore.Dialect: $n placeholders, ->> on the
// JSON text, SQLSTATE classes, and transactions that a failed statement
// aborts.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

func (dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (dialect) JSONText(col, field string) string {
	return "(" + col + "::jsonb ->> '" + field + "')"
}

// SQLSTATEs the store acts on.
const (
	uniqueViolation      = "23505"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

func (dialect) Classify(err error) error {
	switch sqlState(err) {
	case uniqueViolation:
		return store.ErrExists
	case serializationFailure, deadlockDetected:
		return store.ErrConflict
	}
	return nil
}

func (dialect) AbortsOnError() bool { return true }

// KeyLock locks a key by writing its slot's row of key_locks (migration
// 0003): a concurrent locker waits for the holder's end, and a
// REPEATABLE READ or SERIALIZABLE transaction whose snapshot predates the
// holder's commit fails with a serialization failure (its upsert finds a
// row version it cannot see), so that it never acts on a key state older
// than the lock's.
func (dialect) KeyLock() string {
	return `INSERT INTO key_locks (slot, n) VALUES (?, 1) ON CONFLICT (slot) DO UPDATE SET n = key_locks.n + 1`
}

// BucketLock locks the bucket's row: FOR UPDATE, or FOR KEY SHARE, which
// conflicts only with deleting the row (and with FOR UPDATE), not with
// UpdateBucket's writes of its data column.
func (dialect) BucketLock(exclusive bool) string {
	if exclusive {
		return `SELECT 1 FROM buckets WHERE name = ? FOR UPDATE`
	}
	return `SELECT 1 FROM buckets WHERE name = ? FOR KEY SHARE`
}

// ObjectLock: the key's upsert runs as a data-modifying WITH, which
// PostgreSQL always runs to completion, read or not.
func (dialect) ObjectLock() string {
	return `WITH k AS (INSERT INTO key_locks (slot, n) VALUES (?, 1) ON CONFLICT (slot) DO UPDATE SET n = key_locks.n + 1)
		SELECT data FROM buckets WHERE name = ? FOR KEY SHARE`
}

// sqlState is the SQLSTATE of a server error in err's chain, "" if none.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
