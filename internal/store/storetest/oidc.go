package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testOIDCProviders: providers are keyed by ARN (a duplicate is ErrExists),
// listed per account in ARN order, updated and deleted by ARN (a missing
// one is ErrNotFound), and every change moves the IAM generation (the STS
// service caches providers by it).
func testOIDCProviders(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const acct = "111111111111"
	arn := func(name string) string { return "arn:aws:iam::" + acct + ":oidc-provider/" + name }
	prov := func(name string) *store.OIDCProvider {
		return &store.OIDCProvider{Account: acct, ARN: arn(name), URL: "https://" + name, ClientIDs: []string{"sts.amazonaws.com", "b", "a"},
			Thumbprints: []string{"0123456789abcdef0123456789abcdef01234567"}, CreatedAt: t0, Tags: []store.Tag{{Key: "team", Value: "x"}}}
	}
	g0 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		// Created out of order; the port and path are part of the key.
		for _, n := range []string{"z.example.com", "idp.example.com:8443/realms/a", "idp.example.com"} {
			if err := tx.CreateOIDCProvider(ctx, prov(n)); err != nil {
				return err
			}
		}
		other := prov("idp.example.com")
		other.Account, other.ARN = "222222222222", "arn:aws:iam::222222222222:oidc-provider/idp.example.com"
		return tx.CreateOIDCProvider(ctx, other)
	})
	if g1 := generation(t, s); g1 == g0 {
		t.Fatalf("creating providers left the IAM generation at %d", g1)
	}
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.CreateOIDCProvider(ctx, prov("idp.example.com")) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate provider: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetOIDCProvider(ctx, arn("idp.example.com:8443/realms/a"))
		if err != nil || p.URL != "https://idp.example.com:8443/realms/a" || p.Account != acct || !p.CreatedAt.Equal(t0) ||
			!slices.Equal(p.ClientIDs, []string{"sts.amazonaws.com", "b", "a"}) || len(p.Thumbprints) != 1 || len(p.Tags) != 1 || p.Tags[0].Value != "x" {
			return fmt.Errorf("get: %+v %v", p, err)
		}
		if _, err := tx.GetOIDCProvider(ctx, arn("idp.example.com:8443")); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("a provider that differs by its path: %v", err)
		}
		list, err := tx.ListOIDCProviders(ctx, acct)
		var got []string
		for _, p := range list {
			got = append(got, p.ARN)
		}
		if want := []string{arn("idp.example.com"), arn("idp.example.com:8443/realms/a"), arn("z.example.com")}; err != nil || !slices.Equal(got, want) {
			return fmt.Errorf("list: %v %v, want %v", got, err, want)
		}
		return nil
	})
	g1 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		p, err := tx.GetOIDCProvider(ctx, arn("z.example.com"))
		if err != nil {
			return err
		}
		p.ClientIDs, p.Thumbprints, p.Tags = []string{"c"}, nil, nil
		return tx.UpdateOIDCProvider(ctx, p)
	})
	if g2 := generation(t, s); g2 == g1 {
		t.Fatalf("updating a provider left the IAM generation at %d", g2)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteOIDCProvider(ctx, arn("idp.example.com")) })
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetOIDCProvider(ctx, arn("z.example.com"))
		if err != nil || !slices.Equal(p.ClientIDs, []string{"c"}) || len(p.Thumbprints) != 0 || len(p.Tags) != 0 {
			return fmt.Errorf("updated: %+v %v", p, err)
		}
		if _, err := tx.GetOIDCProvider(ctx, arn("idp.example.com")); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted provider: %v", err)
		}
		if _, err := tx.GetOIDCProvider(ctx, "arn:aws:iam::222222222222:oidc-provider/idp.example.com"); err != nil {
			return fmt.Errorf("the other account's provider of the same URL: %v", err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.UpdateOIDCProvider(ctx, prov("idp.example.com")) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing provider: %v", err)
	}
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.DeleteOIDCProvider(ctx, arn("idp.example.com")) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete of a missing provider: %v", err)
	}
}
