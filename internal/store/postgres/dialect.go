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

// sqlState is the SQLSTATE of a server error in err's chain, "" if none.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
