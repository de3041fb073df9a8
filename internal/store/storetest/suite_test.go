package storetest

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/faketb"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
)

// The suite's own tests: run its cases under a recorder against a real
// SQLite store (they must pass) and against the same store broken in one
// way at a time (the cases that check what broke must fail, without
// panicking).

func openSQLite(t testing.TB, dir string) store.Store {
	s, err := sqlite.Open(filepath.Join(dir, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSuitePassesUnderTheRecorder(t *testing.T) {
	var runs []run
	for _, c := range cases() {
		runs = append(runs, run{c: c, open: openSQLite})
	}
	for _, r := range runAll(t, runs) {
		if r.rec.Failed() {
			t.Errorf("%s failed against the real store:\n%s", r.c.name, r.rec.Report())
		}
	}
}

// run is one case against one opener, and what the recorder saw.
type run struct {
	b    *breakage
	c    testCase
	open Opener
	rec  *faketb.T
}

// runAll runs the cases concurrently (they spend their time in fsync).
func runAll(t *testing.T, runs []run) []run {
	recs := faketb.RunAll(t, len(runs), 16, func(i int) string { return runs[i].c.name },
		func(i int, tb testing.TB) { runs[i].c.fn(tb, runs[i].open) })
	for i := range runs {
		runs[i].rec = recs[i]
	}
	return runs
}

var errBroken = errors.New("broken store")

// breakage is one way to break the store, and the cases that must notice.
type breakage struct {
	name string
	// wrap breaks a real store; open, when set, replaces the opener.
	wrap  func(store.Store) store.Store
	open  func(t testing.TB, dir string) store.Store
	fails []string // nil: every case
}

func breakages() []breakage {
	var all []string
	for _, c := range cases() {
		all = append(all, c.name)
	}
	return []breakage{
		{name: "View fails", wrap: func(s store.Store) store.Store { return viewFails{s} }},
		{name: "View returns nil without running its function", wrap: func(s store.Store) store.Store { return viewSkips{s} }},
		{name: "View loses its function's error and every read returns ErrNotFound", wrap: func(s store.Store) store.Store {
			return viewLosesError{failEvery(s, store.ErrNotFound, isRead)}
		}},
		{name: "Update keeps nothing but reports success", wrap: func(s store.Store) store.Store { return updateDiscards{s} }},
		{name: "Update loses its function's error", wrap: func(s store.Store) store.Store { return updateLosesError{s} },
			fails: without(all, "Reopen", "PrincipalBindings")},
		{name: "every read returns ErrNotFound", wrap: func(s store.Store) store.Store {
			return failEvery(s, store.ErrNotFound, isRead)
		}},
		{name: "every Tx method returns ErrNotFound", wrap: func(s store.Store) store.Store {
			return failEvery(s, store.ErrNotFound, func(string) bool { return true })
		}},
		{name: "IAMGeneration never changes", wrap: func(s store.Store) store.Store { return generationFrozen{s} },
			fails: []string{"AccessKeys", "RollbackAndGeneration", "TokenKeys", "OIDCProviders"}},
		{name: "IAMGeneration fails", wrap: func(s store.Store) store.Store {
			f := storefault.New(s)
			f.FailEvery("IAMGeneration", errBroken)
			return f
		}, fails: []string{"AccessKeys", "RollbackAndGeneration", "Reopen", "TokenKeys", "OIDCProviders"}},
		{name: "a missing record is not ErrNotFound", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return sloppyNotFound{tx} }}
		},
			fails: []string{"Users", "RolesAndPolicies", "RollbackAndGeneration", "ConcurrentUpdates", "MFADevices", "OIDCProviders", "SAMLProviders", "BucketsObjectsUploads", "ObjectVersions"}},
		{name: "a duplicate is not ErrExists", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return sloppyExists{tx} }}
		},
			fails: []string{"Users", "AccessKeys", "ConcurrentUpdates", "TokenKeys", "MFADevices", "OIDCProviders", "SAMLProviders", "BucketsObjectsUploads"}},
		{name: "names are looked up case-sensitively", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return caseSensitive{tx} }}
		},
			fails: []string{"Users", "GroupsAndMembership", "RolesAndPolicies", "SAMLProviders", "Reopen"}},
		{name: "lists come back reversed", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return reversedLists{tx} }}
		},
			fails: []string{"Users", "GroupsAndMembership", "RolesAndPolicies", "MFADevices", "OIDCProviders", "SAMLProviders", "BucketsObjectsUploads", "ObjectVersions"}},
		{name: "pagination is ignored", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return noPagination{tx} }}
		},
			fails: []string{"Users", "BucketsObjectsUploads", "ObjectVersions"}},
		{name: "BucketHasObjects sees only current versions and uploads", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return currentOnlyBusy{tx} }}
		},
			fails: []string{"ObjectVersions"}},
		{name: "BlobReferenced sees only current versions", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return currentOnlyRefs{tx} }}
		},
			fails: []string{"ObjectVersions"}},
		{name: "DeleteVersion of the current version loses the one before it", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return noPromotion{tx} }}
		},
			fails: []string{"ObjectVersions"}},
		{name: "nothing survives a reopen", open: func(t testing.TB, _ string) store.Store { return openSQLite(t, t.TempDir()) },
			fails: []string{"Reopen", "PrincipalBindings", "Installation"}},
		{name: "PutInstallation bumps the IAM generation", wrap: func(s store.Store) store.Store {
			return txStore{s, func(tx store.Tx) store.Tx { return installationBumps{tx} }}
		},
			fails: []string{"Installation"}},
	}
}

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return slices.Contains(drop, s) })
}

func TestSuiteFailsAgainstBrokenStores(t *testing.T) {
	var runs []run
	bs := breakages()
	for i := range bs {
		b := &bs[i]
		open := b.open
		if open == nil {
			open = func(t testing.TB, dir string) store.Store { return b.wrap(openSQLite(t, dir)) }
		}
		for _, c := range cases() {
			if b.fails == nil || slices.Contains(b.fails, c.name) {
				runs = append(runs, run{b: b, c: c, open: open})
			}
		}
	}
	for _, r := range runAll(t, runs) {
		switch {
		case r.rec.Panicked() != "":
			t.Errorf("%s panicked instead of failing against a store where %s:\n%s", r.c.name, r.b.name, r.rec.Report())
		case !r.rec.Failed():
			t.Errorf("%s passed against a store where %s", r.c.name, r.b.name)
		default:
			t.Logf("%s, where %s: %s", r.c.name, r.b.name, firstLine(r.rec.Messages()))
		}
	}
}

func firstLine(msgs []string) string {
	if len(msgs) == 0 {
		return ""
	}
	return strings.TrimSpace(msgs[0])
}

// isRead selects the Tx methods that read.
func isRead(m string) bool {
	return strings.HasPrefix(m, "Get") || strings.HasPrefix(m, "List") || strings.HasPrefix(m, "Count") || m == "BlobReferenced" || m == "BucketHasObjects"
}

// failEvery fails every Tx method that pick selects with err.
func failEvery(s store.Store, err error, pick func(method string) bool) store.Store {
	f := storefault.New(s)
	txType := reflect.TypeFor[store.Tx]()
	for i := range txType.NumMethod() {
		if m := txType.Method(i).Name; pick(m) {
			f.FailEvery(m, err)
		}
	}
	return f
}

// installationBumps writes an IAM change (an idempotent group membership)
// along with every PutInstallation.
type installationBumps struct{ store.Tx }

func (t installationBumps) PutInstallation(ctx context.Context, in *store.Installation) error {
	if err := t.Tx.AddUserToGroup(ctx, "999999999999", "AGPAbump", "AIDAbump"); err != nil {
		return err
	}
	return t.Tx.PutInstallation(ctx, in)
}

type viewFails struct{ store.Store }

func (viewFails) View(context.Context, func(store.Tx) error) error { return errBroken }

type viewSkips struct{ store.Store }

func (viewSkips) View(context.Context, func(store.Tx) error) error { return nil }

type viewLosesError struct{ store.Store }

func (s viewLosesError) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { fn(tx); return nil })
}

type updateLosesError struct{ store.Store }

func (s updateLosesError) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.Store.Update(ctx, fn)
	return nil
}

// updateDiscards runs every Update's function, rolls it back, and reports
// success.
type updateDiscards struct{ store.Store }

func (s updateDiscards) Update(ctx context.Context, fn func(store.Tx) error) error {
	errDiscard := errors.New("discard")
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDiscard
	})
	if errors.Is(err, errDiscard) {
		return nil
	}
	return err
}

type generationFrozen struct{ store.Store }

func (generationFrozen) IAMGeneration(context.Context) (int64, error) { return 7, nil }

// txStore hands every View and Update function wrap(tx).
type txStore struct {
	store.Store
	wrap func(store.Tx) store.Tx
}

func (s txStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(s.wrap(tx)) })
}

func (s txStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(s.wrap(tx)) })
}

// plain keeps an error's text and loses its identity.
func plain(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(err.Error())
}

// sloppyNotFound reports missing records with an error that is not
// store.ErrNotFound.
type sloppyNotFound struct{ store.Tx }

func (t sloppyNotFound) GetAccount(ctx context.Context, id string) (*store.Account, error) {
	a, err := t.Tx.GetAccount(ctx, id)
	return a, plain(err)
}

func (t sloppyNotFound) GetUser(ctx context.Context, account, name string) (*store.User, error) {
	u, err := t.Tx.GetUser(ctx, account, name)
	return u, plain(err)
}

func (t sloppyNotFound) GetUserByID(ctx context.Context, account, id string) (*store.User, error) {
	u, err := t.Tx.GetUserByID(ctx, account, id)
	return u, plain(err)
}

func (t sloppyNotFound) GetPolicyVersion(ctx context.Context, arn, v string) (*store.PolicyVersion, error) {
	pv, err := t.Tx.GetPolicyVersion(ctx, arn, v)
	return pv, plain(err)
}

func (t sloppyNotFound) GetMFADevice(ctx context.Context, serial string) (*store.MFADevice, error) {
	d, err := t.Tx.GetMFADevice(ctx, serial)
	return d, plain(err)
}

func (t sloppyNotFound) GetOIDCProvider(ctx context.Context, arn string) (*store.OIDCProvider, error) {
	p, err := t.Tx.GetOIDCProvider(ctx, arn)
	return p, plain(err)
}

func (t sloppyNotFound) GetSAMLProvider(ctx context.Context, account, name string) (*store.SAMLProvider, error) {
	p, err := t.Tx.GetSAMLProvider(ctx, account, name)
	return p, plain(err)
}

func (t sloppyNotFound) GetBucket(ctx context.Context, name string) (*store.Bucket, error) {
	b, err := t.Tx.GetBucket(ctx, name)
	return b, plain(err)
}

func (t sloppyNotFound) GetVersion(ctx context.Context, bucket, key, id string) (*store.Object, error) {
	o, err := t.Tx.GetVersion(ctx, bucket, key, id)
	return o, plain(err)
}

// sloppyExists reports duplicates with an error that is not
// store.ErrExists.
type sloppyExists struct{ store.Tx }

func (t sloppyExists) CreateUser(ctx context.Context, u *store.User) error {
	return plain(t.Tx.CreateUser(ctx, u))
}

func (t sloppyExists) CreateAccessKey(ctx context.Context, k *store.AccessKey) error {
	return plain(t.Tx.CreateAccessKey(ctx, k))
}

func (t sloppyExists) CreateTokenKey(ctx context.Context, k *store.TokenKey) error {
	return plain(t.Tx.CreateTokenKey(ctx, k))
}

func (t sloppyExists) CreateMFADevice(ctx context.Context, d *store.MFADevice) error {
	return plain(t.Tx.CreateMFADevice(ctx, d))
}

func (t sloppyExists) CreateOIDCProvider(ctx context.Context, p *store.OIDCProvider) error {
	return plain(t.Tx.CreateOIDCProvider(ctx, p))
}

func (t sloppyExists) CreateSAMLProvider(ctx context.Context, p *store.SAMLProvider) error {
	return plain(t.Tx.CreateSAMLProvider(ctx, p))
}

func (t sloppyExists) CreateBucket(ctx context.Context, b *store.Bucket) error {
	return plain(t.Tx.CreateBucket(ctx, b))
}

// caseSensitive finds users, groups and roles only by their exact name.
type caseSensitive struct{ store.Tx }

func (t caseSensitive) GetUser(ctx context.Context, account, name string) (*store.User, error) {
	u, err := t.Tx.GetUser(ctx, account, name)
	if err == nil && u.Name != name {
		return nil, store.ErrNotFound
	}
	return u, err
}

func (t caseSensitive) GetGroup(ctx context.Context, account, name string) (*store.Group, error) {
	g, err := t.Tx.GetGroup(ctx, account, name)
	if err == nil && g.Name != name {
		return nil, store.ErrNotFound
	}
	return g, err
}

func (t caseSensitive) GetRole(ctx context.Context, account, name string) (*store.Role, error) {
	r, err := t.Tx.GetRole(ctx, account, name)
	if err == nil && r.Name != name {
		return nil, store.ErrNotFound
	}
	return r, err
}

func (t caseSensitive) GetSAMLProvider(ctx context.Context, account, name string) (*store.SAMLProvider, error) {
	p, err := t.Tx.GetSAMLProvider(ctx, account, name)
	if err == nil && p.Name != name {
		return nil, store.ErrNotFound
	}
	return p, err
}

// reversedLists returns several lists in reverse order.
type reversedLists struct{ store.Tx }

func reversed[T any](list []T, err error) ([]T, error) {
	slices.Reverse(list)
	return list, err
}

func (t reversedLists) ListUsers(ctx context.Context, account string, q store.ListQuery) ([]*store.User, error) {
	return reversed(t.Tx.ListUsers(ctx, account, q))
}

func (t reversedLists) ListGroupMembers(ctx context.Context, account, groupID string, q store.ListQuery) ([]*store.User, error) {
	return reversed(t.Tx.ListGroupMembers(ctx, account, groupID, q))
}

func (t reversedLists) ListPolicyVersions(ctx context.Context, arn string) ([]*store.PolicyVersion, error) {
	return reversed(t.Tx.ListPolicyVersions(ctx, arn))
}

func (t reversedLists) ListMFADevices(ctx context.Context, account string) ([]*store.MFADevice, error) {
	return reversed(t.Tx.ListMFADevices(ctx, account))
}

func (t reversedLists) ListOIDCProviders(ctx context.Context, account string) ([]*store.OIDCProvider, error) {
	return reversed(t.Tx.ListOIDCProviders(ctx, account))
}

func (t reversedLists) ListSAMLProviders(ctx context.Context, account string) ([]*store.SAMLProvider, error) {
	return reversed(t.Tx.ListSAMLProviders(ctx, account))
}

func (t reversedLists) ListObjects(ctx context.Context, bucket string, q store.ObjectQuery) ([]store.ObjectEntry, error) {
	return reversed(t.Tx.ListObjects(ctx, bucket, q))
}

func (t reversedLists) ListVersions(ctx context.Context, bucket string, q store.VersionQuery) ([]store.VersionEntry, error) {
	return reversed(t.Tx.ListVersions(ctx, bucket, q))
}

// noPagination ignores After and Limit.
type noPagination struct{ store.Tx }

func (t noPagination) ListUsers(ctx context.Context, account string, q store.ListQuery) ([]*store.User, error) {
	return t.Tx.ListUsers(ctx, account, store.ListQuery{PathPrefix: q.PathPrefix})
}

func (t noPagination) ListObjects(ctx context.Context, bucket string, q store.ObjectQuery) ([]store.ObjectEntry, error) {
	return t.Tx.ListObjects(ctx, bucket, store.ObjectQuery{Prefix: q.Prefix})
}

func (t noPagination) ListVersions(ctx context.Context, bucket string, q store.VersionQuery) ([]store.VersionEntry, error) {
	return t.Tx.ListVersions(ctx, bucket, store.VersionQuery{Prefix: q.Prefix})
}

// currentOnlyBusy answers BucketHasObjects from the current versions and
// the uploads alone.
type currentOnlyBusy struct{ store.Tx }

func (t currentOnlyBusy) BucketHasObjects(ctx context.Context, bucket string) (bool, error) {
	objs, err := t.Tx.ListObjects(ctx, bucket, store.ObjectQuery{Limit: 1})
	if err != nil {
		return false, err
	}
	ups, err := t.Tx.ListUploads(ctx, bucket, "", "", "", 1)
	return len(objs)+len(ups) > 0, err
}

// currentOnlyRefs answers BlobReferenced true only for the blobs of current
// versions in the buckets of account 1 (the suite's).
type currentOnlyRefs struct{ store.Tx }

func (t currentOnlyRefs) BlobReferenced(ctx context.Context, key string) (bool, error) {
	buckets, err := t.Tx.ListBuckets(ctx, "1", store.BucketQuery{})
	if err != nil {
		return false, err
	}
	for _, b := range buckets {
		entries, err := t.Tx.ListObjects(ctx, b.Name, store.ObjectQuery{})
		if err != nil {
			return false, err
		}
		for _, e := range entries {
			o, err := t.Tx.GetObject(ctx, b.Name, e.Key)
			if err != nil {
				return false, err
			}
			for _, ref := range o.Blobs {
				if ref.Key == key {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// noPromotion removes, with the current version, the version that would
// have become current.
type noPromotion struct{ store.Tx }

func (t noPromotion) DeleteVersion(ctx context.Context, bucket, key, id string) (*store.Object, error) {
	cur, err := t.Tx.GetObject(ctx, bucket, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	gone, err := t.Tx.DeleteVersion(ctx, bucket, key, id)
	if err != nil || cur == nil || cur.VersionID != id {
		return gone, err
	}
	if next, err := t.Tx.GetObject(ctx, bucket, key); err == nil {
		_, err = t.Tx.DeleteVersion(ctx, bucket, key, next.VersionID)
		return gone, err
	}
	return gone, nil
}
