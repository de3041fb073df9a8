// Package blobtest is the conformance suite every blob.Store runs.
package blobtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// Run runs the suite; open returns an empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	ctx := context.Background()
	t.Run("RoundTripSizesAndHashes", func(t *testing.T) {
		s := open(t)
		for _, size := range []int{0, 1, 4096, 256 << 10, 256<<10 + 1, 256<<10 + 8192, 512<<10 + 4095, 1 << 20, 3<<20 + 17, 9<<20 + 4097, 12 << 20} {
			data := pattern(size)
			sh := sha256.New()
			info, err := s.Put(ctx, bytes.NewReader(data), sh)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(size) || info.MD5 != md5.Sum(data) || !bytes.Equal(sh.Sum(nil), sha256Sum(data)) {
				t.Fatalf("size %d: info %+v", size, info)
			}
			obj, err := s.Open(ctx, info.Key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(io.NewSectionReader(obj, 0, obj.Size()))
			obj.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("size %d: read back %d bytes, %v", size, len(got), err)
			}
		}
	})
	t.Run("Ranges", func(t *testing.T) {
		s := open(t)
		data := pattern(100000)
		info, _ := s.Put(ctx, bytes.NewReader(data))
		obj, err := s.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		buf := make([]byte, 1000)
		if n, err := obj.ReadAt(buf, 50000); n != 1000 || err != nil || !bytes.Equal(buf, data[50000:51000]) {
			t.Fatalf("ReadAt: %d %v", n, err)
		}
		if n, err := obj.ReadAt(buf, 99500); n != 500 || err != io.EOF {
			t.Fatalf("ReadAt at the end: %d %v", n, err)
		}
	})
	t.Run("RangeWriter", func(t *testing.T) {
		s := open(t)
		size := 9<<20 + 12345
		data := pattern(size)
		info, err := s.Put(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		obj, err := s.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
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
	})
	t.Run("UnknownSizeStream", func(t *testing.T) {
		s := open(t)
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < 10; i++ {
				pw.Write(pattern(65536))
			}
			pw.Close()
		}()
		info, err := s.Put(ctx, pr)
		if err != nil || info.Size != 655360 {
			t.Fatalf("stream: %+v %v", info, err)
		}
	})
	t.Run("MissingAndDelete", func(t *testing.T) {
		s := open(t)
		if _, err := s.Open(ctx, "00000000000000000000000000000000"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
		if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("bad key: %v", err)
		}
		info, _ := s.Put(ctx, bytes.NewReader([]byte("x")))
		if err := s.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, info.Key); err != nil {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.Open(ctx, info.Key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("deleted: %v", err)
		}
	})
	t.Run("FailedPutLeavesNothing", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		r := &failingReader{after: 2 << 20, cancel: cancel}
		if _, err := s.Put(cctx, r); err == nil {
			t.Fatal("cancelled Put succeeded")
		}
		if _, err := s.Put(ctx, &failingReader{after: 1 << 20}); err == nil {
			t.Fatal("failed read succeeded")
		}
		n := 0
		if err := s.Walk(ctx, func(string, time.Time) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d blobs visible after failed puts", n)
		}
	})
	t.Run("ConcurrentUniqueKeysAndWalk", func(t *testing.T) {
		s := open(t)
		var mu sync.Mutex
		keys := map[string]bool{}
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				info, err := s.Put(ctx, bytes.NewReader(pattern(1000+i)))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				keys[info.Key] = true
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if len(keys) != 16 {
			t.Fatalf("%d unique keys", len(keys))
		}
		seen := 0
		s.Walk(ctx, func(k string, _ time.Time) error {
			if !keys[k] {
				t.Errorf("unknown key %s", k)
			}
			seen++
			return nil
		})
		if seen != 16 {
			t.Fatalf("Walk saw %d", seen)
		}
	})
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
