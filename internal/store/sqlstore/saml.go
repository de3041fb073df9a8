package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

func (t *Tx) CreateSAMLProvider(ctx context.Context, p *store.SAMLProvider) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = t.create(ctx, true, `INSERT INTO saml_providers (account, lname, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, p.Account, strings.ToLower(p.Name), string(data))
	return err
}

func (t *Tx) GetSAMLProvider(ctx context.Context, account, name string) (*store.SAMLProvider, error) {
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM saml_providers WHERE account = ? AND lname = ?`, account, strings.ToLower(name)).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.SAMLProvider](data)
}

func (t *Tx) ListSAMLProviders(ctx context.Context, account string) ([]*store.SAMLProvider, error) {
	return queryList[store.SAMLProvider](ctx, t, `SELECT data FROM saml_providers WHERE account = ? ORDER BY lname`, account)
}

func (t *Tx) UpdateSAMLProvider(ctx context.Context, p *store.SAMLProvider) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return t.execOne(ctx, `UPDATE saml_providers SET data = ? WHERE account = ? AND lname = ?`, string(data), p.Account, strings.ToLower(p.Name))
}

func (t *Tx) DeleteSAMLProvider(ctx context.Context, account, name string) error {
	return t.execOne(ctx, `DELETE FROM saml_providers WHERE account = ? AND lname = ?`, account, strings.ToLower(name))
}

func (t *Tx) CountSAMLProviders(ctx context.Context, account string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM saml_providers WHERE account = ?`, account).Scan(&n)
	return n, t.mapErr(err)
}
