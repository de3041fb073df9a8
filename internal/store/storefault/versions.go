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

func (ft *tx) DeleteVersion(ctx context.Context, bucket, key, versionID string) (r *store.Object, err error) {
	err = ft.s.call(ctx, "DeleteVersion", func() error {
		var e error
		r, e = ft.inner.DeleteVersion(ctx, bucket, key, versionID)
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
