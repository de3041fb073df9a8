package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3Client(url string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, ""),
		BaseEndpoint:     aws.String(url),
		UsePathStyle:     true,
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Timeout: 60 * time.Second},
	})
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func randInt(n int64) int64 {
	v, _ := rand.Int(rand.Reader, big.NewInt(n))
	return v.Int64()
}

// TestS3CrashSafety kills the server (SIGKILL) while PUTs and multipart
// completions are in flight, restarts it, and checks that every
// acknowledged object is whole, that no object holds partial bytes, and
// that the sweeper removes every blob left unreferenced by the crash.
func TestS3CrashSafety(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	c := s3Client(srv.URL)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	attempted := map[string][32]byte{} // every key's only content
	acked := map[string]bool{}
	record := func(key string, sum [32]byte, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		attempted[key] = sum
		if ok {
			acked[key] = true
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				size := 1024 + randInt(3<<20)
				if w == 0 {
					// Past 8 MiB the blob store writes with direct I/O.
					size = 8<<20 + randInt(4<<20)
				}
				body := randomBytes(t, int(size))
				key := fmt.Sprintf("put/%d-%d", w, i)
				mu.Lock()
				attempted[key] = sha256.Sum256(body)
				mu.Unlock()
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(key), Body: bytes.NewReader(body)})
				record(key, sha256.Sum256(body), err == nil)
			}
		}(w)
	}
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("mp/%d-%d", w, i)
				parts := [][]byte{randomBytes(t, 5<<20), randomBytes(t, 5<<20), randomBytes(t, int(1+randInt(1<<20)))}
				whole := sha256.Sum256(bytes.Join(parts, nil))
				mu.Lock()
				attempted[key] = whole
				mu.Unlock()
				record(key, whole, multipartPut(ctx, c, key, parts) == nil)
			}
		}(w)
	}
	// Let work pile up, then kill the server mid-flight.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Duration(randInt(300)) * time.Millisecond)
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.waitErr
	close(stop)
	wg.Wait()
	t.Logf("acknowledged %d of %d attempted objects before SIGKILL", len(acked), len(attempted))
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	srv2 := startServer(t, dir)
	c = s3Client(srv2.URL)
	check := func(phase string) {
		t.Helper()
		seen := map[string]bool{}
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("crash")})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				seen[*o.Key] = true
			}
		}
		for key := range acked {
			if !seen[key] {
				t.Errorf("%s: acknowledged object %s is missing", phase, key)
			}
		}
		for key := range seen {
			want, ok := attempted[key]
			if !ok {
				t.Errorf("%s: unknown object %s", phase, key)
				continue
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
			if err != nil {
				t.Errorf("%s: GET %s: %v", phase, key, err)
				continue
			}
			h := sha256.New()
			_, err = io.Copy(h, out.Body)
			out.Body.Close()
			if err != nil || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Errorf("%s: object %s is not whole (read error %v)", phase, key, err)
			}
		}
		t.Logf("%s: %d objects visible, all whole", phase, len(seen))
	}
	check("after restart")

	// Every blob the crash left unreferenced goes; referenced ones stay.
	cmd := exec.Command(gatehouseBinary(t), "blobs", "sweep", "--grace", "0s", "--data-dir", dir)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("blobs sweep: %v\n%s", err, out)
	}
	t.Logf("sweep: %s", strings.TrimSpace(string(out)))
	check("after sweep")
	want := referencedBlobs(t, ctx, c)
	if got := countBlobs(t, filepath.Join(dir, "blobs")); got != want {
		t.Fatalf("%d blob files after the sweep, want %d (one per object part and per uploaded part)", got, want)
	}
}

// multipartPut uploads parts and completes the upload.
func multipartPut(ctx context.Context, c *s3.Client, key string, parts [][]byte) error {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String(key)})
	if err != nil {
		return err
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("crash"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p)})
		if err != nil {
			return err
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	return err
}

// referencedBlobs counts the blobs the bucket's records name: one per
// simple object, one per part of completed multipart objects, one per part
// of uploads still in progress.
// defaultInlineMax is gatehouse serve's default s3-inline-max: objects up
// to this size are kept in their records, with no blob file.
const defaultInlineMax = 8192

func referencedBlobs(t *testing.T, ctx context.Context, c *s3.Client) int {
	n := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("crash")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			if i := strings.LastIndex(*o.ETag, "-"); i >= 0 {
				var parts int
				fmt.Sscanf(strings.Trim((*o.ETag)[i+1:], `"`), "%d", &parts)
				n += parts
			} else if aws.ToInt64(o.Size) > defaultInlineMax { // smaller ones are kept in their records
				n++
			}
		}
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups.Uploads {
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("crash"), Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			t.Fatal(err)
		}
		n += len(parts.Parts)
	}
	return n
}

func countBlobs(t *testing.T, root string) int {
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "tmp" {
			entries, _ := os.ReadDir(p)
			if len(entries) > 0 {
				t.Errorf("%d temp files left after the sweep", len(entries))
			}
			return filepath.SkipDir
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
