package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// dialect is SQLite's sqlstore.Dialect: ? placeholders, json_extract, and
// the extended result codes of modernc.org/sqlite.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

func (dialect) Placeholder(int) string { return "?" }

func (dialect) JSONText(col, field string) string {
	return "json_extract(" + col + ", '$." + field + "')"
}

func (dialect) Classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return store.ErrExists
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return store.ErrConflict
		}
	}
	return nil
}

// AbortsOnError is false: a failed statement leaves SQLite's transaction
// usable.
func (dialect) AbortsOnError() bool { return false }

// KeyLock, BucketLock and ObjectLock are empty: SQLite runs one writer at
// a time.
func (dialect) KeyLock() string { return "" }

func (dialect) BucketLock(bool) string { return "" }

func (dialect) ObjectLock() string { return "" }
