package storefault

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/store"
)

// SAMLProviders

func (ft *tx) CreateSAMLProvider(ctx context.Context, p *store.SAMLProvider) error {
	return ft.s.call(ctx, "CreateSAMLProvider", func() error { return ft.inner.CreateSAMLProvider(ctx, p) })
}

func (ft *tx) GetSAMLProvider(ctx context.Context, account, name string) (r *store.SAMLProvider, err error) {
	err = ft.s.call(ctx, "GetSAMLProvider", func() error {
		var e error
		r, e = ft.inner.GetSAMLProvider(ctx, account, name)
		return e
	})
	return r, err
}

func (ft *tx) ListSAMLProviders(ctx context.Context, account string) (r []*store.SAMLProvider, err error) {
	err = ft.s.call(ctx, "ListSAMLProviders", func() error {
		var e error
		r, e = ft.inner.ListSAMLProviders(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) UpdateSAMLProvider(ctx context.Context, p *store.SAMLProvider) error {
	return ft.s.call(ctx, "UpdateSAMLProvider", func() error { return ft.inner.UpdateSAMLProvider(ctx, p) })
}

func (ft *tx) DeleteSAMLProvider(ctx context.Context, account, name string) error {
	return ft.s.call(ctx, "DeleteSAMLProvider", func() error { return ft.inner.DeleteSAMLProvider(ctx, account, name) })
}

func (ft *tx) CountSAMLProviders(ctx context.Context, account string) (r int, err error) {
	err = ft.s.call(ctx, "CountSAMLProviders", func() error {
		var e error
		r, e = ft.inner.CountSAMLProviders(ctx, account)
		return e
	})
	return r, err
}
