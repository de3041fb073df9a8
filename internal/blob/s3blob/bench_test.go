package s3blob

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
)

// heapPeak samples the live heap until stop is called and returns the
// peak above the heap at the start.
func heapPeak() (stop func() uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// The numbers are moto_server's (a Python process on the same machine)
// as much as this package's: they show the shape (memory bounded by the
// part buffers, not the object), not an upstream's speed.
func benchmarkPut(b *testing.B, size, declared int64) {
	m := s3blobtest.Start(b)
	s, err := New(Options{Client: m.Client, Bucket: m.Bucket(b)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(size)
	b.ResetTimer()
	var worst uint64
	for range b.N {
		stop := heapPeak()
		info, err := s.Put(ctx, &generated{n: size}, declared)
		if p := stop(); p > worst {
			worst = p
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Delete(ctx, info.Key)
		b.StartTimer()
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
}

func BenchmarkMotoPut12MiBSingle(b *testing.B)    { benchmarkPut(b, 12<<20, 12<<20) }
func BenchmarkMotoPut256MiBDeclared(b *testing.B) { benchmarkPut(b, 256<<20, 256<<20) }
func BenchmarkMotoPut256MiBUnknown(b *testing.B)  { benchmarkPut(b, 256<<20, blob.UnknownSize) }

func BenchmarkMotoWriteRange256MiB(b *testing.B) {
	m := s3blobtest.Start(b)
	s, err := New(Options{Client: m.Client, Bucket: m.Bucket(b)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const size = 256 << 20
	info, err := s.Put(ctx, &generated{n: size}, size)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	var worst uint64
	for range b.N {
		obj, err := s.Open(ctx, info.Key)
		if err != nil {
			b.Fatal(err)
		}
		stop := heapPeak()
		_, err = obj.(blob.RangeWriter).WriteRange(ctx, io.Discard, 0, size)
		if p := stop(); p > worst {
			worst = p
		}
		obj.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
}
