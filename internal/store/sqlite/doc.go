// Package sqlite is the embedded default metadata store: one SQLite
// database file (WAL mode, modernc.org/sqlite, no cgo) implementing
// store.Store.
//
// Writes go through a single connection, so concurrent Update calls queue
// instead of failing with SQLITE_BUSY; reads use a separate pool and see
// committed data. synchronous=FULL makes every acknowledged commit survive
// a process crash and a power loss. The schema is versioned: numbered files
// in migrations/ are applied in order, each in its own transaction, and a
// database written by a newer binary is refused.
package sqlite
