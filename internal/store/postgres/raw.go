package postgres

import (
	"context"
	"database/sql"
)

// WriteRaw runs fn in one SERIALIZABLE transaction on the database itself,
// below the store contract, and commits it when fn returns nil: no retry,
// no IAM-generation bump, no notification. It is for loading a whole store
// copied from elsewhere into a database no node uses yet (gatehouse
// migrate), where all of it commits or none does.
func (s *Store) WriteRaw(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
