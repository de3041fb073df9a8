package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func testRollbackAndGeneration(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	g0 := generation(t, s)
	boom := errors.New("boom")
	err := updateErr(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a", CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetAccount(ctx, "111111111111"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("rolled-back write is visible: %v", err)
		}
		return nil
	})
	if g := generation(t, s); g != g0 {
		t.Fatal("rolled-back transaction bumped the generation")
	}
	update(t, s, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a", CreatedAt: t0})
	})
	if g := generation(t, s); g == g0 {
		t.Fatal("committed IAM write did not bump the generation")
	}
	view(t, s, func(tx store.Tx) error {
		acc, err := tx.GetAccount(ctx, "111111111111")
		if err != nil || acc.Name != "a" || !acc.CreatedAt.Equal(t0) {
			return fmt.Errorf("committed account: %+v %v", acc, err)
		}
		list, err := tx.ListAccounts(ctx)
		if err != nil || len(list) != 1 || list[0].ID != "111111111111" {
			return fmt.Errorf("accounts: %+v %v", list, err)
		}
		return nil
	})
}

func testConcurrent(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const a = "111111111111"
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, &store.User{Account: a, ID: fmt.Sprintf("AIDA%d", i), Name: fmt.Sprintf("u%02d", i), Path: "/"})
			})
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		if n, err := tx.CountUsers(ctx, a); err != nil || n != 40 {
			return fmt.Errorf("lost updates: %d users, %v", n, err)
		}
		return nil
	})

	// Concurrent updates that fail after writing, or that conflict, leave
	// nothing behind and do not disturb the others (stores may commit
	// concurrent updates together).
	fail := errors.New("fn failed")
	errs = make(chan error, 60)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.CreateUser(ctx, &store.User{Account: a, ID: fmt.Sprintf("AIDB%d", i), Name: fmt.Sprintf("v%02d", i), Path: "/"}); err != nil {
					return err
				}
				if i%3 == 0 {
					return fail // its user must not persist
				}
				if i%3 == 1 { // a second write that collides with an existing name
					return tx.CreateUser(ctx, &store.User{Account: a, ID: fmt.Sprintf("AIDC%d", i), Name: "u00", Path: "/"})
				}
				return nil
			})
			switch {
			case i%3 == 0 && !errors.Is(err, fail), i%3 == 1 && !errors.Is(err, store.ErrExists), i%3 == 2 && err != nil:
				errs <- fmt.Errorf("update %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	view(t, s, func(tx store.Tx) error {
		var bad []error
		for i := 0; i < 60; i++ {
			_, err := tx.GetUserByID(ctx, a, fmt.Sprintf("AIDB%d", i))
			if ok := i%3 == 2; ok && err != nil || !ok && !errors.Is(err, store.ErrNotFound) {
				bad = append(bad, fmt.Errorf("user AIDB%d after a %s update: %v", i, map[bool]string{true: "successful", false: "failed"}[ok], err))
			}
		}
		if n, err := tx.CountUsers(ctx, a); err != nil || n != 60 {
			bad = append(bad, fmt.Errorf("users after the mixed updates: %d, %v; want 60", n, err))
		}
		return errors.Join(bad...)
	})
}

func testReopen(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "main", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateRole(ctx, &store.Role{Account: "111111111111", ID: "AROA1", Name: "r", Path: "/", MaxSessionDuration: 7200, CreatedAt: t0})
	})
	g := generation(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, dir)
	defer s2.Close()
	view(t, s2, func(tx store.Tx) error {
		a, err := tx.GetAccount(ctx, "111111111111")
		if err != nil || a.Name != "main" || !a.CreatedAt.Equal(t0) {
			return fmt.Errorf("account after reopen: %+v %v", a, err)
		}
		r, err := tx.GetRole(ctx, "111111111111", "R")
		if err != nil || r.MaxSessionDuration != 7200 {
			return fmt.Errorf("role after reopen: %+v %v", r, err)
		}
		return nil
	})
	if g2 := generation(t, s2); g2 < g {
		t.Fatalf("IAM generation went back across reopen: %d, was %d", g2, g)
	}
}
