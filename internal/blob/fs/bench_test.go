package fs

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkPutLarge stores a 64 MiB blob from memory: the blob store's own
// cost (hashing, writing, fsync, rename) without a network in front.
func BenchmarkPutLarge(b *testing.B) {
	f, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		info, err := f.Put(context.Background(), bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		f.Delete(context.Background(), info.Key)
		b.StartTimer()
	}
}

// BenchmarkPutSmall stores 4 KiB blobs (fsync-bound).
func BenchmarkPutSmall(b *testing.B) {
	f, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 256)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := f.Put(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
