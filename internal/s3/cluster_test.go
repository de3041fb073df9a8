package s3

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// clusterFixture is a store and blob store shared by "nodes", and a clock
// the test moves.
type clusterFixture struct {
	st    store.Store
	blobs *blobfs.FS
	now   time.Time
}

func newClusterFixture(t *testing.T) *clusterFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(dir + "/db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.Open(dir + "/blobs")
	if err != nil {
		t.Fatal(err)
	}
	return &clusterFixture{st: st, blobs: blobs, now: time.Now()}
}

func (f *clusterFixture) clock() time.Time { return f.now }

func (f *clusterFixture) put(t *testing.T) string {
	t.Helper()
	info, err := f.blobs.Put(context.Background(), strings.NewReader("bytes"), 5)
	if err != nil {
		t.Fatal(err)
	}
	return info.Key
}

func (f *clusterFixture) exists(key string) bool {
	o, err := f.blobs.Open(context.Background(), key)
	if err == nil {
		o.Close()
	}
	return err == nil
}

// With several nodes (FreeDelay), a blob an overwrite frees is not deleted
// at once — another node may be streaming it — but recorded, and deleted
// by a sweep once it has been free for FreeDelay; an orphan the walk finds
// is handled the same way. A freed blob found referenced again is kept.
func TestSweeperFreeDelay(t *testing.T) {
	ctx := context.Background()
	f := newClusterFixture(t)
	svc := New(Config{Store: f.st, Blobs: f.blobs, Now: f.clock, FreeDelay: time.Hour, Node: "node-a"})
	old, orphan := f.put(t), f.put(t)
	svc.freeBlobs(ctx, []store.BlobRef{{Key: old, Size: 5}})
	if !f.exists(old) {
		t.Fatal("a blob freed with FreeDelay was deleted at once")
	}
	w := &Sweeper{Store: f.st, Blobs: f.blobs, Grace: time.Minute, Now: f.clock, FreeDelay: time.Hour, Holder: "node-b"}
	f.now = f.now.Add(30 * time.Minute)
	if res, err := w.Sweep(ctx); err != nil || res.Blobs != 0 || !f.exists(old) || !f.exists(orphan) {
		t.Fatalf("sweep before the delay: %+v %v old %v orphan %v", res, err, f.exists(old), f.exists(orphan))
	}
	// The walk recorded the orphan (older than Grace) as freed now.
	f.now = f.now.Add(31 * time.Minute)
	if res, err := w.Sweep(ctx); err != nil || res.Blobs != 1 || f.exists(old) || !f.exists(orphan) {
		t.Fatalf("sweep after the freed blob's delay: %+v %v old %v orphan %v", res, err, f.exists(old), f.exists(orphan))
	}
	// A blob recorded as freed that a record names again is not deleted.
	again := f.put(t)
	if err := f.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "1"}); err != nil {
			return err
		}
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k", VersionID: "null", Blobs: []store.BlobRef{{Key: again, Size: 5}}}); err != nil {
			return err
		}
		return tx.AddFreedBlobs(ctx, []string{again}, f.now)
	}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(2 * time.Hour)
	if res, err := w.Sweep(ctx); err != nil || res.Blobs != 1 || f.exists(orphan) || !f.exists(again) {
		t.Fatalf("sweep after the orphan's delay: %+v %v orphan %v referenced %v", res, err, f.exists(orphan), f.exists(again))
	}
	var left []string
	if err := f.st.View(ctx, func(tx store.Tx) error {
		var err error
		left, err = tx.ListFreedBlobs(ctx, f.now, 10)
		return err
	}); err != nil || len(left) != 0 {
		t.Fatalf("freed blobs left recorded: %v %v", left, err)
	}
}

// One node sweeps at a time: a sweep while another holder's lease lasts
// answers ErrLeaseHeld and deletes nothing; once the lease lapses (its node
// died without releasing it), another node sweeps. A finished sweep
// releases its lease.
func TestSweeperLease(t *testing.T) {
	ctx := context.Background()
	f := newClusterFixture(t)
	orphan := f.put(t)
	if err := f.st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AcquireLease(ctx, leaseSweeper, "dead-node", f.now, f.now.Add(LeaseTTL))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(2 * time.Hour) // the orphan is old; the lease too, but renewed below
	if err := f.st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AcquireLease(ctx, leaseSweeper, "dead-node", f.now, f.now.Add(LeaseTTL))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w := &Sweeper{Store: f.st, Blobs: f.blobs, Grace: time.Hour, Now: f.clock, Holder: "node-b"}
	if res, err := w.Sweep(ctx); !errors.Is(err, ErrLeaseHeld) || res.Blobs != 0 || !f.exists(orphan) {
		t.Fatalf("sweep while another node holds the lease: %+v %v", res, err)
	}
	f.now = f.now.Add(LeaseTTL)
	if res, err := w.Sweep(ctx); err != nil || res.Blobs != 1 || f.exists(orphan) {
		t.Fatalf("sweep after the lease lapsed: %+v %v", res, err)
	}
	if err := f.st.View(ctx, func(tx store.Tx) error {
		_, _, err := tx.GetLease(ctx, leaseSweeper)
		return err
	}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the lease after a finished sweep: %v", err)
	}
}

// One node runs a lifecycle pass at a time: while another holder's lease
// lasts a pass does nothing and answers ErrLeaseHeld.
func TestLifecycleLease(t *testing.T) {
	ctx := context.Background()
	f := newClusterFixture(t)
	if err := f.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "1", Lifecycle: `<LifecycleConfiguration><Rule><ID>r</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`}); err != nil {
			return err
		}
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "old", VersionID: "null", LastModified: f.now.Add(-72 * time.Hour)}); err != nil {
			return err
		}
		_, err := tx.AcquireLease(ctx, leaseLifecycle, "node-a", f.now, f.now.Add(LeaseTTL))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Store: f.st, Blobs: f.blobs, Now: f.clock, Node: "node-b"})
	w := svc.LifecycleWorker(f.clock)
	if res, err := w.RunOnce(ctx); !errors.Is(err, ErrLeaseHeld) || res.Expired != 0 {
		t.Fatalf("a pass while another node holds the lease: %+v %v", res, err)
	}
	f.now = f.now.Add(LeaseTTL)
	if res, err := w.RunOnce(ctx); err != nil || res.Expired != 1 {
		t.Fatalf("a pass once the lease lapsed: %+v %v", res, err)
	}
}

// A pass stopped by its context (the server shutting down) still gives
// its lease back: another node need not wait for it to lapse.
func TestLeaseReleasedOnCancel(t *testing.T) {
	f := newClusterFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	l := &passLease{st: f.st, name: leaseSweeper, holder: "node-a", now: f.clock}
	if err := l.hold(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	l.release(ctx)
	if err := f.st.View(context.Background(), func(tx store.Tx) error {
		_, _, err := tx.GetLease(context.Background(), leaseSweeper)
		return err
	}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the lease after a cancelled pass released it: %v", err)
	}
}
