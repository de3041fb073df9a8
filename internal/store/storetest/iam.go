package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func testUsers(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	const a = "111111111111"
	update(t, s, func(tx store.Tx) error {
		for i, n := range []string{"Bob", "alice", "Carol", "dave"} {
			path := "/"
			if i%2 == 0 {
				path = "/eng/"
			}
			if err := tx.CreateUser(ctx, &store.User{Account: a, ID: "AIDA" + n, Name: n, Path: path, CreatedAt: t0,
				Tags: []store.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}}}); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx, &store.User{Account: "222222222222", ID: "AIDAother", Name: "ALICE", Path: "/", CreatedAt: t0})
	})
	err := updateErr(t, s, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Account: a, ID: "AIDAdup", Name: "ALICE", Path: "/"})
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate name in another case: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, a, "BOB")
		if err != nil || u.Name != "Bob" || !u.CreatedAt.Equal(t0) || len(u.Tags) != 2 || u.Tags[0].Key != "z" {
			return fmt.Errorf("GetUser case-insensitive: %+v %v", u, err)
		}
		if _, err := tx.GetUser(ctx, a, "nobody"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing user: %v", err)
		}
		if got := names(tx.ListUsers(ctx, a, store.ListQuery{})); got != "alice,Bob,Carol,dave" {
			return fmt.Errorf("order: %s", got)
		}
		if got := names(tx.ListUsers(ctx, a, store.ListQuery{After: "bob", Limit: 1})); got != "Carol" {
			return fmt.Errorf("page after bob: %s", got)
		}
		if got := names(tx.ListUsers(ctx, a, store.ListQuery{PathPrefix: "/eng/"})); got != "Bob,Carol" {
			return fmt.Errorf("path prefix: %s", got)
		}
		if n, err := tx.CountUsers(ctx, a); err != nil || n != 4 {
			return fmt.Errorf("count %d %v", n, err)
		}
		return nil
	})
	// Rename colliding, then succeeding.
	err = updateErr(t, s, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, a, "bob")
		if err != nil {
			return fmt.Errorf("GetUser before rename: %v", err)
		}
		u.Name = "Alice"
		return tx.UpdateUser(ctx, u)
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("rename collision: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, a, "bob")
		if err != nil {
			return fmt.Errorf("GetUser after a failed rename: %v", err)
		}
		u.Name, u.Path = "robert", "/x/"
		return tx.UpdateUser(ctx, u)
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, a, "AIDAdave") })
	view(t, s, func(tx store.Tx) error {
		if u, err := tx.GetUserByID(ctx, a, "AIDABob"); err != nil || u.Name != "robert" || u.Path != "/x/" {
			return fmt.Errorf("renamed: %+v %v", u, err)
		}
		if _, err := tx.GetUser(ctx, a, "dave"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted user: %v", err)
		}
		if _, err := tx.GetUserByID(ctx, a, "AIDAdave"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted user by id: %v", err)
		}
		if u, err := tx.GetUser(ctx, "222222222222", "alice"); err != nil || u.ID != "AIDAother" {
			return fmt.Errorf("the other account's alice: %+v %v", u, err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, a, "AIDAnone") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
}

func testGroups(t testing.TB, open Opener) {
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
	view(t, s, func(tx store.Tx) error {
		if got := names(tx.ListGroupMembers(ctx, a, "AGPAdevs", store.ListQuery{})); got != "u1,u2" {
			return fmt.Errorf("members: %s", got)
		}
		if got := names(tx.ListGroupsForUser(ctx, a, "AIDAu1", store.ListQuery{})); got != "Admins,devs" {
			return fmt.Errorf("groups for user: %s", got)
		}
		if g, err := tx.GetGroup(ctx, a, "ADMINS"); err != nil || g.ID != "AGPAAdmins" {
			return fmt.Errorf("GetGroup case-insensitive: %+v %v", g, err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.RemoveUserFromGroup(ctx, a, "AGPAAdmins", "AIDAu2") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("remove non-member: %v", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteGroup(ctx, a, "AGPAdevs") })
	view(t, s, func(tx store.Tx) error {
		if got := names(tx.ListGroupsForUser(ctx, a, "AIDAu2", store.ListQuery{})); got != "" {
			return fmt.Errorf("membership survived group deletion: %s", got)
		}
		if got := names(tx.ListGroupsForUser(ctx, a, "AIDAu1", store.ListQuery{})); got != "Admins" {
			return fmt.Errorf("groups for user after a group's deletion: %s", got)
		}
		return nil
	})
}

func testRolesAndPolicies(t testing.TB, open Opener) {
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
	view(t, s, func(tx store.Tx) error {
		if r, err := tx.GetRole(ctx, a, "R1"); err != nil || r.ID != "AROA1" || r.MaxSessionDuration != 3600 {
			return fmt.Errorf("GetRole: %+v %v", r, err)
		}
		if p, err := tx.GetPolicy(ctx, arn); err != nil || p.DefaultVersionID != "v1" || p.NextVersion != 2 {
			return fmt.Errorf("GetPolicy: %+v %v", p, err)
		}
		if v, err := tx.GetPolicyVersion(ctx, arn, "v1"); err != nil || v.Document != "doc1" {
			return fmt.Errorf("GetPolicyVersion: %+v %v", v, err)
		}
		vs, err := tx.ListPolicyVersions(ctx, arn)
		if err != nil || len(vs) != 11 || vs[0].VersionID != "v11" || vs[10].VersionID != "v1" {
			return fmt.Errorf("versions newest first: %d %v", len(vs), err)
		}
		ps, err := tx.ListInlinePolicies(ctx, owner)
		if err != nil || len(ps) != 2 || ps[0].Name != "a" || ps[1].Document != "new" {
			return fmt.Errorf("inline: %+v %v", ps, err)
		}
		att, err := tx.ListAttachedPolicies(ctx, owner)
		if err != nil || len(att) != 1 || att[0] != arn {
			return fmt.Errorf("attached: %v %v", att, err)
		}
		ents, err := tx.ListPolicyAttachments(ctx, a, arn)
		if err != nil || len(ents) != 1 || ents[0] != owner {
			return fmt.Errorf("attachments for policy: %v %v", ents, err)
		}
		if ents, err := tx.ListPolicyAttachments(ctx, "222222222222", arn); err != nil || len(ents) != 0 {
			return fmt.Errorf("attachments leak across accounts: %v %v", ents, err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.DetachPolicy(ctx, owner, "arn:aws:iam::aws:policy/X") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("detach not attached: %v", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeletePolicy(ctx, arn) })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetPolicyVersion(ctx, arn, "v1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("versions survived policy deletion: %v", err)
		}
		if _, err := tx.GetPolicy(ctx, arn); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted policy: %v", err)
		}
		return nil
	})
}

func testAccessKeys(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAROOT", Account: "111111111111", SecretSealed: []byte{1, 2, 3}, Status: store.KeyActive, CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAUSER", Account: "111111111111", UserID: "AIDA1", SecretSealed: []byte{4}, Status: store.KeyActive, CreatedAt: t0.Add(time.Second)})
	})
	g0 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		return tx.TouchAccessKey(ctx, "AKIAUSER", t0.Add(time.Hour), "iam", "us-east-1")
	})
	if g1 := generation(t, s); g1 != g0 {
		t.Fatalf("TouchAccessKey bumped the IAM generation")
	}
	update(t, s, func(tx store.Tx) error { return tx.UpdateAccessKeyStatus(ctx, "AKIAUSER", store.KeyInactive) })
	if g2 := generation(t, s); g2 == g0 {
		t.Fatalf("status change did not bump the IAM generation")
	}
	view(t, s, func(tx store.Tx) error {
		k, err := tx.GetAccessKey(ctx, "AKIAUSER")
		if err != nil || k.Status != store.KeyInactive || !k.LastUsedAt.Equal(t0.Add(time.Hour)) || k.LastService != "iam" || string(k.SecretSealed) != "\x04" {
			return fmt.Errorf("key: %+v %v", k, err)
		}
		root, err := tx.ListAccessKeys(ctx, "111111111111", "")
		if err != nil || len(root) != 1 || root[0].ID != "AKIAROOT" {
			return fmt.Errorf("root keys: %+v %v", root, err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error {
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: "AKIAROOT", Account: "1", SecretSealed: []byte{1}, Status: store.KeyActive})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate key id: %v", err)
	}
}

func testTokenKeys(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	g0 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateTokenKey(ctx, &store.TokenKey{ID: 2, Sealed: []byte{2}, State: store.TokenKeyActive, CreatedAt: t0}); err != nil {
			return err
		}
		return tx.CreateTokenKey(ctx, &store.TokenKey{ID: 1, Sealed: []byte{1}, State: store.TokenKeyRetired, CreatedAt: t0, RetiredAt: t0})
	})
	if g := generation(t, s); g == g0 {
		t.Fatal("token key changes must bump the generation (servers reload their key sets)")
	}
	if err := updateErr(t, s, func(tx store.Tx) error {
		return tx.CreateTokenKey(ctx, &store.TokenKey{ID: 1, Sealed: []byte{9}, State: store.TokenKeyActive})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate key id: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		return tx.UpdateTokenKey(ctx, &store.TokenKey{ID: 2, State: store.TokenKeyRetired, RetiredAt: t0.Add(time.Hour)})
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteTokenKey(ctx, 1) })
	view(t, s, func(tx store.Tx) error {
		keys, err := tx.ListTokenKeys(ctx)
		if err != nil || len(keys) != 1 || keys[0].ID != 2 || keys[0].State != store.TokenKeyRetired || !keys[0].RetiredAt.Equal(t0.Add(time.Hour)) || string(keys[0].Sealed) != "\x02" {
			return fmt.Errorf("token keys: %+v %v", keys, err)
		}
		return nil
	})
}

// testInstallation: the one Installation record is absent in a new store,
// replaced whole by PutInstallation, does not bump the IAM generation, is
// not kept when its transaction fails, and survives a reopen.
func testInstallation(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	view(t, s, func(tx store.Tx) error {
		if in, err := tx.GetInstallation(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("new store: GetInstallation = %+v, %v; want ErrNotFound", in, err)
		}
		return nil
	})
	g0 := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		return tx.PutInstallation(ctx, &store.Installation{MasterKeyCheck: []byte{1, 2, 3}, UpdatedAt: t0})
	})
	if g := generation(t, s); g != g0 {
		t.Fatalf("PutInstallation bumped the IAM generation %d → %d", g0, g)
	}
	update(t, s, func(tx store.Tx) error {
		return tx.PutInstallation(ctx, &store.Installation{MasterKeyCheck: []byte{4, 5}, DefaultAccount: "111111111111", UpdatedAt: t0.Add(time.Hour)})
	})
	failed := errors.New("fail after put")
	if err := updateErr(t, s, func(tx store.Tx) error {
		if err := tx.PutInstallation(ctx, &store.Installation{DefaultAccount: "999999999999"}); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("failed update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, dir)
	defer s2.Close()
	view(t, s2, func(tx store.Tx) error {
		in, err := tx.GetInstallation(ctx)
		if err != nil || string(in.MasterKeyCheck) != "\x04\x05" || in.DefaultAccount != "111111111111" || !in.UpdatedAt.Equal(t0.Add(time.Hour)) {
			return fmt.Errorf("installation after replace and reopen: %+v %v", in, err)
		}
		return nil
	})
}

func testMFADevices(t testing.TB, open Opener) {
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
	if err := updateErr(t, s, func(tx store.Tx) error {
		return tx.CreateMFADevice(ctx, &store.MFADevice{Account: acct, SerialNumber: serial("bob"), Name: "bob", Path: "/"})
	}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate serial: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		d, err := tx.GetMFADevice(ctx, serial("alice"))
		if err != nil || string(d.SeedSealed) != "sealed-alice" || !d.CreatedAt.Equal(t0) {
			return fmt.Errorf("get: %+v %v", d, err)
		}
		d.UserID, d.EnabledAt, d.LastStep = "AIDA1", t0.Add(time.Minute), 42
		return tx.UpdateMFADevice(ctx, d)
	})
	view(t, s, func(tx store.Tx) error {
		list, err := tx.ListMFADevices(ctx, acct)
		if err != nil || len(list) != 2 || list[0].Name != "alice" || list[0].UserID != "AIDA1" || list[0].LastStep != 42 || list[1].UserID != "" {
			return fmt.Errorf("list: %+v %v", list, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteMFADevice(ctx, serial("bob")) })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetMFADevice(ctx, serial("bob")); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted device: %v", err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.UpdateMFADevice(ctx, &store.MFADevice{SerialNumber: serial("bob")}) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing device: %v", err)
	}
}
