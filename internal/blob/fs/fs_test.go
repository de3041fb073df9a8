package fs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/blobtest"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t testing.TB) blob.Store {
		f, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}

func TestLayoutPermissionsAndTempCleanup(t *testing.T) {
	root := t.TempDir()
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.Put(context.Background(), bytes.NewReader([]byte("hello")), 5)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, info.Key[:2], info.Key[2:4], info.Key)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("blob mode %v", st.Mode().Perm())
	}
	// A crashed Put leaves a temp file; CleanTemp removes old ones only.
	stale := filepath.Join(root, tmpDir, "crashed.123")
	os.WriteFile(stale, []byte("partial"), 0o600)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	fresh := filepath.Join(root, tmpDir, "inflight.456")
	os.WriteFile(fresh, []byte("partial"), 0o600)
	n, err := f.CleanTemp(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp removed %d, %v", n, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("an in-flight temp file was removed")
	}
}

// TestImport stores a blob under the key another store gave it (a restore)
// and refuses keys blob/fs could not have made.
func TestImport(t *testing.T) {
	ctx := context.Background()
	src, _ := Open(t.TempDir())
	dst, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("restore me "), 100000) // past one pipeline chunk
	info, err := src.Put(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.New()
	got, err := dst.Import(ctx, info.Key, bytes.NewReader(data), int64(len(data)), sum)
	if err != nil || got.Key != info.Key || got.Size != int64(len(data)) || got.MD5 != info.MD5 {
		t.Fatalf("Import = %+v, %v; want %+v", got, err, info)
	}
	if want := sha256.Sum256(data); !bytes.Equal(sum.Sum(nil), want[:]) {
		t.Fatal("extra hash not fed the bytes")
	}
	obj, err := dst.Open(ctx, info.Key)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(io.NewSectionReader(obj, 0, obj.Size()))
	obj.Close()
	if !bytes.Equal(back, data) {
		t.Fatal("imported blob reads back different bytes")
	}
	// Importing the same key again replaces it.
	if _, err := dst.Import(ctx, info.Key, bytes.NewReader([]byte("v2")), 2); err != nil {
		t.Fatal(err)
	}
	if obj, err := dst.Open(ctx, info.Key); err != nil || obj.Size() != 2 {
		t.Fatalf("re-import: %v", err)
	} else {
		obj.Close()
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("g", 32), strings.ToUpper(info.Key)} {
		if _, err := dst.Import(ctx, bad, bytes.NewReader(nil), 0); !errors.Is(err, blob.ErrBadKey) {
			t.Errorf("Import(%q) = %v, want ErrBadKey", bad, err)
		}
	}
}

func BenchmarkPut4KiB(b *testing.B) {
	f, _ := Open(b.TempDir())
	data := bytes.Repeat([]byte("x"), 4096)
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Put(context.Background(), bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPut64MiB(b *testing.B) {
	f, _ := Open(b.TempDir())
	data := bytes.Repeat([]byte("x"), 64<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		info, err := f.Put(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		f.Delete(context.Background(), info.Key)
	}
}

func BenchmarkWriteRange64MiB(b *testing.B) {
	f, _ := Open(b.TempDir())
	data := bytes.Repeat([]byte("x"), 64<<20)
	info, err := f.Put(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		obj, err := f.Open(context.Background(), info.Key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := obj.(blob.RangeWriter).WriteRange(context.Background(), io.Discard, 0, obj.Size()); err != nil {
			b.Fatal(err)
		}
		obj.Close()
	}
}
