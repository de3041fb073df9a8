package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Locks of object keys and buckets, and scoped transactions
// (store.ScopedUpdater). Only databases that run writers concurrently
// (PostgreSQL) have them: there the Dialect names the locking statements;
// on SQLite they are empty and every method below that locks does nothing.
//
// The protocol, in every transaction whatever its isolation:
//   - PutObject, DeleteVersion and UpdateVersion lock their key (KeyLock)
//     before they read it: the writers of one key run one at a time, and
//     a snapshot-isolated (SERIALIZABLE) writer whose snapshot predates
//     another writer's commit fails with store.ErrConflict instead of
//     acting on the older state, so Update runs it again.
//   - PutObject and CreateUpload lock their bucket's record shared
//     (BucketLock(false)): it cannot be deleted until they end.
//   - DeleteBucket locks it exclusively.
//
// A scoped transaction (Tx.Enter) runs at READ COMMITTED and takes its
// scope's locks first, so every statement after them reads the latest
// committed state of the scope, which no other transaction can change
// until it ends:
//   - a key's versions, their seq order, which one is latest, and their
//     blob references are only written under the key's lock: a scoped
//     writer reads and writes them as if alone, as SQLite's single writer
//     does — no lost update, no two versions with one seq, exactly one
//     latest, a replaced version's blobs reported exactly once;
//   - the bucket record cannot be deleted under a shared lock: an object
//     never outlives its bucket. DeleteBucket's scope (the whole bucket)
//     locks the record exclusively before BucketHasObjects reads, so it
//     waits for every writer that could add an object (PutObject) or an
//     upload (CreateUpload), sees what they committed, and writers that
//     come after find no bucket;
//   - the bucket's configuration (versioning, Object Lock) may change
//     between GetBucket and the write: such a change reads no object, so
//     the write is ordered before it.
//
// A scoped function that calls anything outside its scope strays
// (Strayed): the store rolls the attempt back and runs the function as a
// plain Update instead.

// keySlots is the number of key lock slots: keys sharing a slot are
// written one at a time, which costs only waiting.
const keySlots = 1 << 16

// KeySlot is the lock slot of an object key.
func KeySlot(bucket, key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(bucket))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return int64(h.Sum64() % keySlots)
}

// lockKey takes the key's lock once per transaction.
func (t *Tx) lockKey(ctx context.Context, bucket, key string) error {
	q := t.d.KeyLock()
	if q == "" {
		return nil
	}
	name := "k\x00" + bucket + "\x00" + key
	if t.held[name] {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, t.rebind(q), KeySlot(bucket, key)); err != nil {
		return t.mapErr(err)
	}
	t.hold(name)
	return nil
}

// lockBucket takes the bucket's lock (shared or exclusive) once per
// transaction; an exclusive lock covers the shared one.
func (t *Tx) lockBucket(ctx context.Context, bucket string, exclusive bool) error {
	q := t.d.BucketLock(exclusive)
	if q == "" {
		return nil
	}
	name := "b\x00" + bucket
	if t.held["B\x00"+bucket] || (!exclusive && t.held[name]) {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, t.rebind(q), bucket); err != nil {
		return t.mapErr(err)
	}
	if exclusive {
		name = "B\x00" + bucket
	}
	t.hold(name)
	return nil
}

// lockObject takes the locks PutObject needs — the bucket's shared and
// the key's — in one statement when it holds neither. When that statement
// ran, it returns the bucket's record as read under the lock ("" when
// there is no such bucket); else nil.
func (t *Tx) lockObject(ctx context.Context, bucket, key string) (data *string, err error) {
	q := t.d.ObjectLock()
	if q == "" {
		return nil, nil
	}
	kname := "k\x00" + bucket + "\x00" + key
	if t.held["b\x00"+bucket] || t.held["B\x00"+bucket] || t.held[kname] {
		if err := t.lockBucket(ctx, bucket, false); err != nil {
			return nil, err
		}
		return nil, t.lockKey(ctx, bucket, key)
	}
	var d string
	switch err := t.tx.QueryRowContext(ctx, t.rebind(q), KeySlot(bucket, key), bucket).Scan(&d); {
	case errors.Is(err, sql.ErrNoRows):
		d = ""
		data = &d
	case err != nil:
		return nil, t.mapErr(err)
	default:
		data = &d
	}
	t.hold(kname)
	t.hold("b\x00" + bucket)
	return data, nil
}

func (t *Tx) hold(name string) {
	if t.held == nil {
		t.held = map[string]bool{}
	}
	t.held[name] = true
}

// Enter makes t a scoped transaction of sc, taking sc's locks: with a key,
// the bucket shared and the key (in one statement, which also reads the
// bucket record: GetBucket of the scope's bucket then answers from it,
// read after the lock as a statement of its own would be); without, the
// bucket exclusively. The store calls it first thing in a READ COMMITTED
// transaction.
func (t *Tx) Enter(ctx context.Context, sc store.Scope) error {
	t.scope, t.scoped = sc, true
	if sc.Key == "" {
		return t.lockBucket(ctx, sc.Bucket, true)
	}
	data, err := t.lockObject(ctx, sc.Bucket, sc.Key)
	t.scopeBucket = data
	return err
}

// Strayed reports whether a scoped transaction's function ran a statement
// outside its scope: its attempt must be rolled back and the function run
// as a plain Update.
func (t *Tx) Strayed() bool { return t.strayed }

// What a method of a scoped transaction acts on (within).
type reach int

const (
	bucketRecord reach = iota // reads the bucket record: any scope of the bucket
	wholeBucket               // the bucket's contents: the whole-bucket scope
	oneKey                    // one key's versions: that key's scope
)

// within marks the statements of a method that acts on bucket (and key)
// as inside the scope when they are; the returned function ends the mark.
// Statements run outside any mark in a scoped transaction stray.
func (t *Tx) within(r reach, bucket, key string) func() {
	in := t.scoped && bucket == t.scope.Bucket
	switch r {
	case wholeBucket:
		in = in && t.scope.Key == ""
	case oneKey:
		in = in && t.scope.Key != "" && key == t.scope.Key
	}
	if !in {
		return func() {}
	}
	t.inside++
	return func() { t.inside-- }
}

// stray notes a statement outside the scope.
func (t *Tx) stray() {
	if t.scoped && t.inside == 0 {
		t.strayed = true
	}
}
