package s3

import (
	"context"
	"sync"

	"github.com/gatehouse/gatehouse/internal/store"
)

// GetObject and HeadObject read the addressed version through a cache of
// object records when the store counts its commits (Config.Objects: the
// embedded SQLite store of one node). Correctness comes from the store's
// write generation, not from knowing which write touched which key:
//
//   - an entry is stamped with the generation read before its record was
//     loaded, and stored only if the generation is unchanged (and even)
//     once the load has finished, so it holds the database's state at that
//     generation;
//   - an entry is served only to a request that reads the same, even
//     generation; the store makes the generation odd before a commit and
//     moves it on after, so no request is served a record older than a
//     commit that any reader could already see;
//   - the first newer generation a request reads drops every entry.
//
// Any commit therefore empties the cache: it serves read-mostly loads (the
// common GET of small objects) and costs a mixed load one map lookup. A
// record in the cache is shared by concurrent requests: GET and HEAD only
// read it (writes re-read their record inside their store transaction).

// WriteGenerations is a store's write generation (sqlite.Store's
// WriteGeneration): unchanged between two reads only if no commit was
// made in between, odd while one is being made.
type WriteGenerations interface {
	WriteGeneration(ctx context.Context) (int64, error)
}

// recordAddr addresses a cached record: a version, or ("") the key's
// current record.
type recordAddr struct{ bucket, key, version string }

// objectCache holds records (nil: the version does not exist) by address.
type objectCache struct {
	gens WriteGenerations
	// max bounds the bytes held (approximately: a record's inline data,
	// key and a fixed overhead).
	max int64

	mu      sync.Mutex
	gen     int64
	size    int64
	entries map[recordAddr]*store.Object
}

// maxCachedObjectBytes bounds the object cache.
const maxCachedObjectBytes = 32 << 20

func newObjectCache(gens WriteGenerations, max int64) *objectCache {
	return &objectCache{gens: gens, max: max, entries: make(map[recordAddr]*store.Object)}
}

// get returns the record at k, calling load when the cache holds none at
// the store's current generation. When the generation cannot be read or a
// commit is being made, load decides alone and nothing is stored.
func (c *objectCache) get(ctx context.Context, k recordAddr, load func(context.Context) (*store.Object, error)) (*store.Object, error) {
	gen, err := c.gens.WriteGeneration(ctx)
	if err != nil || gen&1 == 1 {
		return load(ctx)
	}
	c.mu.Lock()
	if gen > c.gen {
		c.gen, c.size = gen, 0
		clear(c.entries)
	}
	var o *store.Object
	ok := false
	if gen == c.gen {
		o, ok = c.entries[k]
	}
	c.mu.Unlock()
	if ok {
		return o, nil
	}
	if o, err = load(ctx); err != nil {
		return nil, err
	}
	if after, err := c.gens.WriteGeneration(ctx); err != nil || after != gen {
		// A commit may have been made during the load: o is this request's
		// (it began before the commit), no later one's.
		return o, nil
	}
	n := recordSize(k, o)
	c.mu.Lock()
	if c.gen == gen && n <= c.max {
		if _, held := c.entries[k]; !held {
			// Make room by dropping arbitrary entries (map order).
			for victim, v := range c.entries {
				if c.size+n <= c.max {
					break
				}
				c.size -= recordSize(victim, v)
				delete(c.entries, victim)
			}
			c.entries[k] = o
			c.size += n
		}
	}
	c.mu.Unlock()
	return o, nil
}

// recordSize is what an entry counts against the cache's bound: every
// byte of the record's strings, slices and maps, and an overhead for each
// allocation and map entry (more than Go spends on them), so that a tenant
// cannot make the cache hold more than its bound with records of long
// headers, many metadata names or tags.
func recordSize(k recordAddr, o *store.Object) int64 {
	const (
		object = 512 // the Object struct, its map headers and the entry
		entry  = 64  // per slice element, map entry or pointed-to struct
	)
	n := int64(object + len(k.bucket) + len(k.key) + len(k.version))
	if o == nil {
		return n
	}
	n += int64(len(o.Bucket) + len(o.Key) + len(o.VersionID) + len(o.ETag) + len(o.ContentType) + len(o.Owner) +
		len(o.StorageClass) + len(o.UploadID) + len(o.LockMode) + len(o.LegalHold))
	for k, v := range o.Headers {
		n += int64(entry + len(k) + len(v))
	}
	for k, v := range o.Metadata {
		n += int64(entry + len(k) + len(v))
	}
	for _, t := range o.Tags {
		n += int64(entry + len(t.Key) + len(t.Value))
	}
	for _, g := range o.ACL {
		n += int64(entry + len(g.ID) + len(g.URI) + len(g.Permission))
	}
	for _, b := range o.Blobs {
		n += int64(entry + len(b.Key) + len(b.Data))
	}
	for _, c := range o.PartChecksums {
		n += int64(entry + len(c))
	}
	if c := o.Checksum; c != nil {
		n += int64(entry + len(c.Algorithm) + len(c.Value) + len(c.Type))
	}
	if e := o.Encryption; e != nil {
		n += int64(entry + len(e.Method) + len(e.SealedKey) + len(e.KMSKeyID) + len(e.CustomerKeyMD5) + len(e.CustomerKeySalt) + len(e.CustomerKeyMAC))
	}
	return n
}

// len reports how many records are held (tests).
func (c *objectCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
