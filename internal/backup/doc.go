// Package backup takes and restores backups of a Gatehouse data directory.
//
// A backup is a directory:
//
//	manifest.json   format version, Gatehouse version, time, record counts,
//	                and the size and SHA-256 of every other file below
//	                (written last: a backup without it is incomplete)
//	gatehouse.db    a consistent snapshot of the metadata store
//	blobs/          the object bytes the snapshot references, one file per
//	                blob, in the blob store's own layout
//	blobs.sha256    one line per blob: SHA-256, size, key (in key order)
//	master.key      only when the operator asked for it
//
// Take holds the live blob store against deletions (LiveStore.HoldBlobs),
// snapshots the store while the server keeps serving, copies every blob the
// snapshot references — a referenced blob that is missing fails the backup —
// and then releases the hold. The hold closes the race with a server freeing
// an overwritten object's bytes, and with the orphan sweeper: while it
// lasts nothing is deleted, and whatever was freed meanwhile is the
// sweeper's afterwards. A blob freed before the hold was committed is not
// referenced by the snapshot, which is taken after it.
//
// Restore checks the manifest's checksums as it copies and verifies the
// restored store's inventory against the manifest. Which master key goes
// with the store, and where the restore may write, is its caller's to
// decide (internal/server).
package backup
