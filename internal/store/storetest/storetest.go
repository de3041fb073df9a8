// Package storetest is the conformance suite every store.Store
// implementation runs: Run exercises each aggregate against the contract in
// package store (case-insensitive names, ordering and pagination, sentinel
// errors, transactional rollback, the IAM generation, durability across
// reopen).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Opener opens the store kept in dir; opening the same dir again must see
// everything committed before.
type Opener func(t *testing.T, dir string) store.Store

// Run runs the conformance suite.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Users", testUsers},
		{"GroupsAndMembership", testGroups},
		{"RolesAndPolicies", testRolesAndPolicies},
		{"AccessKeys", testAccessKeys},
		{"RollbackAndGeneration", testRollbackAndGeneration},
		{"ConcurrentUpdates", testConcurrent},
		{"Reopen", testReopen},
		{"TokenKeys", testTokenKeys},
		{"MFADevices", testMFADevices},
		{"BucketsObjectsUploads", testS3},
		{"PrincipalBindings", testPrincipalBindings},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func testUsers(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	update(t, s, func(tx store.Tx) error {
		for i, n := range []string{"Bob", "alice", "Carol", "dave"} {
			path := "/"
			if i%2 == 0 {
				path = "/eng/"
			}
			if err := tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: "AIDA" + n, Name: n, Path: path, CreatedAt: t0,
				Tags: []store.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}}}); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx, &store.User{Account: "222222222222", ID: "AIDAother", Name: "ALICE", Path: "/", CreatedAt: t0})
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: "AIDAdup", Name: "ALICE", Path: "/"})
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate name in another case: %v", err)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, "111111111111", "BOB")
		if err != nil || u.Name != "Bob" || !u.CreatedAt.Equal(t0) || len(u.Tags) != 2 || u.Tags[0].Key != "z" {
			t.Fatalf("GetUser case-insensitive: %+v %v", u, err)
		}
		if _, err := tx.GetUser(ctx, "111111111111", "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
		all, _ := tx.ListUsers(ctx, "111111111111", store.ListQuery{})
		if names(all) != "alice,Bob,Carol,dave" {
			t.Fatalf("order: %s", names(all))
		}
		page, _ := tx.ListUsers(ctx, "111111111111", store.ListQuery{After: "bob", Limit: 1})
		if names(page) != "Carol" {
			t.Fatalf("page after bob: %s", names(page))
		}
		eng, _ := tx.ListUsers(ctx, "111111111111", store.ListQuery{PathPrefix: "/eng/"})
		if names(eng) != "Bob,Carol" {
			t.Fatalf("path prefix: %s", names(eng))
		}
		if n, _ := tx.CountUsers(ctx, "111111111111"); n != 4 {
			t.Fatalf("count %d", n)
		}
		return nil
	})
	// Rename colliding, then succeeding.
	err = s.Update(ctx, func(tx store.Tx) error {
		u, _ := tx.GetUser(ctx, "111111111111", "bob")
		u.Name = "Alice"
		return tx.UpdateUser(ctx, u)
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("rename collision: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		u, _ := tx.GetUser(ctx, "111111111111", "bob")
		u.Name, u.Path = "robert", "/x/"
		return tx.UpdateUser(ctx, u)
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, "111111111111", "AIDAdave") })
	_ = s.View(ctx, func(tx store.Tx) error {
		if u, err := tx.GetUserByID(ctx, "111111111111", "AIDABob"); err != nil || u.Name != "robert" || u.Path != "/x/" {
			t.Fatalf("renamed: %+v %v", u, err)
		}
		if _, err := tx.GetUser(ctx, "111111111111", "dave"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted user: %v", err)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeleteUser(ctx, "111111111111", "AIDAnone") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
}

func names[T any](list []*T) string {
	out := ""
	for i, v := range list {
		if i > 0 {
			out += ","
		}
		switch x := any(v).(type) {
		case *store.User:
			out += x.Name
		case *store.Group:
			out += x.Name
		case *store.Role:
			out += x.Name
		case *store.ManagedPolicy:
			out += x.Name
		}
	}
	return out
}

func testGroups(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const a = "111111111111"
	update(t, s, func(tx store.Tx) error {
		for _, g := range []string{"devs", "Admins"} {
			if err := tx.CreateGroup(ctx, &store.Group{Account: a, ID: "AGPA" + g, Name: g, Path: "/", CreatedAt: t0}); err != nil {
				return err
			}
		}
		for _, u := range []string{"u1", "u2"} {
			if err := tx.CreateUser(ctx, &store.User{Account: a, ID: "AIDA" + u, Name: u, Path: "/"}); err != nil {
				return err
			}
		}
		for _, m := range [][2]string{{"AGPAdevs", "AIDAu1"}, {"AGPAdevs", "AIDAu2"}, {"AGPAAdmins", "AIDAu1"}, {"AGPAdevs", "AIDAu1"}} {
			if err := tx.AddUserToGroup(ctx, a, m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		m, _ := tx.ListGroupMembers(ctx, a, "AGPAdevs", store.ListQuery{})
		if names(m) != "u1,u2" {
			t.Fatalf("members: %s", names(m))
		}
		g, _ := tx.ListGroupsForUser(ctx, a, "AIDAu1", store.ListQuery{})
		if names(g) != "Admins,devs" {
			t.Fatalf("groups for user: %s", names(g))
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.RemoveUserFromGroup(ctx, a, "AGPAAdmins", "AIDAu2") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("remove non-member: %v", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteGroup(ctx, a, "AGPAdevs") })
	_ = s.View(ctx, func(tx store.Tx) error {
		g, _ := tx.ListGroupsForUser(ctx, a, "AIDAu2", store.ListQuery{})
		if len(g) != 0 {
			t.Fatalf("membership survived group deletion: %s", names(g))
		}
		return nil
	})
}

func testRolesAndPolicies(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const a = "111111111111"
	arn := "arn:aws:iam::" + a + ":policy/p1"
	owner := store.EntityRef{Account: a, Kind: store.KindRole, ID: "AROA1"}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateRole(ctx, &store.Role{Account: a, ID: "AROA1", Name: "r1", Path: "/", AssumeRolePolicy: "{}", MaxSessionDuration: 3600, CreatedAt: t0}); err != nil {
			return err
		}
		p := &store.ManagedPolicy{Account: a, ID: "ANPA1", ARN: arn, Name: "p1", Path: "/", DefaultVersionID: "v1", NextVersion: 2, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreatePolicy(ctx, p, &store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: "doc1", CreatedAt: t0}); err != nil {
			return err
		}
		for i := 2; i <= 11; i++ {
			if err := tx.CreatePolicyVersion(ctx, &store.PolicyVersion{PolicyARN: arn, VersionID: fmt.Sprintf("v%d", i), Document: "d", CreatedAt: t0}); err != nil {
				return err
			}
		}
		if err := tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: owner, Name: "b", Document: "old"}); err != nil {
			return err
		}
		if err := tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: owner, Name: "b", Document: "new"}); err != nil {
			return err
		}
		if err := tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: owner, Name: "a", Document: "x"}); err != nil {
			return err
		}
		if err := tx.AttachPolicy(ctx, owner, arn); err != nil {
			return err
		}
		return tx.AttachPolicy(ctx, owner, arn) // idempotent
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		vs, _ := tx.ListPolicyVersions(ctx, arn)
		if len(vs) != 11 || vs[0].VersionID != "v11" || vs[10].VersionID != "v1" {
			t.Fatalf("versions newest first: %d %v", len(vs), vs[0].VersionID)
		}
		ps, _ := tx.ListInlinePolicies(ctx, owner)
		if len(ps) != 2 || ps[0].Name != "a" || ps[1].Document != "new" {
			t.Fatalf("inline: %+v", ps)
		}
		att, _ := tx.ListAttachedPolicies(ctx, owner)
		if len(att) != 1 || att[0] != arn {
			t.Fatalf("attached: %v", att)
		}
		ents, _ := tx.ListPolicyAttachments(ctx, a, arn)
		if len(ents) != 1 || ents[0] != owner {
			t.Fatalf("attachments for policy: %v", ents)
		}
		if ents, _ := tx.ListPolicyAttachments(ctx, "222222222222", arn); len(ents) != 0 {
			t.Fatalf("attachments leak across accounts: %v", ents)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DetachPolicy(ctx, owner, "arn:aws:iam::aws:policy/X") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("detach not attached: %v", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeletePolicy(ctx, arn) })
	_ = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetPolicyVersion(ctx, arn, "v1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("versions survived policy deletion: %v", err)
		}
		return nil
	})
}

func testAccessKeys(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAROOT", Account: "111111111111", SecretSealed: []byte{1, 2, 3}, Status: store.KeyActive, CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAUSER", Account: "111111111111", UserID: "AIDA1", SecretSealed: []byte{4}, Status: store.KeyActive, CreatedAt: t0.Add(time.Second)})
	})
	g0, _ := s.IAMGeneration(ctx)
	update(t, s, func(tx store.Tx) error {
		return tx.TouchAccessKey(ctx, "AKIAUSER", t0.Add(time.Hour), "iam", "us-east-1")
	})
	if g1, _ := s.IAMGeneration(ctx); g1 != g0 {
		t.Fatalf("TouchAccessKey bumped the IAM generation")
	}
	update(t, s, func(tx store.Tx) error { return tx.UpdateAccessKeyStatus(ctx, "AKIAUSER", store.KeyInactive) })
	if g2, _ := s.IAMGeneration(ctx); g2 == g0 {
		t.Fatalf("status change did not bump the IAM generation")
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		k, err := tx.GetAccessKey(ctx, "AKIAUSER")
		if err != nil || k.Status != store.KeyInactive || !k.LastUsedAt.Equal(t0.Add(time.Hour)) || k.LastService != "iam" || string(k.SecretSealed) != "\x04" {
			t.Fatalf("key: %+v %v", k, err)
		}
		root, _ := tx.ListAccessKeys(ctx, "111111111111", "")
		if len(root) != 1 || root[0].ID != "AKIAROOT" {
			t.Fatalf("root keys: %+v", root)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAROOT", Account: "1", SecretSealed: []byte{1}, Status: store.KeyActive})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate key id: %v", err)
	}
}

func testRollbackAndGeneration(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	g0, err := s.IAMGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a", CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error: %v", err)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetAccount(ctx, "111111111111"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rolled-back write is visible: %v", err)
		}
		return nil
	})
	if g, _ := s.IAMGeneration(ctx); g != g0 {
		t.Fatal("rolled-back transaction bumped the generation")
	}
	update(t, s, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a", CreatedAt: t0})
	})
	if g, _ := s.IAMGeneration(ctx); g == g0 {
		t.Fatal("committed IAM write did not bump the generation")
	}
}

func testConcurrent(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: fmt.Sprintf("AIDA%d", i), Name: fmt.Sprintf("u%02d", i), Path: "/"})
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
	_ = s.View(ctx, func(tx store.Tx) error {
		if n, _ := tx.CountUsers(ctx, "111111111111"); n != 40 {
			t.Fatalf("lost updates: %d users", n)
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
				if err := tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: fmt.Sprintf("AIDB%d", i), Name: fmt.Sprintf("v%02d", i), Path: "/"}); err != nil {
					return err
				}
				if i%3 == 0 {
					return fail // its user must not persist
				}
				if i%3 == 1 { // a second write that collides with an existing name
					return tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: fmt.Sprintf("AIDC%d", i), Name: "u00", Path: "/"})
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
	_ = s.View(ctx, func(tx store.Tx) error {
		for i := 0; i < 60; i++ {
			_, err := tx.GetUserByID(ctx, "111111111111", fmt.Sprintf("AIDB%d", i))
			if (i%3 == 2) != (err == nil) {
				t.Errorf("user AIDB%d after a %s update: %v", i, map[bool]string{true: "successful", false: "failed"}[i%3 == 2], err)
			}
		}
		return nil
	})
}

func testReopen(t *testing.T, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "main", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateRole(ctx, &store.Role{Account: "111111111111", ID: "AROA1", Name: "r", Path: "/", MaxSessionDuration: 7200, CreatedAt: t0})
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, dir)
	defer s2.Close()
	_ = s2.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(ctx, "111111111111")
		if err != nil || a.Name != "main" || !a.CreatedAt.Equal(t0) {
			t.Fatalf("account after reopen: %+v %v", a, err)
		}
		r, err := tx.GetRole(ctx, "111111111111", "R")
		if err != nil || r.MaxSessionDuration != 7200 {
			t.Fatalf("role after reopen: %+v %v", r, err)
		}
		return nil
	})
}

func testTokenKeys(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	g0, _ := s.IAMGeneration(ctx)
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateTokenKey(ctx, &store.TokenKey{ID: 2, Sealed: []byte{2}, State: store.TokenKeyActive, CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateTokenKey(ctx, &store.TokenKey{ID: 1, Sealed: []byte{1}, State: store.TokenKeyRetired, CreatedAt: t0, RetiredAt: t0})
	})
	if g, _ := s.IAMGeneration(ctx); g == g0 {
		t.Fatal("token key changes must bump the generation (servers reload their key sets)")
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateTokenKey(ctx, &store.TokenKey{ID: 1, Sealed: []byte{9}, State: store.TokenKeyActive})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate key id: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		return tx.UpdateTokenKey(ctx, &store.TokenKey{ID: 2, State: store.TokenKeyRetired, RetiredAt: t0.Add(time.Hour)})
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteTokenKey(ctx, 1) })
	_ = s.View(ctx, func(tx store.Tx) error {
		keys, err := tx.ListTokenKeys(ctx)
		if err != nil || len(keys) != 1 || keys[0].ID != 2 || keys[0].State != store.TokenKeyRetired || !keys[0].RetiredAt.Equal(t0.Add(time.Hour)) || string(keys[0].Sealed) != "\x02" {
			t.Fatalf("token keys: %+v %v", keys, err)
		}
		return nil
	})
}

func testS3(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	update(t, s, func(tx store.Tx) error {
		for _, b := range []*store.Bucket{{Name: "beta", Account: "1"}, {Name: "alpha", Account: "1"}, {Name: "other", Account: "2"}} {
			b.CreatedAt = t0
			if err := tx.CreateBucket(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateBucket(ctx, &store.Bucket{Name: "alpha", Account: "2"}) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("bucket names are global: %v", err)
	}
	keys := []string{"a", "a/b", "a/c/d", "a0", "b", "\u00e9t\u00e9", "~"}
	update(t, s, func(tx store.Tx) error {
		for i, k := range keys {
			if _, err := tx.PutObject(ctx, &store.Object{Bucket: "alpha", Key: k, Size: int64(i), ETag: `"e"`, LastModified: t0, Owner: "1",
				Checksum: &store.Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
				Blobs:    []store.BlobRef{{Key: fmt.Sprintf("blob%d", i), Size: int64(i)}}}); err != nil {
				return err
			}
		}
		b, _ := tx.GetBucket(ctx, "alpha")
		b.Policy = "{}"
		return tx.UpdateBucket(ctx, b)
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		bs, _ := tx.ListBuckets(ctx, "1")
		if len(bs) != 2 || bs[0].Name != "alpha" || bs[0].Policy != "{}" {
			t.Fatalf("buckets: %+v", bs)
		}
		all, _ := tx.ListObjects(ctx, "alpha", store.ObjectQuery{})
		var got []string
		for _, o := range all {
			got = append(got, o.Key)
		}
		if fmt.Sprint(got) != fmt.Sprint([]string{"a", "a/b", "a/c/d", "a0", "b", "~", "\u00e9t\u00e9"}) {
			t.Fatalf("binary order: %q", got)
		}
		if e := all[2]; e.Size != 2 || e.ETag != `"e"` || !e.LastModified.Equal(t0) || e.Owner != "1" || e.ChecksumAlgorithm != "CRC32" || e.ChecksumType != "FULL_OBJECT" {
			t.Fatalf("listing entry: %+v", e)
		}
		pre, _ := tx.ListObjects(ctx, "alpha", store.ObjectQuery{Prefix: "a/", Limit: 10})
		if len(pre) != 2 || pre[0].Key != "a/b" {
			t.Fatalf("prefix: %+v", pre)
		}
		page, _ := tx.ListObjects(ctx, "alpha", store.ObjectQuery{After: "a/b", Limit: 2})
		if len(page) != 2 || page[0].Key != "a/c/d" || page[1].Key != "a0" {
			t.Fatalf("after: %+v", page)
		}
		if ok, _ := tx.BlobReferenced(ctx, "blob3"); !ok {
			t.Fatal("blob3 should be referenced")
		}
		if ok, _ := tx.BucketHasObjects(ctx, "beta"); ok {
			t.Fatal("beta is empty")
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		old, err := tx.PutObject(ctx, &store.Object{Bucket: "alpha", Key: "a", Blobs: []store.BlobRef{{Key: "new"}}})
		if err != nil || old == nil || old.Blobs[0].Key != "blob0" {
			t.Fatalf("replace returned %+v %v", old, err)
		}
		gone, err := tx.DeleteObject(ctx, "alpha", "b")
		if err != nil || gone.Blobs[0].Key != "blob4" {
			t.Fatalf("delete returned %+v %v", gone, err)
		}
		if _, err := tx.DeleteObject(ctx, "alpha", "b"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		return nil
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		for blob, want := range map[string]bool{"blob0": false, "new": true, "blob4": false} {
			if ok, _ := tx.BlobReferenced(ctx, blob); ok != want {
				t.Fatalf("BlobReferenced(%s) = %v", blob, ok)
			}
		}
		return nil
	})
	// Multipart uploads.
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"u2", "u1"} {
			if err := tx.CreateUpload(ctx, &store.Upload{ID: id, Bucket: "beta", Key: "big", CreatedAt: t0}); err != nil {
				return err
			}
		}
		// Started earlier, with a larger id: listed first for its key.
		if err := tx.CreateUpload(ctx, &store.Upload{ID: "u9", Bucket: "beta", Key: "big", CreatedAt: t0.Add(-time.Hour)}); err != nil {
			return err
		}
		if err := tx.CreateUpload(ctx, &store.Upload{ID: "u0", Bucket: "beta", Key: "cat", CreatedAt: t0}); err != nil {
			return err
		}
		for n := 3; n >= 1; n-- {
			if _, err := tx.PutPart(ctx, &store.Part{UploadID: "u1", Number: n, Blob: store.BlobRef{Key: fmt.Sprintf("p%d", n)}, ETag: `"x"`}); err != nil {
				return err
			}
		}
		old, err := tx.PutPart(ctx, &store.Part{UploadID: "u1", Number: 2, Blob: store.BlobRef{Key: "p2b"}})
		if err != nil || old == nil || old.Blob.Key != "p2" {
			t.Fatalf("part replace: %+v %v", old, err)
		}
		return nil
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		ids := func(ups []*store.Upload) string {
			var out []string
			for _, u := range ups {
				out = append(out, u.ID)
			}
			return strings.Join(out, ",")
		}
		// Ordered by key, then start time, then id; paging continues after
		// the marker upload in that order.
		ups, _ := tx.ListUploads(ctx, "beta", "", "", "", 0)
		if got := ids(ups); got != "u9,u1,u2,u0" {
			t.Fatalf("uploads: %s", got)
		}
		for marker, want := range map[string]string{"u9": "u1,u2,u0", "u1": "u2,u0", "u2": "u0", "none": "u0"} {
			after, _ := tx.ListUploads(ctx, "beta", "", "big", marker, 0)
			if got := ids(after); got != want {
				t.Fatalf("uploads after big/%s: %s, want %s", marker, got, want)
			}
		}
		if got, _ := tx.ListUploads(ctx, "beta", "ca", "", "", 0); ids(got) != "u0" {
			t.Fatalf("uploads with prefix: %s", ids(got))
		}
		parts, _ := tx.ListParts(ctx, "u1", 1, 0)
		if len(parts) != 2 || parts[0].Number != 2 || parts[0].Blob.Key != "p2b" {
			t.Fatalf("parts: %+v", parts)
		}
		if _, err := tx.GetUpload(ctx, "beta", "other-key", "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("upload under another key: %v", err)
		}
		if ok, _ := tx.BucketHasObjects(ctx, "beta"); !ok {
			t.Fatal("a bucket with uploads is not empty")
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		parts, err := tx.DeleteUpload(ctx, "u1")
		if err != nil || len(parts) != 3 {
			t.Fatalf("DeleteUpload: %d %v", len(parts), err)
		}
		if ok, _ := tx.BlobReferenced(ctx, "p1"); ok {
			t.Fatal("aborted part still referenced")
		}
		return tx.DeleteBucket(ctx, "other")
	})
}

func testMFADevices(t *testing.T, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const acct = "111111111111"
	serial := func(n string) string { return "arn:aws:iam::" + acct + ":mfa/" + n }
	update(t, s, func(tx store.Tx) error {
		for _, n := range []string{"bob", "alice"} {
			if err := tx.CreateMFADevice(ctx, &store.MFADevice{Account: acct, SerialNumber: serial(n), Name: n, Path: "/", SeedSealed: []byte("sealed-" + n), CreatedAt: t0}); err != nil {
				return err
			}
		}
		return tx.CreateMFADevice(ctx, &store.MFADevice{Account: "222222222222", SerialNumber: "arn:aws:iam::222222222222:mfa/x", Name: "x", Path: "/"})
	})
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateMFADevice(ctx, &store.MFADevice{Account: acct, SerialNumber: serial("bob"), Name: "bob", Path: "/"})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate serial: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		d, err := tx.GetMFADevice(ctx, serial("alice"))
		if err != nil || string(d.SeedSealed) != "sealed-alice" || !d.CreatedAt.Equal(t0) {
			t.Fatalf("get: %+v %v", d, err)
		}
		d.UserID, d.EnabledAt, d.LastStep = "AIDA1", t0.Add(time.Minute), 42
		return tx.UpdateMFADevice(ctx, d)
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		list, err := tx.ListMFADevices(ctx, acct)
		if err != nil || len(list) != 2 || list[0].Name != "alice" || list[0].UserID != "AIDA1" || list[0].LastStep != 42 || list[1].UserID != "" {
			t.Fatalf("list: %+v %v", list, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteMFADevice(ctx, serial("bob")) })
	_ = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetMFADevice(ctx, serial("bob")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted device: %v", err)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.UpdateMFADevice(ctx, &store.MFADevice{SerialNumber: serial("bob")}) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing device: %v", err)
	}
}

// testPrincipalBindings: the principal bindings of trust and bucket
// policies survive a write and a reopen, and nil (a policy written before
// bindings) stays apart from empty (bound, nothing to bind).
func testPrincipalBindings(t *testing.T, open Opener) {
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
		_ = s.View(ctx, func(tx store.Tx) error {
			want := map[string]map[string]string{"bound": bound, "empty": {}, "legacy": nil}
			for name, w := range want {
				r, err := tx.GetRole(ctx, a, name)
				if err != nil {
					t.Fatal(err)
				}
				b, err := tx.GetBucket(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				for what, got := range map[string]map[string]string{"role": r.TrustPrincipals, "bucket": b.PolicyPrincipals} {
					if (got == nil) != (w == nil) || fmt.Sprint(got) != fmt.Sprint(w) {
						t.Fatalf("%s %s: bindings %#v, want %#v", what, name, got, w)
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
