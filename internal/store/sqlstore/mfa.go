package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/gatehouse/gatehouse/internal/store"
)

func (t *Tx) CreateMFADevice(ctx context.Context, d *store.MFADevice) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	err = t.create(ctx, true, `INSERT INTO mfa_devices (serial, account, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, d.SerialNumber, d.Account, string(data))
	return err
}

func (t *Tx) GetMFADevice(ctx context.Context, serial string) (*store.MFADevice, error) {
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM mfa_devices WHERE serial = ?`, serial).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.MFADevice](data)
}

func (t *Tx) ListMFADevices(ctx context.Context, account string) ([]*store.MFADevice, error) {
	return queryList[store.MFADevice](ctx, t, `SELECT data FROM mfa_devices WHERE account = ? ORDER BY serial`, account)
}

func (t *Tx) UpdateMFADevice(ctx context.Context, d *store.MFADevice) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return t.execOne(ctx, `UPDATE mfa_devices SET data = ? WHERE serial = ?`, string(data), d.SerialNumber)
}

func (t *Tx) DeleteMFADevice(ctx context.Context, serial string) error {
	return t.execOne(ctx, `DELETE FROM mfa_devices WHERE serial = ?`, serial)
}
