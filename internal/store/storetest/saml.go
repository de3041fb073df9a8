package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testSAMLProviders: names unique per account without regard to case,
// case kept, lists ordered by lower-cased name and scoped to the account,
// updates by name, counts, the sentinels and the IAM generation.
func testSAMLProviders(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const acct = "111111111111"
	mk := func(name string) *store.SAMLProvider {
		return &store.SAMLProvider{Account: acct, Name: name, UUID: "UUID" + strings.ToUpper(name), Metadata: "<md " + name + "/>",
			EntityID: "https://idp/" + name, CreatedAt: t0, ValidUntil: t0.AddDate(100, 0, 0), Tags: []store.Tag{{Key: "k", Value: name}}}
	}
	g0 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		for _, n := range []string{"Okta", "adfs", "Beta"} {
			if err := tx.CreateSAMLProvider(ctx, mk(n)); err != nil {
				return err
			}
		}
		other := mk("zeta")
		other.Account = "222222222222"
		return tx.CreateSAMLProvider(ctx, other)
	})
	if generation(t, s) == g0 {
		t.Fatal("creating SAML providers did not change the IAM generation")
	}
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.CreateSAMLProvider(ctx, mk("OKTA")) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("a name differing only in case: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetSAMLProvider(ctx, acct, "okta")
		if err != nil || p.Name != "Okta" || p.Metadata != "<md Okta/>" || p.EntityID != "https://idp/Okta" || p.UUID != "UUIDOKTA" ||
			!p.CreatedAt.Equal(t0) || !p.ValidUntil.Equal(t0.AddDate(100, 0, 0)) || len(p.Tags) != 1 || p.Tags[0].Value != "Okta" {
			return fmt.Errorf("get: %+v %v", p, err)
		}
		list, err := tx.ListSAMLProviders(ctx, acct)
		var got []string
		for _, p := range list {
			got = append(got, p.Name)
		}
		if err != nil || strings.Join(got, ",") != "adfs,Beta,Okta" {
			return fmt.Errorf("list: %v %v", got, err)
		}
		if n, err := tx.CountSAMLProviders(ctx, acct); err != nil || n != 3 {
			return fmt.Errorf("count: %d %v", n, err)
		}
		if _, err := tx.GetSAMLProvider(ctx, acct, "zeta"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("another account's provider: %v", err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		p, err := tx.GetSAMLProvider(ctx, acct, "BETA")
		if err != nil {
			return err
		}
		p.Metadata, p.EntityID, p.ValidUntil, p.Tags = "<md new/>", "https://idp/new", t0.Add(time.Hour), nil
		return tx.UpdateSAMLProvider(ctx, p)
	})
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetSAMLProvider(ctx, acct, "Beta")
		if err != nil || p.Metadata != "<md new/>" || p.EntityID != "https://idp/new" || !p.ValidUntil.Equal(t0.Add(time.Hour)) || len(p.Tags) != 0 {
			return fmt.Errorf("after update: %+v %v", p, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteSAMLProvider(ctx, acct, "ADFS") })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetSAMLProvider(ctx, acct, "adfs"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted provider: %v", err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.DeleteSAMLProvider(ctx, acct, "adfs") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete of a missing provider: %v", err)
	}
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.UpdateSAMLProvider(ctx, mk("adfs")) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing provider: %v", err)
	}
}
