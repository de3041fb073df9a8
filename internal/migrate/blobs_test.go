package migrate_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"hash"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/migrate"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
)

// memObject is an in-memory blob; md5 is what ContentMD5 reports.
type memObject struct {
	*bytes.Reader
	md5 [16]byte
}

func (o memObject) Close() error                        { return nil }
func (o memObject) ContentMD5() (sum [16]byte, ok bool) { return o.md5, true }

// memBlobs is an in-memory blob store; corrupt makes what it reports as
// the MD5 of stored blobs wrong, and imports counts Import calls.
type memBlobs struct {
	mu      sync.Mutex
	m       map[string][]byte
	corrupt bool
	imports int
}

func (s *memBlobs) Open(_ context.Context, key string) (blob.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return nil, blob.ErrNotFound
	}
	sum := md5.Sum(b)
	if s.corrupt {
		sum[0]++
	}
	return memObject{bytes.NewReader(b), sum}, nil
}

func (s *memBlobs) Import(_ context.Context, key string, r io.Reader, _ int64, extra ...hash.Hash) (blob.Info, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return blob.Info{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	s.imports++
	return blob.Info{Key: key, Size: int64(len(b)), MD5: md5.Sum(b)}, nil
}

// blobStore makes a source with objects referencing keys, whose bytes
// are in the returned store.
func blobStore(t *testing.T, keys ...string) (migrate.Config, *memBlobs) {
	t.Helper()
	path, raw, dst := stores(t)
	from := &memBlobs{m: map[string][]byte{}}
	for i, k := range keys {
		exec(t, raw, `INSERT INTO blob_refs (blob_key, bucket, key, upload, part) VALUES (?, 'b', ?, '', 0)`, k, k)
		from.m[k] = bytes.Repeat([]byte{byte(i)}, 1000+i)
	}
	raw.Close()
	c := config(openRO(t, path), dst)
	c.From = from
	return c, from
}

const (
	k1 = "00000000000000000000000000000001"
	k2 = "00000000000000000000000000000002"
	k3 = "00000000000000000000000000000003"
)

// Blobs are copied under their keys; those already upstream with their
// size are skipped, one of another size is copied again.
func TestBlobsCopiedAndResumed(t *testing.T) {
	c, from := blobStore(t, k1, k2, k3)
	to := &memBlobs{m: map[string][]byte{k1: from.m[k1], k2: []byte("short")}}
	c.To = to
	sum, err := migrate.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blobs != 3 || sum.Copied != 2 || sum.Skipped != 1 || sum.Verified != 3 || to.imports != 2 {
		t.Fatalf("summary %+v, %d imports", sum, to.imports)
	}
	for _, k := range []string{k1, k2, k3} {
		if !bytes.Equal(to.m[k], from.m[k]) {
			t.Errorf("blob %s upstream: %d bytes, want %d", k, len(to.m[k]), len(from.m[k]))
		}
	}
}

// An upstream whose MD5 differs from the bytes sent fails the run, as
// does a referenced blob missing from the source; no rows are written.
func TestBlobFailuresStopBeforeRows(t *testing.T) {
	c, _ := blobStore(t, k1)
	c.To = &memBlobs{m: map[string][]byte{}, corrupt: true}
	if _, err := migrate.Run(context.Background(), c); !errors.Is(err, migrate.ErrBlobMismatch) {
		t.Fatalf("corrupted upstream: %v", err)
	}
	var n int64
	read(t, c.Target.(*postgres.Store), `SELECT COUNT(*) FROM blob_refs`, &n)
	if n != 0 {
		t.Fatalf("%d blob_refs rows written", n)
	}

	c, from := blobStore(t, k1, k2)
	delete(from.m, k2)
	c.To = &memBlobs{m: map[string][]byte{}}
	if _, err := migrate.Run(context.Background(), c); !errors.Is(err, migrate.ErrBlobMissing) {
		t.Fatalf("missing source blob: %v", err)
	}
}

// loseBlobs empties an upstream when the copy phase reports its end.
type loseBlobs struct{ to *memBlobs }

func (l loseBlobs) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("referenced")) {
		l.to.mu.Lock()
		clear(l.to.m)
		l.to.mu.Unlock()
	}
	return len(p), nil
}

// The final check finds a blob that went missing upstream after its copy
// and says that the rows are committed.
func TestVerificationFindsMissingBlob(t *testing.T) {
	c, _ := blobStore(t, k1, k2)
	to := &memBlobs{m: map[string][]byte{}}
	c.To, c.Progress = to, loseBlobs{to}
	_, err := migrate.Run(context.Background(), c)
	if !errors.Is(err, migrate.ErrBlobMissing) || !strings.Contains(err.Error(), "rows are committed") {
		t.Fatalf("run: %v", err)
	}
}
