package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testObjectLock checks that the store itself refuses to remove a locked
// version, current or noncurrent, judged at the Removal's time: a legal
// hold always, compliance retention until its date whatever the bypass,
// governance retention unless bypassed; a refused removal changes nothing;
// replacing a locked null version is refused too; the lock fields and the
// bucket's configuration survive a reopen.
func testObjectLock(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	defer func() { s.Close() }()
	def := &store.LockDefault{Mode: store.LockCompliance, Days: 1}
	update(t, s, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "vers", Account: "1", CreatedAt: t0, Versioning: store.VersioningEnabled,
			ObjectLock: true, LockDefault: def})
	})
	until := t0.Add(24 * time.Hour)
	put := func(id, mode string, hold bool) {
		t.Helper()
		o := &store.Object{Bucket: "vers", Key: "k", VersionID: id, Size: 1, ETag: `"x"`, LastModified: t0, Owner: "1",
			Blobs: []store.BlobRef{{Key: "b-" + id, Size: 1}}, LockMode: mode}
		if hold {
			o.LegalHold = store.LegalHoldOn
		}
		if mode != "" {
			o.LockUntil = until
		}
		update(t, s, func(tx store.Tx) error { _, err := tx.PutObject(ctx, o); return err })
	}
	put("gov", store.LockGovernance, false)
	put("comp", store.LockCompliance, false)
	put("hold", "", true) // current
	del := func(id string, r store.Removal) error {
		return updateErr(t, s, func(tx store.Tx) error { _, err := tx.DeleteVersion(ctx, "vers", "k", id, r); return err })
	}
	before := store.Removal{Now: until.Add(-time.Nanosecond), BypassGovernance: true}
	for _, c := range []struct {
		id string
		r  store.Removal
	}{{"comp", before}, {"hold", before}, {"hold", store.Removal{Now: until.Add(time.Hour), BypassGovernance: true}},
		{"gov", store.Removal{Now: t0}}} {
		if err := del(c.id, c.r); !errors.Is(err, store.ErrLocked) {
			t.Fatalf("DeleteVersion %s at %v: %v, want ErrLocked", c.id, c.r, err)
		}
	}
	wantVersions(t, s, "k:hold* k:comp k:gov")
	view(t, s, func(tx store.Tx) error {
		return referenced(tx, map[string]bool{"b-gov": true, "b-comp": true, "b-hold": true})
	})
	// Reopen: the lock survives.
	s.Close()
	s = open(t, dir)
	view(t, s, func(tx store.Tx) error {
		b, err := tx.GetBucket(ctx, "vers")
		if err != nil || !b.ObjectLock || b.LockDefault == nil || *b.LockDefault != *def {
			return fmt.Errorf("bucket after reopen: %+v %v", b, err)
		}
		o, err := tx.GetVersion(ctx, "vers", "k", "comp")
		if err != nil || o.LockMode != store.LockCompliance || !o.LockUntil.Equal(until) || o.LegalHold != "" {
			return fmt.Errorf("comp after reopen: %+v %v", o, err)
		}
		if o, err := tx.GetObject(ctx, "vers", "k"); err != nil || o.LegalHold != store.LegalHoldOn || o.LockMode != "" {
			return fmt.Errorf("hold after reopen: %+v %v", o, err)
		}
		return nil
	})
	if err := del("gov", store.Removal{Now: t0, BypassGovernance: true}); err != nil {
		t.Fatalf("bypassed governance: %v", err)
	}
	if err := del("comp", store.Removal{Now: until}); err != nil {
		t.Fatalf("compliance at its date: %v", err)
	}
	wantVersions(t, s, "k:hold*")

	// A locked null version is not replaced.
	update(t, s, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "nul", Account: "1", CreatedAt: t0})
	})
	n := &store.Object{Bucket: "nul", Key: "n", Size: 1, ETag: `"x"`, LastModified: t0, Owner: "1", LegalHold: store.LegalHoldOn}
	update(t, s, func(tx store.Tx) error { _, err := tx.PutObject(ctx, n); return err })
	n2 := *n
	n2.LegalHold, n2.ETag = store.LegalHoldOff, `"y"`
	if err := updateErr(t, s, func(tx store.Tx) error { _, err := tx.PutObject(ctx, &n2); return err }); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("replacing a held null version: %v", err)
	}
}
