package keyring

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

func TestCheckValue(t *testing.T) {
	right, _ := NewMaster(bytes.Repeat([]byte{1}, MasterKeySize))
	wrong, _ := NewMaster(bytes.Repeat([]byte{2}, MasterKeySize))
	check, err := right.NewCheck()
	if err != nil {
		t.Fatal(err)
	}
	if err := right.Verify(check); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	if err := wrong.Verify(check); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("a wrong key: %v", err)
	}
	// A value sealed for something else is not a check value.
	other, _ := right.Seal([]byte("x"), []byte("token-key/1"))
	if err := right.Verify(other); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("a sealed value of another kind: %v", err)
	}
}

// TestCheckStore: by the check value when the store has one; else, for a
// store of an earlier version, by its first token key, else by a root
// access key's secret; an empty store matches any key.
func TestCheckStore(t *testing.T) {
	ctx := context.Background()
	right, _ := NewMaster(bytes.Repeat([]byte{1}, MasterKeySize))
	wrong, _ := NewMaster(bytes.Repeat([]byte{2}, MasterKeySize))
	open := func() *sqlite.Store {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "k.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	check := func(st store.Store, m *Master) (bool, error) {
		var has bool
		err := st.View(ctx, func(tx store.Tx) error {
			var err error
			has, err = CheckStore(ctx, tx, m)
			return err
		})
		return has, err
	}
	update := func(st store.Store, fn func(tx store.Tx) error) {
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	empty := open()
	if has, err := check(empty, wrong); has || err != nil {
		t.Fatalf("empty store: %v %v", has, err)
	}

	withRootKey := open()
	update(withRootKey, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"}); err != nil {
			return err
		}
		sealed, _ := right.Seal([]byte("secret"), []byte("AKIAROOT"))
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAROOT", Account: "111111111111", SecretSealed: sealed, Status: store.KeyActive})
	})
	if has, err := check(withRootKey, right); has || err != nil {
		t.Fatalf("root key, right master: %v %v", has, err)
	}
	if _, err := check(withRootKey, wrong); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("root key, wrong master: %v", err)
	}

	withTokenKeys := open()
	if _, err := OpenTokenKeys(ctx, withTokenKeys, right, time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if has, err := check(withTokenKeys, right); has || err != nil {
		t.Fatalf("token keys, right master: %v %v", has, err)
	}
	if _, err := check(withTokenKeys, wrong); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("token keys, wrong master: %v", err)
	}

	// The check value decides, whatever else is in the store.
	value, _ := right.NewCheck()
	update(withTokenKeys, func(tx store.Tx) error {
		return tx.PutInstallation(ctx, &store.Installation{MasterKeyCheck: value})
	})
	if has, err := check(withTokenKeys, right); !has || err != nil {
		t.Fatalf("check value, right master: %v %v", has, err)
	}
	if has, err := check(withTokenKeys, wrong); !has || !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("check value, wrong master: %v %v", has, err)
	}
	update(empty, func(tx store.Tx) error {
		return tx.PutInstallation(ctx, &store.Installation{MasterKeyCheck: value})
	})
	if _, err := check(empty, wrong); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("check value alone, wrong master: %v", err)
	}
}

func TestReadMasterNeverWrites(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMaster("", dir); !errors.Is(err, ErrNoMasterKey) {
		t.Fatalf("no key: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("ReadMaster wrote %v", entries)
	}
	key := bytes.Repeat([]byte{5}, MasterKeySize)
	if err := WriteMasterKeyFile(dir, key); err != nil {
		t.Fatal(err)
	}
	if err := WriteMasterKeyFile(dir, key); err == nil {
		t.Fatal("WriteMasterKeyFile replaced an existing key file")
	}
	got, err := ReadMasterKeyFile(filepath.Join(dir, MasterKeyFile))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("ReadMasterKeyFile = %x, %v", got, err)
	}
	m, err := ReadMaster("", dir)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := NewMaster(key)
	check, _ := want.NewCheck()
	if err := m.Verify(check); err != nil {
		t.Fatal("ReadMaster read another key than the file's")
	}
}
