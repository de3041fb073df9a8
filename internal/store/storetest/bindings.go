package storetest

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testPrincipalBindings: the principal bindings of trust and bucket
// policies survive creates, updates and a reopen, and nil (written before
// bindings) stays apart from empty (bound, nothing to bind).
func testPrincipalBindings(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	const a = "111111111111"
	bound := map[string]string{"arn:aws:iam::" + a + ":user/bob": "AIDABOB"}
	update(t, s, func(tx store.Tx) error {
		for _, r := range []*store.Role{
			{Account: a, ID: "AROA1", Name: "bound", Path: "/", TrustPrincipals: bound},
			{Account: a, ID: "AROA2", Name: "empty", Path: "/", TrustPrincipals: map[string]string{}},
			{Account: a, ID: "AROA3", Name: "legacy", Path: "/"},
		} {
			r.AssumeRolePolicy, r.MaxSessionDuration, r.CreatedAt = "{}", 3600, t0
			if err := tx.CreateRole(ctx, r); err != nil {
				return err
			}
		}
		for _, b := range []*store.Bucket{
			{Name: "bound", PolicyPrincipals: bound},
			{Name: "empty", PolicyPrincipals: map[string]string{}},
			{Name: "legacy"},
		} {
			b.Account, b.CreatedAt, b.Policy = a, t0, "{}"
			if err := tx.CreateBucket(ctx, b); err != nil {
				return err
			}
		}
		// Updates keep them too.
		r, err := tx.GetRole(ctx, a, "empty")
		if err != nil {
			return err
		}
		r.Description = "x"
		if err := tx.UpdateRole(ctx, r); err != nil {
			return err
		}
		b, err := tx.GetBucket(ctx, "empty")
		if err != nil {
			return err
		}
		b.CORS = "<x/>"
		return tx.UpdateBucket(ctx, b)
	})
	check := func(s store.Store) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			want := map[string]map[string]string{"bound": bound, "empty": {}, "legacy": nil}
			for name, w := range want {
				r, err := tx.GetRole(ctx, a, name)
				if err != nil {
					return err
				}
				b, err := tx.GetBucket(ctx, name)
				if err != nil {
					return err
				}
				for what, got := range map[string]map[string]string{"role": r.TrustPrincipals, "bucket": b.PolicyPrincipals} {
					if (got == nil) != (w == nil) || fmt.Sprint(got) != fmt.Sprint(w) {
						return fmt.Errorf("%s %s: bindings %#v, want %#v", what, name, got, w)
					}
				}
			}
			return nil
		})
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	check(s)
}
