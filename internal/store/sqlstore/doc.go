// Package sqlstore is the SQL layer the metadata stores share: the
// store.Tx implementation (queries, row mapping, the JSON encoding of
// records, the IAM-generation flag, the mapping of errors to store
// sentinels) over one *sql.Tx, written once in the SQL that SQLite and
// PostgreSQL both accept, with a small Dialect for what truly differs.
//
// Contract: a store (sqlite, postgres) opens its database, applies its own
// migrations (which must produce the tables and columns these queries use,
// at a schema level: see SchemaLatest), begins transactions and wraps each
// in NewTx. After a transaction function succeeded and Tx.Bumped reports
// an IAM change, the store calls BumpGeneration in the same transaction
// before it commits. Tx never begins, commits or rolls back.
package sqlstore
