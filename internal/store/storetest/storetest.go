// Package storetest is the conformance suite every store.Store
// implementation runs: Run exercises each aggregate against the contract in
// package store (case-insensitive names, ordering and pagination, sentinel
// errors, transactional rollback, the IAM generation, durability across
// reopen).
//
// The suite fails on every unexpected error: a View or Update that fails,
// that returns without running its function, or that loses the function's
// error; a read that fails or returns the wrong record; an error that is
// not the sentinel the contract names. Its own tests prove that by running
// it against deliberately broken stores.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Opener opens the store kept in dir; opening the same dir again must see
// everything committed before.
type Opener func(t testing.TB, dir string) store.Store

// Run runs the conformance suite, one subtest per case.
func Run(t *testing.T, open Opener) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

// testCase is one subtest of the suite.
type testCase struct {
	name string
	fn   func(testing.TB, Opener)
}

func cases() []testCase {
	return []testCase{
		{"Users", testUsers},
		{"GroupsAndMembership", testGroups},
		{"RolesAndPolicies", testRolesAndPolicies},
		{"AccessKeys", testAccessKeys},
		{"RollbackAndGeneration", testRollbackAndGeneration},
		{"ConcurrentUpdates", testConcurrent},
		{"Reopen", testReopen},
		{"TokenKeys", testTokenKeys},
		{"Installation", testInstallation},
		{"MFADevices", testMFADevices},
		{"OIDCProviders", testOIDCProviders},
		{"SAMLProviders", testSAMLProviders},
		{"BucketsObjectsUploads", testS3},
		{"InlineObject", testInlineObject},
		{"PublicAccessBlocks", testPublicAccessBlocks},
		{"ObjectVersions", testVersions},
		{"Lifecycle", testLifecycle},
		{"ObjectLock", testObjectLock},
		{"PrincipalBindings", testPrincipalBindings},
		{"TwoNodes", testTwoNodes},
		{"ScopedWrites", testScopedWrites},
		{"Leases", testLeases},
		{"FreedBlobs", testFreedBlobs},
	}
}

var ctx = context.Background()

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// inTx runs fn through run (a store's View or Update) and returns run's
// error. The test fails if fn never ran, or if fn failed and run did not
// return fn's error.
func inTx(t testing.TB, run func(context.Context, func(store.Tx) error) error, fn func(store.Tx) error) error {
	t.Helper()
	ran := false
	var fnErr error
	err := run(ctx, func(tx store.Tx) error {
		ran = true
		fnErr = fn(tx)
		return fnErr
	})
	if !ran {
		t.Fatalf("the transaction returned %v without running its function", err)
	}
	if fnErr != nil && !errors.Is(err, fnErr) {
		t.Fatalf("the transaction's function failed with %q, the transaction returned %v", fnErr, err)
	}
	return err
}

// view runs fn in s.View; any error fails the test. Checks inside fn
// report a mismatch by returning an error.
func view(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := inTx(t, s.View, fn); err != nil {
		t.Fatal(err)
	}
}

// update runs fn in s.Update; any error fails the test.
func update(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := inTx(t, s.Update, fn); err != nil {
		t.Fatal(err)
	}
}

// updateErr runs fn in s.Update and returns its error, for updates that
// are meant to fail with a sentinel.
func updateErr(t testing.TB, s store.Store, fn func(store.Tx) error) error {
	t.Helper()
	return inTx(t, s.Update, fn)
}

// generation returns s's IAM generation; an error fails the test.
func generation(t testing.TB, s store.Store) int64 {
	t.Helper()
	g, err := s.IAMGeneration(ctx)
	if err != nil {
		t.Fatalf("IAMGeneration: %v", err)
	}
	return g
}

// names lists the names of users, groups, roles or policies, or describes
// err, so that a failed list never matches an expected list.
func names[T any](list []*T, err error) string {
	if err != nil {
		return fmt.Sprintf("error(%v)", err)
	}
	var out []string
	for _, v := range list {
		switch x := any(v).(type) {
		case *store.User:
			out = append(out, x.Name)
		case *store.Group:
			out = append(out, x.Name)
		case *store.Role:
			out = append(out, x.Name)
		case *store.ManagedPolicy:
			out = append(out, x.Name)
		case *store.Upload:
			out = append(out, x.ID)
		default:
			out = append(out, fmt.Sprintf("%T", x))
		}
	}
	return strings.Join(out, ",")
}
