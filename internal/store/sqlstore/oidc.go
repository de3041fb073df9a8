package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/gatehouse/gatehouse/internal/store"
)

func (t *Tx) CreateOIDCProvider(ctx context.Context, p *store.OIDCProvider) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = t.create(ctx, true, `INSERT INTO oidc_providers (arn, account, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, p.ARN, p.Account, string(data))
	return err
}

func (t *Tx) GetOIDCProvider(ctx context.Context, arn string) (*store.OIDCProvider, error) {
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM oidc_providers WHERE arn = ?`, arn).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.OIDCProvider](data)
}

func (t *Tx) ListOIDCProviders(ctx context.Context, account string) ([]*store.OIDCProvider, error) {
	return queryList[store.OIDCProvider](ctx, t, `SELECT data FROM oidc_providers WHERE account = ? ORDER BY arn`, account)
}

func (t *Tx) UpdateOIDCProvider(ctx context.Context, p *store.OIDCProvider) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return t.execOne(ctx, `UPDATE oidc_providers SET data = ? WHERE arn = ?`, string(data), p.ARN)
}

func (t *Tx) DeleteOIDCProvider(ctx context.Context, arn string) error {
	return t.execOne(ctx, `DELETE FROM oidc_providers WHERE arn = ?`, arn)
}
