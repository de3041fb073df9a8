package storefault

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Object versions

func (ft *tx) GetVersion(ctx context.Context, bucket, key, versionID string) (r *store.Object, err error) {
	err = ft.s.call(ctx, "GetVersion", func() error {
		var e error
		r, e = ft.inner.GetVersion(ctx, bucket, key, versionID)
		return e
	})
	return r, err
}

func (ft *tx) UpdateVersion(ctx context.Context, o *store.Object) error {
	return ft.s.call(ctx, "UpdateVersion", func() error { return ft.inner.UpdateVersion(ctx, o) })
}

func (ft *tx) DeleteVersion(ctx context.Context, bucket, key, versionID string, rm store.Removal) (r *store.Object, err error) {
	err = ft.s.call(ctx, "DeleteVersion", func() error {
		var e error
		r, e = ft.inner.DeleteVersion(ctx, bucket, key, versionID, rm)
		return e
	})
	return r, err
}

func (ft *tx) ListVersions(ctx context.Context, bucket string, q store.VersionQuery) (r []store.VersionEntry, err error) {
	err = ft.s.call(ctx, "ListVersions", func() error {
		var e error
		r, e = ft.inner.ListVersions(ctx, bucket, q)
		return e
	})
	return r, err
}

// Lifecycle

func (ft *tx) ListAllBuckets(ctx context.Context, after string, limit int) (r []*store.Bucket, err error) {
	err = ft.s.call(ctx, "ListAllBuckets", func() error {
		var e error
		r, e = ft.inner.ListAllBuckets(ctx, after, limit)
		return e
	})
	return r, err
}

func (ft *tx) GetLifecycleCursor(ctx context.Context, bucket string) (r *store.LifecycleCursor, err error) {
	err = ft.s.call(ctx, "GetLifecycleCursor", func() error {
		var e error
		r, e = ft.inner.GetLifecycleCursor(ctx, bucket)
		return e
	})
	return r, err
}

func (ft *tx) PutLifecycleCursor(ctx context.Context, c *store.LifecycleCursor) error {
	return ft.s.call(ctx, "PutLifecycleCursor", func() error { return ft.inner.PutLifecycleCursor(ctx, c) })
}

func (ft *tx) DeleteLifecycleCursor(ctx context.Context, bucket string) error {
	return ft.s.call(ctx, "DeleteLifecycleCursor", func() error { return ft.inner.DeleteLifecycleCursor(ctx, bucket) })
}

// Leases

func (ft *tx) AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (r bool, err error) {
	err = ft.s.call(ctx, "AcquireLease", func() error {
		var e error
		r, e = ft.inner.AcquireLease(ctx, name, holder, now, until)
		return e
	})
	return r, err
}

func (ft *tx) GetLease(ctx context.Context, name string) (holder string, until time.Time, err error) {
	err = ft.s.call(ctx, "GetLease", func() error {
		var e error
		holder, until, e = ft.inner.GetLease(ctx, name)
		return e
	})
	return holder, until, err
}

func (ft *tx) ReleaseLease(ctx context.Context, name, holder string) error {
	return ft.s.call(ctx, "ReleaseLease", func() error { return ft.inner.ReleaseLease(ctx, name, holder) })
}

// FreedBlobs

func (ft *tx) AddFreedBlobs(ctx context.Context, keys []string, at time.Time) error {
	return ft.s.call(ctx, "AddFreedBlobs", func() error { return ft.inner.AddFreedBlobs(ctx, keys, at) })
}

func (ft *tx) ListFreedBlobs(ctx context.Context, before time.Time, limit int) (r []string, err error) {
	err = ft.s.call(ctx, "ListFreedBlobs", func() error {
		var e error
		r, e = ft.inner.ListFreedBlobs(ctx, before, limit)
		return e
	})
	return r, err
}

func (ft *tx) DropFreedBlobs(ctx context.Context, keys []string) error {
	return ft.s.call(ctx, "DropFreedBlobs", func() error { return ft.inner.DropFreedBlobs(ctx, keys) })
}
