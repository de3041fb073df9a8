package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/gatehouse/gatehouse/internal/blob"
	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/store"
)

// plainBlobs hides the optional RangeWriter of its store's objects, like a
// backend that only has ReadAt.
type plainBlobs struct{ blob.Store }

type plainObject struct{ blob.Object }

func (p plainBlobs) Open(ctx context.Context, key string) (blob.Object, error) {
	o, err := p.Store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return plainObject{o}, nil
}

// TestObjectReaderWriteTo reads ranges of a three-blob object through
// WriteTo, with the backend's RangeWriter and without it.
func TestObjectReaderWriteTo(t *testing.T) {
	ctx := context.Background()
	fs, err := blobfs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var all []byte
	o := &store.Object{}
	for _, size := range []int{9<<20 + 4097, 300 << 10, 12345} {
		part := make([]byte, size)
		for i := range part {
			part[i] = byte(rng.Uint32())
		}
		info, err := fs.Put(ctx, bytes.NewReader(part), int64(len(part)))
		if err != nil {
			t.Fatal(err)
		}
		o.Blobs = append(o.Blobs, store.BlobRef{Key: info.Key, Size: info.Size})
		all = append(all, part...)
	}
	b1, b2 := int64(9<<20+4097), int64(9<<20+4097+300<<10)
	ranges := [][2]int64{{0, int64(len(all))}, {b1 - 5, 10}, {1, b2 + 7}, {b1, b2 - b1}, {b2 - 1, int64(len(all)) - b2 + 1}, {100, 0}}
	for name, blobs := range map[string]blob.Store{"RangeWriter": fs, "ReadAt only": plainBlobs{fs}} {
		s := &Service{blobs: blobs, leases: newLeases(), copyBufs: newCopyBufs()}
		for _, r := range ranges {
			t.Run(fmt.Sprintf("%s/%d+%d", name, r[0], r[1]), func(t *testing.T) {
				or := s.newObjectReader(ctx, o, nil, r[0], r[1])
				defer or.Close()
				var out bytes.Buffer
				n, err := or.WriteTo(&out)
				if err != nil || n != r[1] || !bytes.Equal(out.Bytes(), all[r[0]:r[0]+r[1]]) {
					t.Fatalf("WriteTo: %d bytes, %v", n, err)
				}
			})
		}
	}
	// A record longer than its blobs is an error, not a short success.
	short := &store.Object{Blobs: []store.BlobRef{{Key: o.Blobs[2].Key, Size: 20000}}}
	for name, blobs := range map[string]blob.Store{"RangeWriter": fs, "ReadAt only": plainBlobs{fs}} {
		s := &Service{blobs: blobs, leases: newLeases(), copyBufs: newCopyBufs()}
		or := s.newObjectReader(ctx, short, nil, 0, 20000)
		if _, err := or.WriteTo(io.Discard); err == nil {
			t.Errorf("%s: a blob shorter than its record was read without an error", name)
		}
		or.Close()
	}
}
