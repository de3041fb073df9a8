package fs

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// TestLargeReads: a large blob reads back byte for byte whichever way each
// chunk comes — from disk with direct I/O (first read), through the page
// cache (a second read, which keeps it there), from the page cache (a
// third), and from a mix after part of it left the page cache — for whole
// blobs and unaligned ranges.
func TestLargeReads(t *testing.T) {
	root := t.TempDir()
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	size := directFrom + 5*readChunk + 12345
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	info, err := f.Put(ctx, bytes.NewReader(data), int64(size))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, info.Key[:2], info.Key[2:4], info.Key)
	ranges := [][2]int{{0, size}, {1, size - 1}, {directAlign - 1, 3*readChunk + 7}, {size - readChunk - 3, readChunk + 3}, {directFrom + 1, pipeChunk}}
	read := func(when string, r [2]int) {
		t.Helper()
		o, err := f.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		var out bytes.Buffer
		n, err := o.(blob.RangeWriter).WriteRange(ctx, &out, int64(r[0]), int64(r[1]))
		if err != nil || n != int64(r[1]) || !bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]) {
			t.Fatalf("%s: range [%d,+%d): %d bytes, %v, equal %v", when, r[0], r[1], n, err, bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]))
		}
	}
	// check reads the whole blob once and says where its bytes came from,
	// then reads every range (sources not counted).
	check := func(when string) (cached, direct, buffered int64) {
		t.Helper()
		c0, d0, b0 := f.reads.cached.Load(), f.reads.direct.Load(), f.reads.buffered.Load()
		read(when, ranges[0])
		cached, direct, buffered = f.reads.cached.Load()-c0, f.reads.direct.Load()-d0, f.reads.buffered.Load()-b0
		if got := cached + direct + buffered; got < int64(size)-directAlign {
			t.Errorf("%s: %d bytes counted for a %d-byte read", when, got, size)
		}
		for _, r := range ranges[1:] {
			read(when, r)
		}
		return
	}
	evict := func(off, n int64) {
		t.Helper()
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if err := unix.Fadvise(int(fh.Fd()), off, n, unix.FADV_DONTNEED); err != nil {
			t.Fatal(err)
		}
	}
	evict(0, 0) // the whole file leaves the page cache (clean pages)
	// Cold: from disk, directly (the kernel may read ahead a little of it
	// into the page cache when asked whether it is there).
	if _, d, b := check("cold"); d == 0 || b != 0 {
		t.Errorf("cold: %d bytes direct, %d buffered; want direct", d, b)
	}
	evict(0, 0)
	// Read again: through the page cache, which keeps it.
	if _, d, b := check("again"); b == 0 || d != 0 {
		t.Errorf("read again: %d bytes buffered, %d direct; want through the page cache", b, d)
	}
	if c, d, b := check("cached"); c == 0 || d != 0 || b != 0 {
		t.Errorf("cached: %d bytes from the page cache, %d direct, %d buffered; want all from the cache", c, d, b)
	}
	evict(int64(directFrom+readChunk/2), int64(2*readChunk))
	// The evicted pages come back through the page cache (or, when the
	// kernel's read-ahead of the chunks before them refilled them first,
	// from it): never directly, since the blob is being kept.
	if c, d, b := check("partly cached"); c == 0 || d != 0 {
		t.Errorf("partly cached: %d bytes from the page cache, %d buffered, %d direct; want the cache and no direct reads", c, b, d)
	}
	// A blob forgotten by recentReads reads from disk directly again.
	f.recent = recentReads{}
	evict(0, 0)
	if _, d, _ := check("cold again"); d == 0 {
		t.Errorf("cold again: nothing read directly")
	}
}

// TestRecentReads: the set remembers the last maxRecent keys.
func TestRecentReads(t *testing.T) {
	var r recentReads
	if r.seen("a") {
		t.Fatal("new key seen")
	}
	if !r.seen("a") {
		t.Fatal("key forgotten at once")
	}
	for i := range maxRecent {
		r.seen(strconv.Itoa(i))
	}
	if r.seen("a") {
		t.Fatal("key remembered past maxRecent newer ones")
	}
	if len(r.keys) > maxRecent {
		t.Fatalf("%d keys held", len(r.keys))
	}
}
