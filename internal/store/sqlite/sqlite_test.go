package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Store {
		s, err := Open(filepath.Join(dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestWALAndNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("WAL file missing: %v", err)
	}
	if _, err := s.write.Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: %v", err)
	}
}

func BenchmarkGetRole(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: "111111111111", ID: "AROA1", Name: "demo", Path: "/", AssumeRolePolicy: "{}"})
	})
	b.ReportAllocs()
	for b.Loop() {
		if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetRole(ctx, "111111111111", "demo"); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// A panicking update fails alone; the writers after it go on.
func TestUpdatePanicDoesNotStallWriters(t *testing.T) {
	s, err := Open(t.TempDir() + "/db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"}); err != nil {
			return err
		}
		panic("bug")
	})
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panicking update: %v", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"})
	}); err != nil {
		t.Fatalf("the next update: %v (the panicking one must have left nothing)", err)
	}
}
