package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Blobs over 8 MiB are written and read with direct I/O on the local-disk
// backend: whole objects and ranges that start, end and cross blobs at
// unaligned offsets must read back exactly what was written.
func TestLargeObjectsReadBack(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "large")

	single := randBytes(7, 17*mib+1)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("large"), Key: aws.String("single"), Body: bytes.NewReader(single)}); err != nil {
		t.Fatal(err)
	}
	p1, p2, p3 := randBytes(8, 9*mib+4097), randBytes(9, 10*mib), randBytes(10, 123)
	id := newUpload(t, c, "large", "multi")
	e1 := uploadPart(t, c, "large", "multi", id, 1, p1)
	e2 := uploadPart(t, c, "large", "multi", id, 2, p2)
	e3 := uploadPart(t, c, "large", "multi", id, 3, p3)
	if _, err := complete(c, "large", "multi", id, partList(1, e1, 2, e2, 3, e3)); err != nil {
		t.Fatal(err)
	}
	multi := bytes.Join([][]byte{p1, p2, p3}, nil)

	for _, tc := range []struct {
		key  string
		data []byte
		rng  string
		lo   int
		hi   int // exclusive
	}{
		{"single", single, "", 0, len(single)},
		{"single", single, "bytes=1-", 1, len(single)},
		{"single", single, "bytes=4095-8392706", 4095, 8392707},
		{"single", single, "bytes=-5000", len(single) - 5000, len(single)},
		{"multi", multi, "", 0, len(multi)},
		{"multi", multi, fmt.Sprintf("bytes=%d-%d", len(p1)-3, len(p1)+2*mib), len(p1) - 3, len(p1) + 2*mib + 1},
		{"multi", multi, fmt.Sprintf("bytes=%d-%d", len(p1)+7, len(p1)+len(p2)+60), len(p1) + 7, len(p1) + len(p2) + 61},
		{"multi", multi, "bytes=-200", len(multi) - 200, len(multi)},
	} {
		in := &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String(tc.key)}
		if tc.rng != "" {
			in.Range = aws.String(tc.rng)
		}
		out, err := c.GetObject(ctx, in)
		if err != nil {
			t.Fatalf("%s %q: %v", tc.key, tc.rng, err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, tc.data[tc.lo:tc.hi]) {
			t.Fatalf("%s %q: read %d bytes (%v), want bytes [%d, %d) of the object", tc.key, tc.rng, len(got), err, tc.lo, tc.hi)
		}
	}
}
