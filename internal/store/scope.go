package store

import "context"

// Scope names what a scoped write transaction (UpdateIn) works on: one
// bucket, and within it one object key, or the bucket as a whole when Key
// is "".
//
// A scoped transaction's function may:
//   - with a Key: read the bucket record (GetBucket), read the key's
//     versions (GetObject, GetVersion) and write them (PutObject,
//     DeleteVersion, UpdateVersion), blob references included;
//   - without a Key: also test whether the bucket is empty
//     (BucketHasObjects) and delete it (DeleteBucket).
//
// Anything else it calls makes the store run it again as a plain Update.
type Scope struct {
	Bucket string
	Key    string
}

// ScopedUpdater is the optional capability of stores that run a scoped
// write transaction more cheaply than Update: PostgreSQL locks the scope
// (the key, and the bucket record against its deletion — or, for a whole
// bucket, exclusively) instead of running SERIALIZABLE, so that writers of
// different keys of one bucket never abort each other.
//
// Contract: UpdateIn(ctx, sc, fn) has Update's guarantees for everything fn
// may do within sc — all or nothing; serializable with every other
// transaction that reads or writes the scope's key (or, without a Key, the
// bucket's objects, versions and uploads); fn may run more than once — and
// only for that: GetBucket reads the bucket record as committed when read,
// not as of a snapshot shared with the rest of fn (a change to the
// bucket's configuration racing with the write orders it after the write).
type ScopedUpdater interface {
	UpdateIn(ctx context.Context, sc Scope, fn func(Tx) error) error
}

// UpdateIn runs fn as a scoped write transaction on s when s can
// (ScopedUpdater), else as s.Update.
func UpdateIn(ctx context.Context, s Store, sc Scope, fn func(Tx) error) error {
	if u, ok := s.(ScopedUpdater); ok {
		return u.UpdateIn(ctx, sc, fn)
	}
	return s.Update(ctx, fn)
}
