package storefault

import (
	"context"

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
