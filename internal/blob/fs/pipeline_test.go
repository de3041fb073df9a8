package fs

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/iotest"
)

// checkPools fails when a pool hands out a buffer of another pool's size
// (a buffer returned to the wrong pool).
func checkPools(t *testing.T, f *FS) {
	t.Helper()
	for _, p := range []struct {
		pool *sync.Pool
		size int
	}{{&f.bufs, pipeChunk}, {&f.streamBufs, streamChunk}} {
		var got []*[]byte
		for range 8 {
			bp := p.pool.Get().(*[]byte)
			if len(*bp) != p.size || cap(*bp) != p.size || !aligned(*bp) {
				t.Fatalf("the pool of %d-byte buffers handed out len %d cap %d", p.size, len(*bp), cap(*bp))
			}
			got = append(got, bp)
		}
		for _, bp := range got {
			p.pool.Put(bp)
		}
	}
}

var errBoom = errors.New("boom")

// errAfter yields n bytes, at most 1000 per Read, then fails mid-chunk.
type errAfter struct{ n int }

func (e *errAfter) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, errBoom
	}
	k := min(len(p), e.n, 1000)
	e.n -= k
	return k, nil
}

// TestPipelineEdges: bodies ending on and around the pipeline's chunk
// boundaries, a source failing in the middle of a chunk and a failing
// writer all finish with the right bytes or error, and every buffer goes
// back to its own pool.
func TestPipelineEdges(t *testing.T) {
	f, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, size := range []int{pipeChunk, pipeChunk + streamChunk, pipeChunk + 2*streamChunk - 1, pipeChunk + 2*streamChunk + 1,
		pipeChunk + 9*streamChunk} {
		data := bytes.Repeat([]byte{1, 2, 3}, size/3+1)[:size]
		info, err := f.Put(ctx, iotest.DataErrReader(bytes.NewReader(data)), int64(size))
		if err != nil || info.Size != int64(size) || info.MD5 != md5.Sum(data) {
			t.Fatalf("%d bytes: %+v %v", size, info, err)
		}
		checkPools(t, f)
	}
	for _, n := range []int{pipeChunk + 500, pipeChunk + streamChunk + 12345} {
		if _, err := f.Put(ctx, &errAfter{n}, -1); !errors.Is(err, errBoom) {
			t.Fatalf("a source failing after %d bytes: %v", n, err)
		}
		checkPools(t, f)
	}
	p := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(p) // read-only: the writer's first write fails
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := f.copyHashed(ctx, ro, bytes.NewReader(make([]byte, 40<<20)), nil); err == nil {
		t.Fatal("a failing writer went unreported")
	}
	checkPools(t, f)
}
