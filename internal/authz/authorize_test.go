package authz_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
)

const acct = "111122223333"

var ctx = context.Background()

type noManaged struct{}

func (noManaged) Document(string) (string, bool) { return "", false }

// world is a store with user bob (AIDABOB…) who has an inline Allow of
// s3:* and an attached customer policy that denies s3:DeleteObject.
type world struct {
	st    *storefault.Store
	authz *authz.Authorizer
	bob   *authz.Principal
}

const (
	allowS3   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	denyDel   = `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	policyARN = "arn:aws:iam::" + acct + ":policy/no-delete"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	inner, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inner.Close() })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bobRef := store.EntityRef{Account: acct, Kind: store.KindUser, ID: "AIDABOB0000000000000"}
	err = inner.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: acct, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, &store.User{Account: acct, ID: bobRef.ID, Name: "bob", Path: "/", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: bobRef, Name: "s3", Document: allowS3}); err != nil {
			return err
		}
		mp := &store.ManagedPolicy{Account: acct, ID: "ANPANODELETE00000000", ARN: policyARN, Name: "no-delete", Path: "/",
			DefaultVersionID: "v1", NextVersion: 2, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreatePolicy(ctx, mp, &store.PolicyVersion{PolicyARN: policyARN, VersionID: "v1", Document: denyDel, CreatedAt: now}); err != nil {
			return err
		}
		return tx.AttachPolicy(ctx, bobRef, policyARN)
	})
	if err != nil {
		t.Fatal(err)
	}
	st := storefault.New(inner)
	bob := &authz.Principal{Type: authz.TypeUser, Account: acct, ARN: "arn:aws:iam::" + acct + ":user/bob", UserID: bobRef.ID,
		UserName: "bob", EntityID: bobRef.ID, AccessKeyID: "AKIABOB"}
	return &world{st: st, authz: authz.NewAuthorizer(st, noManaged{}), bob: bob}
}

func (w *world) decide(action string) (policy.Decision, error) {
	return w.authz.Decide(ctx, w.bob, authz.RequestInfo{Now: time.Now()}, authz.Check{Action: action, Resource: "arn:aws:s3:::b/k"})
}

func TestDecisionNamesTheStatement(t *testing.T) {
	w := newWorld(t)
	d, err := w.decide("s3:DeleteObject")
	if err != nil || d.Effect != policy.ExplicitDeny || d.Source != policy.SourceIdentity || d.Statement.PolicyID != policyARN || d.Statement.Sid != "NoDelete" {
		t.Fatalf("decision %+v, %v", d, err)
	}
	d, err = w.decide("s3:GetObject")
	if err != nil || d.Effect != policy.Allow || d.Statement.PolicyID != "user/AIDABOB0000000000000/s3" {
		t.Fatalf("decision %+v, %v", d, err)
	}
}

// A store fault while loading the attached policy (which holds a Deny)
// fails the decision instead of deciding without it, and nothing partial
// is cached: once the store recovers, the Deny is in force.
func TestStoreFaultFailsClosedAndIsNotCached(t *testing.T) {
	for _, method := range []string{"GetPolicy", "GetPolicyVersion", "ListAttachedPolicies", "ListInlinePolicies", "ListGroupsForUser", "GetUserByID", "View", "IAMGeneration"} {
		t.Run(method, func(t *testing.T) {
			w := newWorld(t)
			disk := errors.New("disk on fire")
			w.st.FailNth(method, 1, disk)
			d, err := w.decide("s3:DeleteObject")
			if err == nil {
				t.Fatalf("decided %v while %s failed", d.Effect, method)
			}
			if err := authz.Denial(w.bob, authz.Check{}, d); err == nil && d.Effect == policy.Allow {
				t.Fatal("allowed on a failed load")
			}
			d, err = w.decide("s3:DeleteObject")
			if err != nil || d.Effect != policy.ExplicitDeny {
				t.Fatalf("after recovery: %+v, %v; want the explicit deny", d, err)
			}
		})
	}
}

// A stored policy that no longer parses fails every decision of its
// principal (never skipped: it might have been the Deny).
func TestUnreadablePolicyFailsClosed(t *testing.T) {
	w := newWorld(t)
	err := w.st.Update(ctx, func(tx store.Tx) error {
		return tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: store.EntityRef{Account: acct, Kind: store.KindUser, ID: w.bob.EntityID},
			Name: "broken", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"`})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.decide("s3:GetObject"); !errors.Is(err, authz.ErrPolicyLoad) {
		t.Fatalf("err = %v, want ErrPolicyLoad", err)
	}
	// A dangling attachment (the policy record is gone) fails likewise.
	w = newWorld(t)
	if err := w.st.Update(ctx, func(tx store.Tx) error { return tx.DeletePolicy(ctx, policyARN) }); err != nil {
		t.Fatal(err)
	}
	if _, err := w.decide("s3:GetObject"); !errors.Is(err, authz.ErrPolicyLoad) {
		t.Fatalf("dangling attachment: err = %v, want ErrPolicyLoad", err)
	}
}

// The revocation race, made deterministic: a request loads bob's
// policies and pauses; meanwhile an admin deletes his Allow; the request
// resumes. It may use what it loaded (it began first), but no later
// request may: the stale load must not be cached.
func TestRevocationRaceIsNotCached(t *testing.T) {
	w := newWorld(t)
	gate := w.st.PauseAfter("ListAttachedPolicies", 1)
	defer gate.Release()
	done := make(chan policy.Decision, 1)
	go func() {
		d, err := w.decide("s3:GetObject")
		if err != nil {
			t.Error(err)
		}
		done <- d
	}()
	<-gate.Arrived()
	err := w.st.Update(ctx, func(tx store.Tx) error {
		return tx.DeleteInlinePolicy(ctx, store.EntityRef{Account: acct, Kind: store.KindUser, ID: w.bob.EntityID}, "s3")
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another request sees the new generation first (and is denied).
	if d, err := w.decide("s3:GetObject"); err != nil || d.Effect == policy.Allow {
		t.Fatalf("a request after the delete: %+v, %v", d, err)
	}
	gate.Release()
	<-done
	d, err := w.decide("s3:GetObject")
	if err != nil || d.Effect == policy.Allow {
		t.Fatalf("after the Allow was deleted: %+v, %v; want denied", d, err)
	}
}

// A user deleted (and re-created under a new id) is denied everything.
func TestDeletedPrincipalIsDenied(t *testing.T) {
	w := newWorld(t)
	if _, err := w.decide("s3:GetObject"); err != nil {
		t.Fatal(err)
	}
	err := w.st.Update(ctx, func(tx store.Tx) error {
		ref := store.EntityRef{Account: acct, Kind: store.KindUser, ID: w.bob.EntityID}
		if err := tx.DeleteInlinePolicies(ctx, ref); err != nil {
			return err
		}
		if err := tx.DetachPolicy(ctx, ref, policyARN); err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, acct, w.bob.EntityID); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &store.User{Account: acct, ID: "AIDANEWBOB0000000000", Name: "bob", Path: "/", CreatedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.decide("s3:GetObject")
	if err != nil || d.Effect != policy.ImplicitDeny {
		t.Fatalf("deleted user: %+v, %v", d, err)
	}
}
