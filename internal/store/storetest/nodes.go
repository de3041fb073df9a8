package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testTwoNodes opens the same store twice (two processes, or two nodes of
// a cluster) and has both read, modify and write the same records
// concurrently: a role, a managed policy's version set, a bucket's policy,
// and the completion of one multipart upload. No update may be lost, and
// exactly one completion may win.
func testTwoNodes(t testing.TB, open Opener) {
	dir := t.TempDir()
	a := open(t, dir)
	defer a.Close()
	b := open(t, dir)
	defer b.Close()
	const acct = "111111111111"
	const perNode = 6
	arn := "arn:aws:iam::" + acct + ":policy/shared"
	update(t, a, func(tx store.Tx) error {
		if err := tx.CreateRole(ctx, &store.Role{Account: acct, ID: "AROASHARED", Name: "shared", Path: "/", AssumeRolePolicy: "{}"}); err != nil {
			return err
		}
		p := &store.ManagedPolicy{Account: acct, ID: "ANPASHARED", ARN: arn, Name: "shared", Path: "/", DefaultVersionID: "v1", NextVersion: 2}
		if err := tx.CreatePolicy(ctx, p, &store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: "{}", CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "shared", Account: acct, CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateUpload(ctx, &store.Upload{ID: "up1", Bucket: "shared", Key: "k", CreatedAt: t0})
	})
	// race runs fn perNode times on each node at once and returns the
	// errors of the calls.
	race := func(fn func(s store.Store, tag string) error) []error {
		var wg sync.WaitGroup
		errs := make([]error, 2*perNode)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = fn([]store.Store{a, b}[i%2], fmt.Sprintf("n%d-%d", i%2, i/2))
			}()
		}
		wg.Wait()
		return errs
	}
	noErrors := func(what string, errs []error) {
		t.Helper()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	noErrors("role updates", race(func(s store.Store, tag string) error {
		return s.Update(ctx, func(tx store.Tx) error {
			r, err := tx.GetRole(ctx, acct, "shared")
			if err != nil {
				return err
			}
			r.Tags = append(r.Tags, store.Tag{Key: tag, Value: "x"})
			return tx.UpdateRole(ctx, r)
		})
	}))
	noErrors("policy versions", race(func(s store.Store, tag string) error {
		return s.Update(ctx, func(tx store.Tx) error {
			p, err := tx.GetPolicy(ctx, arn)
			if err != nil {
				return err
			}
			id := fmt.Sprintf("v%d", p.NextVersion)
			if err := tx.CreatePolicyVersion(ctx, &store.PolicyVersion{PolicyARN: arn, VersionID: id, Document: tag, CreatedAt: t0}); err != nil {
				return err
			}
			p.NextVersion++
			p.DefaultVersionID = id
			return tx.UpdatePolicy(ctx, p)
		})
	}))
	noErrors("bucket policy updates", race(func(s store.Store, tag string) error {
		return s.Update(ctx, func(tx store.Tx) error {
			bk, err := tx.GetBucket(ctx, "shared")
			if err != nil {
				return err
			}
			bk.Policy += tag + ";"
			return tx.UpdateBucket(ctx, bk)
		})
	}))
	completions := race(func(s store.Store, tag string) error {
		return s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.GetUpload(ctx, "shared", "k", "up1"); err != nil {
				return err
			}
			if _, err := tx.DeleteUpload(ctx, "up1"); err != nil {
				return err
			}
			_, err := tx.PutObject(ctx, &store.Object{Bucket: "shared", Key: "k", ETag: tag, LastModified: t0})
			return err
		})
	})
	winner := ""
	for i, err := range completions {
		switch {
		case err == nil && winner != "":
			t.Fatalf("two completions of one upload succeeded")
		case err == nil:
			winner = fmt.Sprintf("n%d-%d", i%2, i/2)
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("completion: %v, want nil or ErrNotFound", err)
		}
	}
	if winner == "" {
		t.Fatalf("no completion succeeded")
	}
	for _, s := range []store.Store{a, b} {
		view(t, s, func(tx store.Tx) error {
			r, err := tx.GetRole(ctx, acct, "shared")
			if err != nil || len(r.Tags) != 2*perNode {
				return fmt.Errorf("lost role updates: %v, %v", r, err)
			}
			vs, err := tx.ListPolicyVersions(ctx, arn)
			if err != nil || len(vs) != 1+2*perNode {
				return fmt.Errorf("lost policy versions: %d, %v", len(vs), err)
			}
			p, err := tx.GetPolicy(ctx, arn)
			if err != nil || p.NextVersion != 2+2*perNode || p.DefaultVersionID != vs[0].VersionID {
				return fmt.Errorf("policy after concurrent versions: %+v, %v", p, err)
			}
			bk, err := tx.GetBucket(ctx, "shared")
			if err != nil || strings.Count(bk.Policy, ";") != 2*perNode {
				return fmt.Errorf("lost bucket policy updates: %q, %v", bk.Policy, err)
			}
			o, err := tx.GetObject(ctx, "shared", "k")
			if err != nil || o.ETag != winner {
				return fmt.Errorf("completed object: %+v, %v; want the winner's %s", o, err, winner)
			}
			return nil
		})
	}
}
