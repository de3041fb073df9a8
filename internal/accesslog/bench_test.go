package accesslog

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

func benchRecord() *pipeline.Record {
	return &pipeline.Record{RequestID: "7b8ede72-e4b8-43b9-b591-54f30f2484db", Service: "s3", Operation: "GetObject", Time: time.Now(),
		Method: "GET", Principal: &authz.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/reader/session", AccessKeyID: "ASIAEXAMPLEEXAMPLE01"},
		Bucket: "bench", Key: "obj/000001", Status: 200, BytesOut: 4096, Duration: time.Millisecond, SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0"}
}

// BenchmarkParallel: 16 goroutines logging at once, straight to a file
// and through a Writer.
func BenchmarkParallel(b *testing.B) {
	for _, mode := range []string{"direct", "writer"} {
		b.Run(mode, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var out interface{ Write([]byte) (int, error) } = f
			if mode == "writer" {
				w := NewWriter(f, 1<<20, 2*time.Millisecond)
				defer w.Close()
				out = w
			}
			s := New(slog.NewTextHandler(out, nil))
			r := benchRecord()
			b.SetParallelism(8)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					s.Record(context.Background(), r)
				}
			})
		})
	}
}

// BenchmarkSerial: one goroutine logging, straight to a file and through
// a Writer.
func BenchmarkSerial(b *testing.B) {
	for _, mode := range []string{"direct", "writer", "discard", "text-writer", "text-discard"} {
		b.Run(mode, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var out interface{ Write([]byte) (int, error) } = f
			switch mode {
			case "writer", "text-writer":
				w := NewWriter(f, 1<<20, 2*time.Millisecond)
				defer w.Close()
				out = w
			case "discard", "text-discard":
				out = nopWriter{}
			}
			s := New(slog.NewTextHandler(out, nil))
			if strings.HasPrefix(mode, "text-") {
				s = NewText(out, nil)
			}
			r := benchRecord()
			b.ReportAllocs()
			for b.Loop() {
				s.Record(context.Background(), r)
			}
		})
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
