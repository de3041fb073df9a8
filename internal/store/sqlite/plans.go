package sqlite

import (
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The ListVersions queries, for the test that checks SQLite's plans for
// them (TestListVersionsPlan).

func keysAfterQuery(bucket string, q store.VersionQuery, have int) (string, []any) {
	return sqlstore.KeysAfterQuery(bucket, q, have)
}

func markerKeyQuery(bucket string, q store.VersionQuery, seq int64) (string, []any) {
	return sqlstore.MarkerKeyQuery(bucket, q, seq)
}
