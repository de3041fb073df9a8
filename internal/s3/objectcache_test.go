package s3

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// fakeGens is a write generation (or its error) a test sets.
type fakeGens struct {
	gen int64
	err error
}

func (g *fakeGens) WriteGeneration(context.Context) (int64, error) { return g.gen, g.err }

// TestObjectCacheGenerations: a record is served from the cache only at
// the generation it was loaded at; a newer generation empties the cache; an
// odd one (a commit under way), an unreadable one, a load that raced with
// a commit and a failed load store nothing.
func TestObjectCacheGenerations(t *testing.T) {
	ctx := context.Background()
	gens := &fakeGens{gen: 2}
	c := newObjectCache(gens, 1<<20)
	loads := 0
	rec := &store.Object{Bucket: "b", Key: "k", ETag: `"1"`}
	load := func(context.Context) (*store.Object, error) { loads++; return rec, nil }
	k := recordAddr{"b", "k", ""}
	get := func(what string, wantLoads int) {
		t.Helper()
		before := loads
		o, err := c.get(ctx, k, load)
		if err != nil || o != rec {
			t.Fatalf("%s: %v %v", what, o, err)
		}
		if loads-before != wantLoads {
			t.Fatalf("%s: %d loads, want %d", what, loads-before, wantLoads)
		}
	}
	get("first read", 1)
	get("same generation", 0)
	gens.gen = 3
	get("commit under way", 1)
	get("commit still under way", 1)
	gens.gen = 4
	get("after the commit", 1)
	get("cached again", 0)
	gens.err = errors.New("unknown")
	get("generation unreadable", 1)
	gens.err = nil
	get("readable again", 0)

	// A commit during the load: the record is the request's, not cached.
	gens.gen = 6
	racing := func(context.Context) (*store.Object, error) { loads++; gens.gen = 8; return rec, nil }
	if _, err := c.get(ctx, k, racing); err != nil {
		t.Fatal(err)
	}
	get("after a racing load", 1)
	get("then cached", 0)

	// An older generation (a request that read it before a newer one
	// emptied the cache) neither reads nor fills the cache.
	gens.gen = 6
	get("stale generation", 1)
	gens.gen = 8
	get("current generation", 0)

	// A failed load is not cached.
	gens.gen = 10
	boom := errors.New("boom")
	if _, err := c.get(ctx, k, func(context.Context) (*store.Object, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed load: %v", err)
	}
	get("after a failed load", 1)

	// A missing version (nil) is cached like a record.
	nils := 0
	missing := func(context.Context) (*store.Object, error) { nils++; return nil, nil }
	for range 2 {
		if o, err := c.get(ctx, recordAddr{"b", "gone", ""}, missing); o != nil || err != nil {
			t.Fatalf("missing: %v %v", o, err)
		}
	}
	if nils != 1 {
		t.Fatalf("a missing version loaded %d times", nils)
	}
}

// TestObjectCacheBound: the cache never holds more than its bound of
// inline bytes; a record larger than the bound is not cached.
func TestObjectCacheBound(t *testing.T) {
	ctx := context.Background()
	const max = 64 << 10
	c := newObjectCache(&fakeGens{gen: 2}, max)
	data := []byte(strings.Repeat("x", 8<<10))
	for i := range 100 {
		k := recordAddr{"b", strings.Repeat("k", i+1), ""}
		o := &store.Object{Bucket: "b", Key: k.key, Blobs: []store.BlobRef{{Data: data, Size: int64(len(data))}}}
		if _, err := c.get(ctx, k, func(context.Context) (*store.Object, error) { return o, nil }); err != nil {
			t.Fatal(err)
		}
		if c.size > max {
			t.Fatalf("after %d records the cache holds %d bytes, bound %d", i+1, c.size, max)
		}
	}
	if n := c.len(); n == 0 || n > max/(8<<10) {
		t.Fatalf("%d records held", n)
	}
	var sum int64
	for k, o := range c.entries {
		sum += recordSize(k, o)
	}
	if sum != c.size {
		t.Fatalf("size %d, entries sum to %d", c.size, sum)
	}
	huge := &store.Object{Blobs: []store.BlobRef{{Data: make([]byte, max+1)}}}
	before := c.len()
	if _, err := c.get(ctx, recordAddr{"b", "huge", ""}, func(context.Context) (*store.Object, error) { return huge, nil }); err != nil {
		t.Fatal(err)
	}
	if c.len() != before {
		t.Fatal("a record over the bound was cached")
	}
}

// heldBytes is a lower bound on what a cached record holds in memory: the
// bytes of its strings, maps and slices (no allocator or map overhead).
func heldBytes(o *store.Object) int64 {
	if o == nil {
		return 0
	}
	n := int64(len(o.Bucket) + len(o.Key) + len(o.VersionID) + len(o.ETag) + len(o.ContentType) + len(o.Owner) +
		len(o.StorageClass) + len(o.UploadID) + len(o.LockMode) + len(o.LegalHold))
	for k, v := range o.Headers {
		n += int64(len(k) + len(v))
	}
	for k, v := range o.Metadata {
		n += int64(len(k) + len(v))
	}
	for _, t := range o.Tags {
		n += int64(len(t.Key) + len(t.Value))
	}
	for _, g := range o.ACL {
		n += int64(len(g.ID) + len(g.URI) + len(g.Permission))
	}
	for _, b := range o.Blobs {
		n += int64(len(b.Key) + len(b.Data))
	}
	for _, c := range o.PartChecksums {
		n += int64(len(c))
	}
	return n
}

// TestObjectCacheBoundsWhatRecordsHold: records of zero-byte
// objects whose Content-Type (no limit but net/http's 1 MiB of request
// headers), standard headers, 2 KiB of user metadata as ~1000 one-byte
// names, and ten 4-byte-rune tags are what any tenant can PUT and then GET;
// the cache must hold no more than its bound of them.
func TestObjectCacheBoundsWhatRecordsHold(t *testing.T) {
	ctx := context.Background()
	c := newObjectCache(&fakeGens{gen: 2}, maxCachedObjectBytes)
	meta := map[string]string{}
	for i := range 1000 {
		meta[fmt.Sprintf("%x", i)] = ""
	}
	var tags []store.Tag
	for i := range 10 {
		tags = append(tags, store.Tag{Key: fmt.Sprint(i) + strings.Repeat("\U0001F600", 127), Value: strings.Repeat("\U0001F600", 256)})
	}
	ct := strings.Repeat("a", 900<<10)
	const records = 200
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var held int64
	for i := range records {
		k := recordAddr{"b", fmt.Sprintf("k%d", i), ""}
		o := &store.Object{Bucket: "b", Key: k.key, ETag: `"x"`, ContentType: strings.Clone(ct), Metadata: meta, Tags: tags,
			Blobs: []store.BlobRef{{Data: []byte{}}}}
		if _, err := c.get(ctx, k, func(context.Context) (*store.Object, error) { return o, nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range c.entries {
		held += heldBytes(o)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d records held, counted %d bytes, holding at least %d bytes; heap grew %d MiB", c.len(), c.size, held, (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)
	if held > c.max {
		t.Fatalf("the cache holds at least %d MiB of records, bound %d MiB (counted %d KiB)", held>>20, c.max>>20, c.size>>10)
	}
}
