// Package postgres is the metadata store for clusters: Gatehouse nodes
// share one PostgreSQL database (pgx v5 through database/sql), running the
// shared SQL of package sqlstore with PostgreSQL's Dialect.
//
// Contract, beyond store.Store's:
//   - Open applies the embedded migrations under a PostgreSQL advisory
//     lock: nodes that start together migrate the database exactly once.
//     A database migrated by a newer binary is refused (ErrNewerSchema).
//   - Update runs its function in a SERIALIZABLE transaction and runs it
//     again, whole, when PostgreSQL aborts it with a serialization failure
//     or a deadlock (SQLSTATE 40001, 40P01), at most Config.MaxAttempts
//     times, pausing Config.Backoff between attempts; then it returns
//     store.ErrConflict. View reads one REPEATABLE READ snapshot.
//   - The IAM generation is a counter row bumped in the transaction of
//     each IAM change; the commit NOTIFYs the other nodes, which LISTEN on
//     one extra connection (reconnecting when it fails). Each node also
//     re-reads the counter at most once per Config.Poll of its clock, so a
//     lost notification delays another node's change by at most about
//     Poll.
//   - Failures to reach the database wrap ErrUnavailable; the pool
//     reconnects by itself once PostgreSQL is back.
//   - The connection URL's password never appears in errors (Redact).
package postgres
