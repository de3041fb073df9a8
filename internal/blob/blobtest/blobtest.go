// Package blobtest is the conformance suite every blob.Store runs. It fails
// on every unexpected error (a Put, Open, ReadAt, Delete, Walk or Close that
// fails), on bytes, sizes or hashes that differ from what was stored, and on
// an error that is not the sentinel the contract names; its own tests prove
// that by running it against deliberately broken stores.
package blobtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// Opener returns an empty store for one case.
type Opener func(t testing.TB) blob.Store

// Run runs the suite, one subtest per case.
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
		{"RoundTripSizesAndHashes", testRoundTrip},
		{"Ranges", testRanges},
		{"RangeWriter", testRangeWriter},
		{"UnknownSizeStream", testUnknownSizeStream},
		{"MissingAndDelete", testMissingAndDelete},
		{"FailedPutLeavesNothing", testFailedPut},
		{"ConcurrentUniqueKeysAndWalk", testConcurrent},
		{"PutUnhashed", testPutUnhashed},
		{"DeclaredSizeMismatch", testSizeMismatch},
	}
}

// testPutUnhashed: a store with blob.UnhashedPutter stores the same bytes
// under a fresh key, feeds the extra hashes, and reports the size (a store
// without it is held to the same through Put, as its callers fall back).
func testPutUnhashed(t testing.TB, open Opener) {
	s := open(t)
	putFn := s.Put
	if up, ok := s.(blob.UnhashedPutter); ok {
		putFn = up.PutUnhashed
	}
	for _, n := range []int{0, 1, 300 << 10, 9 << 20} {
		data := bytes.Repeat([]byte{byte(n), 7, 9}, n/3+1)[:n]
		sh := sha256.New()
		info, err := putFn(ctx, bytes.NewReader(data), int64(n), sh)
		if err != nil {
			t.Fatalf("PutUnhashed of %d bytes: %v", n, err)
		}
		if info.Size != int64(n) || !bytes.Equal(sh.Sum(nil), sha256New(data)) {
			t.Fatalf("PutUnhashed of %d bytes: info %+v, extra hash fed wrong", n, info)
		}
		o := openObject(t, s, info.Key)
		got := make([]byte, n)
		if _, err := o.ReadAt(got, 0); err != nil && !(err == io.EOF && n == 0) {
			t.Fatalf("read back %d bytes: %v", n, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("PutUnhashed of %d bytes read back wrong", n)
		}
	}
}

func sha256New(data []byte) []byte {
	sum := sha256.Sum256(data)
	return sum[:]
}

var ctx = context.Background()

// put stores data, declaring its size; an error or a wrong size or MD5
// fails the test.
func put(t testing.TB, s blob.Store, data []byte, extra ...hash.Hash) blob.Info {
	t.Helper()
	return putSized(t, s, data, int64(len(data)), extra...)
}

// putSized stores data declaring size (-1: unknown).
func putSized(t testing.TB, s blob.Store, data []byte, size int64, extra ...hash.Hash) blob.Info {
	t.Helper()
	info, err := s.Put(ctx, bytes.NewReader(data), size, extra...)
	if err != nil {
		t.Fatalf("Put of %d bytes: %v", len(data), err)
	}
	if info.Size != int64(len(data)) || info.MD5 != md5.Sum(data) {
		t.Fatalf("Put of %d bytes: info %+v", len(data), info)
	}
	return info
}

// openObject opens key and closes it at the end of the test, failing it if
// Open or Close fails.
func openObject(t testing.TB, s blob.Store, key string) blob.Object {
	t.Helper()
	obj, err := s.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	t.Cleanup(func() {
		if err := obj.Close(); err != nil {
			t.Errorf("Close(%s): %v", key, err)
		}
	})
	return obj
}

// readAll reads the whole blob under key through ReadAt and closes it.
func readAll(t testing.TB, s blob.Store, key string) []byte {
	t.Helper()
	obj, err := s.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	got, err := io.ReadAll(io.NewSectionReader(obj, 0, obj.Size()))
	if cerr := obj.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return got
}

// keys returns the keys Walk visits.
func keys(t testing.TB, s blob.Store) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	if err := s.Walk(ctx, func(k string, _ time.Time) error {
		if seen[k] {
			return fmt.Errorf("walk visited %s twice", k)
		}
		seen[k] = true
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return seen
}

func testRoundTrip(t testing.TB, open Opener) {
	s := open(t)
	for _, size := range []int{0, 1, 4096, 256 << 10, 256<<10 + 1, 256<<10 + 8192, 512<<10 + 4095, 1 << 20, 3<<20 + 17, 9<<20 + 4097, 12 << 20} {
		data := pattern(size)
		sh := sha256.New()
		info := put(t, s, data, sh)
		if !bytes.Equal(sh.Sum(nil), sha256Sum(data)) {
			t.Fatalf("size %d: the extra hash was not fed the bytes", size)
		}
		if got := readAll(t, s, info.Key); !bytes.Equal(got, data) {
			t.Fatalf("size %d: read back %d different bytes", size, len(got))
		}
		// The same bytes of a size the caller does not know.
		sh = sha256.New()
		info = putSized(t, s, data, blob.UnknownSize, sh)
		if !bytes.Equal(sh.Sum(nil), sha256Sum(data)) {
			t.Fatalf("size %d undeclared: the extra hash was not fed the bytes", size)
		}
		if got := readAll(t, s, info.Key); !bytes.Equal(got, data) {
			t.Fatalf("size %d undeclared: read back %d different bytes", size, len(got))
		}
	}
}

// testSizeMismatch: a reader that yields fewer or more bytes than its
// caller declared either fails the Put with blob.ErrSizeMismatch, leaving
// nothing, or is stored as read (Info.Size the bytes read).
func testSizeMismatch(t testing.TB, open Opener) {
	s := open(t)
	var stored []string
	for _, c := range []struct{ n, declared int }{{999, 1000}, {1001, 1000}, {0, 1}, {1, 0}, {3 << 20, 3<<20 + 1}} {
		data := pattern(c.n)
		info, err := s.Put(ctx, bytes.NewReader(data), int64(c.declared))
		if err != nil {
			if !errors.Is(err, blob.ErrSizeMismatch) {
				t.Fatalf("%d bytes declared as %d: %v, want blob.ErrSizeMismatch", c.n, c.declared, err)
			}
			continue
		}
		if info.Size != int64(c.n) || info.MD5 != md5.Sum(data) {
			t.Fatalf("%d bytes declared as %d stored as %+v", c.n, c.declared, info)
		}
		if got := readAll(t, s, info.Key); !bytes.Equal(got, data) {
			t.Fatalf("%d bytes declared as %d read back wrong", c.n, c.declared)
		}
		stored = append(stored, info.Key)
	}
	if got := keys(t, s); len(got) != len(stored) {
		t.Fatalf("Walk sees %d blobs after mismatched puts, %d were stored", len(got), len(stored))
	}
}

func testRanges(t testing.TB, open Opener) {
	s := open(t)
	data := pattern(100000)
	info := put(t, s, data)
	obj := openObject(t, s, info.Key)
	if obj.Size() != int64(len(data)) {
		t.Fatalf("Size %d", obj.Size())
	}
	buf := make([]byte, 1000)
	if n, err := obj.ReadAt(buf, 50000); n != 1000 || err != nil || !bytes.Equal(buf, data[50000:51000]) {
		t.Fatalf("ReadAt: %d %v", n, err)
	}
	if n, err := obj.ReadAt(buf, 99500); n != 500 || err != io.EOF || !bytes.Equal(buf[:n], data[99500:]) {
		t.Fatalf("ReadAt at the end: %d %v", n, err)
	}
}

func testRangeWriter(t testing.TB, open Opener) {
	s := open(t)
	size := 9<<20 + 12345
	data := pattern(size)
	info := put(t, s, data)
	obj := openObject(t, s, info.Key)
	rw, ok := obj.(blob.RangeWriter)
	if !ok {
		t.Skip("the store's objects have no RangeWriter")
	}
	for _, r := range [][2]int{{0, size}, {1, size - 1}, {4095, 300000}, {8<<20 - 7, 100},
		{size - 5000, 5000}, {size - 1, 1}, {123, 0}, {1 << 20, 4 << 20}} {
		var out bytes.Buffer
		n, err := rw.WriteRange(ctx, &out, int64(r[0]), int64(r[1]))
		if err != nil || n != int64(r[1]) || !bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]) {
			t.Fatalf("WriteRange(%d, %d): %d bytes, %v", r[0], r[1], n, err)
		}
	}
	// The object still reads with ReadAt afterwards.
	buf := make([]byte, 10)
	if _, err := obj.ReadAt(buf, 3); err != nil || !bytes.Equal(buf, data[3:13]) {
		t.Fatalf("ReadAt after WriteRange: %v", err)
	}
	if _, err := rw.WriteRange(ctx, io.Discard, int64(size-10), 11); err == nil {
		t.Fatal("a range past the end was written without an error")
	}
	if n, err := rw.WriteRange(ctx, &failingWriter{after: 1 << 20}, 0, int64(size)); err == nil || n > 1<<20 {
		t.Fatalf("a failing writer: %d bytes, %v", n, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := rw.WriteRange(cctx, io.Discard, 0, int64(size)); err == nil {
		t.Fatal("a cancelled context did not stop WriteRange")
	}
}

func testUnknownSizeStream(t testing.TB, open Opener) {
	s := open(t)
	pr, pw := io.Pipe()
	var want bytes.Buffer
	for range 10 {
		want.Write(pattern(65536))
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := pw.Write(want.Bytes())
		pw.CloseWithError(err)
		wrote <- err
	}()
	info, err := s.Put(ctx, pr, blob.UnknownSize)
	pr.Close() // unblocks the writer if Put stopped reading early
	if werr := <-wrote; err == nil && werr != nil {
		t.Fatalf("Put returned before reading the whole stream: %v", werr)
	}
	if err != nil || info.Size != int64(want.Len()) || info.MD5 != md5.Sum(want.Bytes()) {
		t.Fatalf("stream: %+v %v", info, err)
	}
	if got := readAll(t, s, info.Key); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("stream read back %d different bytes", len(got))
	}
}

func testMissingAndDelete(t testing.TB, open Opener) {
	s := open(t)
	if _, err := s.Open(ctx, "00000000000000000000000000000000"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("bad key: %v", err)
	}
	info := put(t, s, []byte("x"))
	kept := put(t, s, []byte("y"))
	if err := s.Delete(ctx, info.Key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, info.Key); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.Open(ctx, info.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if got := keys(t, s); len(got) != 1 || !got[kept.Key] {
		t.Fatalf("Walk after a delete: %v, want only %s", got, kept.Key)
	}
	if got := readAll(t, s, kept.Key); string(got) != "y" {
		t.Fatalf("the other blob after a delete: %q", got)
	}
}

func testFailedPut(t testing.TB, open Opener) {
	s := open(t)
	cctx, cancel := context.WithCancel(ctx)
	r := &failingReader{after: 2 << 20, cancel: cancel}
	if _, err := s.Put(cctx, r, blob.UnknownSize); err == nil {
		t.Fatal("cancelled Put succeeded")
	}
	if _, err := s.Put(ctx, &failingReader{after: 1 << 20}, blob.UnknownSize); err == nil {
		t.Fatal("failed read succeeded")
	}
	// The same with the size declared, small and large (a backend may
	// store the two differently).
	for _, size := range []int64{4 << 20, 40 << 20} {
		cctx, cancel := context.WithCancel(ctx)
		if _, err := s.Put(cctx, &failingReader{after: 2 << 20, cancel: cancel}, size); err == nil {
			t.Fatalf("cancelled Put of a declared %d bytes succeeded", size)
		}
		cancel()
		if _, err := s.Put(ctx, &failingReader{after: 3 << 20}, size); err == nil {
			t.Fatalf("failed read of a declared %d bytes succeeded", size)
		}
	}
	if got := keys(t, s); len(got) != 0 {
		t.Fatalf("%d blobs visible after failed puts", len(got))
	}
}

func testConcurrent(t testing.TB, open Opener) {
	s := open(t)
	var mu sync.Mutex
	stored := map[string][]byte{}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			data := pattern(1000 + i)
			info, err := s.Put(ctx, bytes.NewReader(data), int64(len(data)))
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			stored[info.Key] = data
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Put: %v", err)
	}
	if len(stored) != 16 {
		t.Fatalf("%d unique keys", len(stored))
	}
	seen := keys(t, s)
	for k := range seen {
		if stored[k] == nil {
			t.Errorf("Walk visited an unknown key %s", k)
		}
	}
	for k, data := range stored {
		if !seen[k] {
			t.Errorf("Walk missed %s", k)
		}
		if got := readAll(t, s, k); !bytes.Equal(got, data) {
			t.Errorf("%s read back %d different bytes", k, len(got))
		}
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// failingReader yields bytes, then fails (or cancels its context).
type failingReader struct {
	after  int
	n      int
	cancel context.CancelFunc
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n >= f.after {
		if f.cancel != nil {
			f.cancel()
			return len(p), nil
		}
		return 0, errors.New("client went away")
	}
	f.n += len(p)
	return len(p), nil
}

// failingWriter accepts after bytes, then fails.
type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return 0, errors.New("writer failed")
	}
	w.after -= len(p)
	return len(p), nil
}
