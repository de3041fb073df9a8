package keyring

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/token"
)

func TestTokenKeysRotation(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := NewMaster(bytes.Repeat([]byte{3}, MasterKeySize))
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tk, err := OpenTokenKeys(ctx, st, m, now)
	if err != nil {
		t.Fatal(err)
	}
	set1, _ := tk.KeySet(ctx)
	sess := &token.Session{Kind: token.KindRole, AccessKeyID: "ASIAX", SecretAccessKey: "s", IssuedAt: now, Expires: now.Add(time.Hour)}
	old, err := token.Seal(set1, sess)
	if err != nil {
		t.Fatal(err)
	}
	newID, err := RotateTokenKeys(ctx, st, m, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	set2, _ := tk.KeySet(ctx)
	if set2.Active().ID != newID || newID == set1.Active().ID {
		t.Fatalf("active key %d, rotated to %d", set2.Active().ID, newID)
	}
	if _, err := token.Open(set2, old, now.Add(2*time.Minute)); err != nil {
		t.Fatalf("retired key must open old tokens: %v", err)
	}
	// Two more rotations later than the longest token lifetime drop the
	// first key: its tokens stop opening.
	RotateTokenKeys(ctx, st, m, now.Add(MaxTokenLifetime+2*time.Minute))
	RotateTokenKeys(ctx, st, m, now.Add(2*MaxTokenLifetime+3*time.Minute))
	set3, _ := tk.KeySet(ctx)
	if _, err := token.Open(set3, old, now.Add(2*time.Minute)); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("dropped key: %v", err)
	}
	// A second process opening the same store sees the same keys.
	tk2, err := OpenTokenKeys(ctx, st, m, now)
	if err != nil {
		t.Fatal(err)
	}
	set4, _ := tk2.KeySet(ctx)
	if set4.Active().ID != set3.Active().ID {
		t.Fatal("keyring not shared through the store")
	}
}
