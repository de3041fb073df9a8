package sqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/store"
)

func (t *Tx) ListTokenKeys(ctx context.Context) ([]*store.TokenKey, error) {
	rows, err := t.query(ctx, `SELECT id, sealed, state, created_at, retired_at FROM token_keys ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.TokenKey
	for rows.Next() {
		k := &store.TokenKey{}
		var created, retired int64
		if err := rows.Scan(&k.ID, &k.Sealed, &k.State, &created, &retired); err != nil {
			return nil, err
		}
		k.CreatedAt, k.RetiredAt = fromNanos(created), fromNanos(retired)
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *Tx) CreateTokenKey(ctx context.Context, k *store.TokenKey) error {
	err := t.create(ctx, true, `INSERT INTO token_keys (id, sealed, state, created_at, retired_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.ID, k.Sealed, k.State, nanos(k.CreatedAt), nanos(k.RetiredAt))
	return err
}

func (t *Tx) UpdateTokenKey(ctx context.Context, k *store.TokenKey) error {
	return t.execOne(ctx, `UPDATE token_keys SET state = ?, retired_at = ? WHERE id = ?`, k.State, nanos(k.RetiredAt), k.ID)
}

func (t *Tx) DeleteTokenKey(ctx context.Context, id uint32) error {
	return t.execOne(ctx, `DELETE FROM token_keys WHERE id = ?`, id)
}
