package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/s3/lifecycle"
	"github.com/gatehouse/gatehouse/internal/store"
)

// LifecycleWorker executes the buckets' lifecycle configurations: one pass
// (Run) walks every bucket that has one, first its versions and then its
// multipart uploads, a page of LifecycleBatch entries at a time, and
//
//   - expires current versions whose Expiration (Days, Date) is due: in an
//     unversioned bucket it removes them, in a versioned or suspended one it
//     adds a delete marker as DeleteObject would;
//   - removes noncurrent versions whose NoncurrentVersionExpiration is due
//     (NoncurrentDays from when they became noncurrent, keeping the newest
//     NewerNoncurrentVersions);
//   - removes a delete marker that is its key's only version
//     (ExpiredObjectDeleteMarker);
//   - aborts multipart uploads older than DaysAfterInitiation.
//
// Each page's actions and the bucket's cursor commit in one small
// transaction, so a pass interrupted by a crash resumes after the last
// committed page; every action is checked again in that transaction (the
// version is still what the page showed), so doing one twice does
// nothing. Removals go through the store's version-removal path
// (Tx.DeleteVersion, the one DeleteObject ?versionId= uses), so whatever
// it refuses — a locked version — is refused here too: such an action is
// counted as an error and left. Blobs are freed only after the commit. One
// node at a time runs a pass: it holds the store lease "lifecycle" (held by
// the service's Node) and renews it at every page; a pass that finds it held
// elsewhere ends at once with ErrLeaseHeld.
type LifecycleWorker struct {
	s   *Service
	now func() time.Time
	log *slog.Logger
	// Batch is the number of versions or uploads a page reads (default
	// LifecycleBatch).
	Batch int
	// OnRun receives each pass's result (the composition root feeds
	// metrics).
	OnRun func(LifecycleResult)
	// KeepBlobs leaves the bytes of removed versions and aborted uploads
	// to the orphan sweeper instead of deleting them after the commit: for
	// a pass run by an operator command beside a server, whose reads in
	// flight this process cannot see.
	KeepBlobs bool
	// StopAfter, a test hook, ends a pass with ErrLifecycleStopped after
	// that many committed pages, as a crash there would (0: never).
	StopAfter int
	// lease is the running pass's (one node at a time runs a pass).
	lease *passLease
}

// LifecycleBatch is the default page size of the lifecycle worker.
const LifecycleBatch = 500

// ErrLifecycleStopped ends a pass stopped by LifecycleWorker.StopAfter.
var ErrLifecycleStopped = errors.New("lifecycle: pass stopped by the test hook")

// LifecycleResult counts what one pass did.
type LifecycleResult struct {
	Buckets  int // buckets with a configuration passed over
	Expired  int // current versions expired
	Versions int // noncurrent versions removed
	Markers  int // expired delete markers removed
	Uploads  int // uploads aborted
	Errors   int // actions or buckets that failed
	Batches  int // pages committed
	Duration time.Duration
}

// LifecycleWorker returns the service's lifecycle worker judging time by
// now.
func (s *Service) LifecycleWorker(now func() time.Time) *LifecycleWorker {
	return &LifecycleWorker{s: s, now: now, log: s.log, Batch: LifecycleBatch}
}

// Run runs a pass now (resuming one a crash interrupted) and then every
// interval until ctx ends.
func (w *LifecycleWorker) Run(ctx context.Context, interval time.Duration) {
	runEvery(ctx, interval, func() error {
		_, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil && !errors.Is(err, ErrLeaseHeld) {
			w.log.Warn("lifecycle pass failed", "err", err)
		}
		return err
	})
}

// RunOnce runs one pass over every bucket and logs its summary.
func (w *LifecycleWorker) RunOnce(ctx context.Context) (LifecycleResult, error) {
	start := time.Now() // the pass's duration is wall time (a metric), not the injected clock rules are judged by
	var res LifecycleResult
	err := w.pass(ctx, &res)
	res.Duration = time.Since(start)
	if errors.Is(err, ErrLeaseHeld) {
		w.log.Debug("lifecycle pass skipped: another node runs it")
		return res, err
	}
	w.log.Info("lifecycle pass", "buckets", res.Buckets, "expired", res.Expired, "noncurrent_removed", res.Versions,
		"markers_removed", res.Markers, "uploads_aborted", res.Uploads, "errors", res.Errors, "batches", res.Batches,
		"duration_ms", res.Duration.Milliseconds(), "err", err)
	if w.OnRun != nil {
		w.OnRun(res)
	}
	return res, err
}

// pass runs one pass while it holds the lifecycle lease (ErrLeaseHeld when
// another node runs one), renewing it at each bucket and page.
func (w *LifecycleWorker) pass(ctx context.Context, res *LifecycleResult) error {
	w.lease = &passLease{st: w.s.store, name: leaseLifecycle, holder: w.s.node, now: w.now}
	if err := w.lease.hold(ctx); err != nil {
		return err
	}
	defer w.lease.release(ctx)
	after := ""
	for {
		var page []*store.Bucket
		if err := w.s.store.View(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.ListAllBuckets(ctx, after, 100)
			return err
		}); err != nil {
			return err
		}
		for _, b := range page {
			if b.Lifecycle == "" {
				continue
			}
			cfg, err := lifecycle.Load([]byte(b.Lifecycle))
			if err != nil || !cfg.Active() {
				continue
			}
			res.Buckets++
			if err := w.bucket(ctx, b, cfg, res); err != nil {
				if errors.Is(err, ErrLifecycleStopped) || errors.Is(err, ErrLeaseHeld) || ctx.Err() != nil {
					return err
				}
				res.Errors++
				w.log.Warn("lifecycle pass over a bucket failed; the next pass resumes it", "bucket", b.Name, "err", err)
			}
		}
		if len(page) < 100 {
			return nil
		}
		after = page[len(page)-1].Name
	}
}

// Phases of a bucket's pass.
const (
	phaseVersions = "versions"
	phaseUploads  = "uploads"
)

func (w *LifecycleWorker) batch() int {
	if w.Batch <= 0 {
		return LifecycleBatch
	}
	return w.Batch
}

// bucket passes over one bucket, from its cursor.
func (w *LifecycleWorker) bucket(ctx context.Context, b *store.Bucket, cfg *lifecycle.Config, res *LifecycleResult) error {
	var cur *store.LifecycleCursor
	err := w.s.store.View(ctx, func(tx store.Tx) error {
		var err error
		cur, err = tx.GetLifecycleCursor(ctx, b.Name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		cur, err = &store.LifecycleCursor{Bucket: b.Name, Phase: phaseVersions, Started: w.now().UTC()}, nil
	}
	if err != nil {
		return err
	}
	for cur.Phase == phaseVersions {
		if err := w.lease.hold(ctx); err != nil {
			return err
		}
		if err := w.versionsPage(ctx, b, cfg, cur, res); err != nil {
			return err
		}
	}
	for cur.Phase == phaseUploads {
		if err := w.lease.hold(ctx); err != nil {
			return err
		}
		if err := w.uploadsPage(ctx, b, cfg, cur, res); err != nil {
			return err
		}
	}
	return nil
}

// action is one thing a page decided to do.
type action struct {
	kind    string // metrics' label: expired, versions, markers, uploads
	key, id string
	// etag and modified are the version's as the page saw them: an
	// unversioned bucket's overwrite keeps the id "null", and must not be
	// mistaken for what the page judged.
	etag     string
	modified time.Time
}

// versionsPage reads the next whole keys' versions, decides, and applies.
func (w *LifecycleWorker) versionsPage(ctx context.Context, b *store.Bucket, cfg *lifecycle.Config, cur *store.LifecycleCursor, res *LifecycleResult) error {
	n := w.batch()
	now := w.now().UTC()
	var acts []action
	var last string
	done := false
	err := w.s.store.View(ctx, func(tx store.Tx) error {
		page, err := tx.ListVersions(ctx, b.Name, store.VersionQuery{KeyMarker: cur.KeyMarker, Limit: n})
		if err != nil {
			return err
		}
		if len(page) < n {
			done = true
		} else if page[0].Key != page[len(page)-1].Key {
			// Keep whole keys: the last key's versions may go on.
			k := page[len(page)-1].Key
			for len(page) > 0 && page[len(page)-1].Key == k {
				page = page[:len(page)-1]
			}
		} else {
			// One key fills the page: read the rest of it.
			for more := page; len(more) == n; {
				tail := more[len(more)-1]
				more, err = tx.ListVersions(ctx, b.Name, store.VersionQuery{KeyMarker: tail.Key, VersionIDMarker: tail.VersionID, Limit: n})
				if err != nil {
					return err
				}
				for _, e := range more {
					if e.Key == tail.Key {
						page = append(page, e)
					}
				}
				if len(more) < n || more[len(more)-1].Key != tail.Key {
					break
				}
			}
		}
		for i := 0; i < len(page); {
			j := i + 1
			for j < len(page) && page[j].Key == page[i].Key {
				j++
			}
			a, err := w.decideKey(ctx, tx, b.Name, cfg, page[i:j], now)
			if err != nil {
				return err
			}
			acts = append(acts, a...)
			last = page[i].Key
			i = j
		}
		return nil
	})
	if err != nil {
		return err
	}
	next := *cur
	if done {
		next.Phase, next.KeyMarker, next.VersionIDMarker = phaseUploads, "", ""
	} else {
		next.KeyMarker = last
	}
	if err := w.apply(ctx, b.Name, acts, &next, res); err != nil {
		return err
	}
	*cur = next
	return nil
}

// decideKey decides the actions of one key's versions (newest first; the
// first is the latest).
func (w *LifecycleWorker) decideKey(ctx context.Context, tx store.Tx, bucket string, cfg *lifecycle.Config, vs []store.VersionEntry, now time.Time) ([]action, error) {
	var acts []action
	obj := func(e store.VersionEntry) (lifecycle.Object, error) {
		o := lifecycle.Object{Key: e.Key, Size: e.Size, Created: e.LastModified}
		if cfg.NeedsTags() && !e.DeleteMarker {
			rec, err := tx.GetVersion(ctx, bucket, e.Key, e.VersionID)
			if err != nil {
				return o, err
			}
			o.Tags = map[string]string{}
			for _, t := range rec.Tags {
				o.Tags[t.Key] = t.Value
			}
		}
		return o, nil
	}
	latest := vs[0]
	if latest.IsLatest && !latest.DeleteMarker {
		o, err := obj(latest)
		if err != nil {
			return nil, err
		}
		if at, _ := cfg.CurrentExpiry(o); !at.IsZero() && !now.Before(at) {
			acts = append(acts, action{kind: lifecycleExpired, key: latest.Key, id: latest.VersionID, etag: latest.ETag, modified: latest.LastModified})
		}
	}
	removed, newer := 0, 0
	for i, e := range vs {
		if i == 0 && e.IsLatest {
			continue
		}
		o, err := obj(e)
		if err != nil {
			return nil, err
		}
		since := e.NoncurrentSince
		if since.IsZero() && i > 0 {
			since = vs[i-1].LastModified
		}
		if cfg.NoncurrentDue(o, since, newer, now) {
			acts = append(acts, action{kind: lifecycleVersions, key: e.Key, id: e.VersionID, etag: e.ETag, modified: e.LastModified})
			removed++
		}
		newer++
	}
	if latest.IsLatest && latest.DeleteMarker && removed == len(vs)-1 && cfg.MarkerDue(latest.Key) {
		acts = append(acts, action{kind: lifecycleMarkers, key: latest.Key, id: latest.VersionID})
	}
	return acts, nil
}

// The action kinds (the metrics package's labels).
const (
	lifecycleExpired  = "expired"
	lifecycleVersions = "versions"
	lifecycleMarkers  = "markers"
	lifecycleUploads  = "uploads"
)

// apply commits a page's actions with the cursor in one transaction; if
// any action fails, each is tried in a transaction of its own (the ones
// that fail again are counted and left), then the cursor is committed.
func (w *LifecycleWorker) apply(ctx context.Context, bucket string, acts []action, next *store.LifecycleCursor, res *LifecycleResult) error {
	var freed []store.BlobRef
	var did []string
	err := w.s.store.Update(ctx, func(tx store.Tx) error {
		freed, did = freed[:0], did[:0]
		var b *store.Bucket
		for _, a := range acts {
			refs, ok, err := w.act(ctx, tx, bucket, &b, a)
			if err != nil {
				return fmt.Errorf("%s %s %s: %w", a.kind, a.key, a.id, err)
			}
			if ok {
				freed, did = append(freed, refs...), append(did, a.kind)
			}
		}
		return saveCursor(ctx, tx, next)
	})
	if err != nil && ctx.Err() == nil && len(acts) > 0 {
		w.log.Warn("lifecycle page failed; trying its actions one by one", "bucket", bucket, "err", err)
		freed, did = nil, nil
		for _, a := range acts {
			var refs []store.BlobRef
			var ok bool
			err := w.s.store.Update(ctx, func(tx store.Tx) error {
				var err error
				var b *store.Bucket
				refs, ok, err = w.act(ctx, tx, bucket, &b, a)
				return err
			})
			if err != nil {
				res.Errors++
				w.log.Warn("lifecycle action failed", "bucket", bucket, "action", a.kind, "key", a.key, "id", a.id, "err", err)
				continue
			}
			if ok {
				freed, did = append(freed, refs...), append(did, a.kind)
			}
		}
		err = w.s.store.Update(ctx, func(tx store.Tx) error { return saveCursor(ctx, tx, next) })
	}
	if err != nil {
		return err
	}
	if !w.KeepBlobs {
		w.s.freeBlobs(ctx, freed)
	}
	for _, k := range did {
		switch k {
		case lifecycleExpired:
			res.Expired++
		case lifecycleVersions:
			res.Versions++
		case lifecycleMarkers:
			res.Markers++
		case lifecycleUploads:
			res.Uploads++
		}
	}
	res.Batches++
	if w.StopAfter > 0 && res.Batches >= w.StopAfter {
		return ErrLifecycleStopped
	}
	return nil
}

func saveCursor(ctx context.Context, tx store.Tx, c *store.LifecycleCursor) error {
	if c.Phase == "" {
		return tx.DeleteLifecycleCursor(ctx, c.Bucket)
	}
	return tx.PutLifecycleCursor(ctx, c)
}

// same reports whether o is the version the action judged.
func (a action) same(o *store.Object) bool {
	return o.VersionID == a.id && o.ETag == a.etag && o.LastModified.Equal(a.modified)
}

// act applies one action if what it acts on is still as the page saw it
// (ok false otherwise), returning the blobs to free after the commit. *b
// is the bucket as this transaction read it (read on first need).
func (w *LifecycleWorker) act(ctx context.Context, tx store.Tx, bucket string, bp **store.Bucket, a action) ([]store.BlobRef, bool, error) {
	switch a.kind {
	case lifecycleExpired:
		if *bp == nil {
			b, err := tx.GetBucket(ctx, bucket)
			if err != nil {
				return nil, false, err
			}
			*bp = b
		}
		b := *bp
		cur, err := tx.GetObject(ctx, bucket, a.key)
		if errors.Is(err, store.ErrNotFound) || err == nil && !a.same(cur) {
			return nil, false, nil // changed since: the next pass judges it
		}
		if err != nil {
			return nil, false, err
		}
		var gone *store.Object
		if b.Versioning == "" {
			gone, err = tx.DeleteVersion(ctx, bucket, a.key, store.NullVersion, store.Removal{Now: w.now()})
		} else {
			// As DeleteObject without a version: a delete marker (replacing
			// the null version when versioning is suspended).
			gone, err = tx.PutObject(ctx, &store.Object{Bucket: bucket, Key: a.key, VersionID: newVersionID(b), DeleteMarker: true,
				LastModified: w.now().UTC(), Owner: b.Account})
		}
		if err != nil {
			return nil, false, err
		}
		if gone != nil {
			return gone.Blobs, true, nil
		}
		return nil, true, nil
	case lifecycleVersions:
		latest, err := tx.GetVersion(ctx, bucket, a.key, "")
		if errors.Is(err, store.ErrNotFound) || err == nil && latest.VersionID == a.id {
			return nil, false, nil // gone, or the latest again
		}
		if err != nil {
			return nil, false, err
		}
		v, err := tx.GetVersion(ctx, bucket, a.key, a.id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !a.same(v) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		gone, err := tx.DeleteVersion(ctx, bucket, a.key, a.id, store.Removal{Now: w.now()})
		if err != nil {
			return nil, false, err
		}
		return gone.Blobs, true, nil
	case lifecycleMarkers:
		vs, err := tx.ListVersions(ctx, bucket, store.VersionQuery{Prefix: a.key, Limit: 2})
		if err != nil {
			return nil, false, err
		}
		if len(vs) == 0 || vs[0].Key != a.key || vs[0].VersionID != a.id || !vs[0].DeleteMarker ||
			len(vs) > 1 && vs[1].Key == a.key {
			return nil, false, nil // no longer the key's only version
		}
		if _, err := tx.DeleteVersion(ctx, bucket, a.key, a.id, store.Removal{Now: w.now()}); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	case lifecycleUploads:
		if _, err := tx.GetUpload(ctx, bucket, a.key, a.id); errors.Is(err, store.ErrNotFound) {
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		parts, err := tx.DeleteUpload(ctx, a.id)
		if err != nil {
			return nil, false, err
		}
		refs := make([]store.BlobRef, 0, len(parts))
		for _, p := range parts {
			refs = append(refs, p.Blob)
		}
		return refs, true, nil
	}
	return nil, false, fmt.Errorf("lifecycle: unknown action %q", a.kind)
}

// uploadsPage reads the next page of uploads, decides, and applies.
func (w *LifecycleWorker) uploadsPage(ctx context.Context, b *store.Bucket, cfg *lifecycle.Config, cur *store.LifecycleCursor, res *LifecycleResult) error {
	n := w.batch()
	now := w.now().UTC()
	var page []*store.Upload
	if err := w.s.store.View(ctx, func(tx store.Tx) error {
		var err error
		page, err = tx.ListUploads(ctx, b.Name, "", cur.KeyMarker, cur.VersionIDMarker, n)
		return err
	}); err != nil {
		return err
	}
	var acts []action
	for _, u := range page {
		if cfg.UploadDue(u.Key, u.CreatedAt, now) {
			acts = append(acts, action{kind: lifecycleUploads, key: u.Key, id: u.ID})
		}
	}
	next := *cur
	if len(page) < n {
		next.Phase = "" // the pass over this bucket is complete
	} else {
		next.KeyMarker, next.VersionIDMarker = page[len(page)-1].Key, page[len(page)-1].ID
	}
	if err := w.apply(ctx, b.Name, acts, &next, res); err != nil {
		return err
	}
	*cur = next
	return nil
}

// compileLifecycle parses a stored lifecycle configuration ("" = none).
func compileLifecycle(_ string, doc string) *lifecycle.Config {
	if doc == "" {
		return nil
	}
	cfg, err := lifecycle.Load([]byte(doc))
	if err != nil {
		return nil // validated on write
	}
	return cfg
}

// expirationHeader is the x-amz-expiration value of a current version
// under the bucket's configuration ("" when no rule expires it).
func (s *Service) expirationHeader(b *store.Bucket, o *store.Object) string {
	if b == nil || b.Lifecycle == "" || o == nil || o.DeleteMarker {
		return ""
	}
	cfg := s.lifecycles.get(b.Name, b.Lifecycle)
	if cfg == nil {
		return ""
	}
	lo := lifecycle.Object{Key: o.Key, Size: o.Size, Created: o.LastModified, Tags: map[string]string{}}
	for _, t := range o.Tags {
		lo.Tags[t.Key] = t.Value
	}
	at, id := cfg.CurrentExpiry(lo)
	if at.IsZero() {
		return ""
	}
	return fmt.Sprintf(`expiry-date="%s", rule-id="%s"`, at.Format(http.TimeFormat), id)
}
