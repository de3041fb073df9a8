package postgres

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func BenchmarkGetRole(b *testing.B) {
	s := open(b, pg.DSN(b), testConfig())
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: "111111111111", ID: "AROA1", Name: "demo", Path: "/", AssumeRolePolicy: "{}"})
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetRole(ctx, "111111111111", "demo"); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateUser(b *testing.B) {
	s := open(b, pg.DSN(b), testConfig())
	i := 0
	for b.Loop() {
		i++
		if err := s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: fmt.Sprintf("AIDA%d", i), Name: fmt.Sprintf("u%d", i), Path: "/"})
		}); err != nil {
			b.Fatal(err)
		}
	}
}
