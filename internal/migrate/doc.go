// Package migrate moves a single-node data directory into a cluster: it
// copies every row of the data directory's SQLite store into an empty
// PostgreSQL database, and every blob those rows reference from the local
// disk into an S3-compatible store under the same key (gatehouse migrate).
//
// Contract:
//   - The source is read in one read-only transaction (one consistent
//     view); its server must be stopped, which the caller ensures by
//     holding the data directory's lock (internal/server).
//   - Source and target must be at the same schema level
//     (sqlstore.SchemaLatest): an older source is refused with
//     ErrSourceSchema, and never migrated here.
//   - Every table of the source is either copied or deliberately skipped
//     (Tables, Skipped); a table the copier does not know fails the run
//     with ErrUnknownTable before anything is written, so a future
//     migration cannot be silently left behind. The columns of every copied
//     table must be the same on both sides (ErrSchemaMismatch).
//   - The target must be empty: a migrated schema whose tables hold no
//     rows but the meta row the schema seeds (ErrTargetNotEmpty). The rows
//     are written in one transaction, which commits only after the row
//     count of every table in it equals the source's: a failure leaves the
//     target empty. Values are kept exactly: text as text, integers (Unix
//     nanoseconds) as BIGINT, blobs as BYTEA; the IAM generation, the
//     installation record (the master key's check value) and the sealed
//     session-token keys travel with the rest, so nodes given the data
//     directory's master key accept the store and the tokens it minted.
//   - Blobs are copied before the rows, so that a run that fails can be
//     run again: a blob already upstream with the right size is skipped.
//     Each blob is streamed (never held whole in memory) and checked after
//     the copy: the upstream's size, and its ETag against the MD5 of the
//     bytes sent when the ETag is a plain MD5. Blobs are copied as they are
//     on disk (ciphertext when SSE was on).
//   - At the end every blob the target's rows reference is looked up
//     upstream (ErrBlobMissing when one is not there).
//   - Errors never carry a connection URL or a credential.
package migrate
