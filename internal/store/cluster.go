package store

import (
	"context"
	"time"
)

// Leases stores named leases: background work that must run on one node of
// a cluster at a time (the blob sweeper, the lifecycle worker) holds the
// lease of its name while it runs, renewing it as it goes. A lease that is
// not renewed lapses at its expiry, so a node that dies mid-pass hands the
// work on to another. Times come from the caller's clock. Leases are not
// IAM data: writing one does not bump the IAM generation.
type Leases interface {
	// AcquireLease takes the lease name for holder until `until`, or renews
	// it when holder already has it. It reports false (and no error) when
	// another holder has it and it has not expired at now.
	AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	// GetLease returns the lease's holder and expiry; ErrNotFound when
	// nobody took it or it was released.
	GetLease(ctx context.Context, name string) (holder string, until time.Time, err error)
	// ReleaseLease gives the lease up when holder has it (no error
	// otherwise).
	ReleaseLease(ctx context.Context, name, holder string) error
}

// FreedBlobs stores the keys of blobs whose last reference went away while
// several nodes may be reading them: a node's reads lease blobs only within
// its own process, so a blob freed by one node is deleted only once it has
// been free for longer than any read of it may last (by the sweeper, on one
// node at a time).
type FreedBlobs interface {
	// AddFreedBlobs records keys as freed at `at` (a key already recorded
	// keeps its first time).
	AddFreedBlobs(ctx context.Context, keys []string, at time.Time) error
	// ListFreedBlobs lists at most limit keys freed at or before `before`,
	// oldest first.
	ListFreedBlobs(ctx context.Context, before time.Time, limit int) ([]string, error)
	// DropFreedBlobs forgets keys (deleted, or found referenced).
	DropFreedBlobs(ctx context.Context, keys []string) error
}
