package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// versionWrite is one write to a versioned key: its bytes (a delete
// marker has none) and, once acknowledged, its version id.
type versionWrite struct {
	key    string
	sum    [32]byte
	marker bool
}

// TestS3VersionedCrashSafety kills the server (SIGKILL) while PUTs,
// multipart completions and DELETEs pile up versions of a few keys in a
// versioning-enabled bucket, restarts it, and checks that every
// acknowledged version (and delete marker) is there under its id with its
// bytes, that every version listed is one that was attempted, that each
// key's latest version is its newest, and that the sweeper then removes
// exactly the blobs no version or part references.
func TestS3VersionedCrashSafety(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	c := s3Client(srv.URL)
	ctx := context.Background()
	bucket := aws.String("vcrash")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"state/a.tfstate", "state/b.tfstate", "state/c.tfstate", "d"}

	var mu sync.Mutex
	acked := map[string]versionWrite{}          // version id → the write acknowledged with it
	attempted := map[string]map[[32]byte]bool{} // key → the bodies written to it
	record := func(key string, sum [32]byte) {
		mu.Lock()
		defer mu.Unlock()
		if attempted[key] == nil {
			attempted[key] = map[[32]byte]bool{}
		}
		attempted[key][sum] = true
	}
	ack := func(id string, w versionWrite) {
		mu.Lock()
		defer mu.Unlock()
		acked[id] = w
	}
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	for w := range 5 {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stopped(); i++ {
				key := keys[(w+i)%len(keys)]
				if w == 4 && i%3 == 0 {
					out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(key)})
					if err == nil {
						ack(aws.ToString(out.VersionId), versionWrite{key: key, marker: true})
					}
					continue
				}
				body := randomBytes(t, int(1024+randInt(512<<10)))
				sum := sha256.Sum256(body)
				record(key, sum)
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader(body)})
				if err == nil {
					ack(aws.ToString(out.VersionId), versionWrite{key: key, sum: sum})
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stopped(); i++ {
			key := keys[i%len(keys)]
			parts := [][]byte{randomBytes(t, 5<<20), randomBytes(t, int(1+randInt(1<<20)))}
			sum := sha256.Sum256(bytes.Join(parts, nil))
			record(key, sum)
			if id, err := versionedMultipart(ctx, c, *bucket, key, parts); err == nil {
				ack(id, versionWrite{key: key, sum: sum})
			}
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 80 {
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
	t.Logf("acknowledged %d versions before SIGKILL", len(acked))

	srv2 := startServer(t, dir)
	c = s3Client(srv2.URL)
	check := func(phase string) int {
		t.Helper()
		type listed struct {
			key, id string
			latest  bool
			marker  bool
			etag    string
			size    int64
		}
		var all []listed
		in := &s3.ListObjectVersionsInput{Bucket: bucket, MaxKeys: aws.Int32(7)}
		for {
			page, err := c.ListObjectVersions(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			// The SDK keeps versions and delete markers apart.
			for _, v := range page.Versions {
				all = append(all, listed{key: *v.Key, id: *v.VersionId, latest: aws.ToBool(v.IsLatest), etag: aws.ToString(v.ETag), size: aws.ToInt64(v.Size)})
			}
			for _, m := range page.DeleteMarkers {
				all = append(all, listed{key: *m.Key, id: *m.VersionId, latest: aws.ToBool(m.IsLatest), marker: true})
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
		}
		seen := map[string]listed{}
		latest := map[string]int{}
		for _, l := range all {
			if _, dup := seen[l.id]; dup {
				t.Errorf("%s: version %s listed twice", phase, l.id)
			}
			seen[l.id] = l
			if l.latest {
				latest[l.key]++
			}
		}
		for key, n := range latest {
			if n != 1 {
				t.Errorf("%s: key %s has %d latest versions", phase, key, n)
			}
		}
		for id, w := range acked {
			l, ok := seen[id]
			if !ok || l.key != w.key || l.marker != w.marker {
				t.Errorf("%s: acknowledged version %s of %s (marker %v) is missing or changed: %+v", phase, id, w.key, w.marker, l)
			}
		}
		blobs := 0
		for _, l := range all {
			if l.marker {
				continue
			}
			if i := strings.LastIndex(l.etag, "-"); i >= 0 {
				var parts int
				fmt.Sscanf(strings.Trim(l.etag[i+1:], `"`), "%d", &parts)
				blobs += parts
			} else if l.size > defaultInlineMax { // smaller ones are kept in their records
				blobs++
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(l.key), VersionId: aws.String(l.id)})
			if err != nil {
				t.Errorf("%s: GET %s?versionId=%s: %v", phase, l.key, l.id, err)
				continue
			}
			h := sha256.New()
			_, err = io.Copy(h, out.Body)
			out.Body.Close()
			var sum [32]byte
			copy(sum[:], h.Sum(nil))
			if err != nil || !attempted[l.key][sum] {
				t.Errorf("%s: version %s of %s is not whole bytes of a write (read error %v)", phase, l.id, l.key, err)
			}
			if w, ok := acked[l.id]; ok && w.sum != sum {
				t.Errorf("%s: version %s of %s holds other bytes than acknowledged", phase, l.id, l.key)
			}
			if l.latest {
				cur, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(l.key)})
				if err != nil || aws.ToString(cur.VersionId) != l.id {
					t.Errorf("%s: the current version of %s is not its latest %s: %v", phase, l.key, l.id, err)
				}
			}
		}
		t.Logf("%s: %d versions and delete markers listed, every acknowledged one there and whole", phase, len(all))
		return blobs
	}
	check("after restart")
	cmd := exec.Command(gatehouseBinary(t), "blobs", "sweep", "--grace", "0s", "--data-dir", dir)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("blobs sweep: %v\n%s", err, out)
	}
	t.Logf("sweep: %s", strings.TrimSpace(string(out)))
	versionBlobs := check("after sweep")
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups.Uploads {
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			t.Fatal(err)
		}
		versionBlobs += len(parts.Parts)
	}
	if got := countBlobs(t, filepath.Join(dir, "blobs")); got != versionBlobs {
		t.Fatalf("%d blob files after the sweep, want %d (one per part of every version and every uploaded part)", got, versionBlobs)
	}
}

// versionedMultipart uploads parts, completes the upload and returns the
// version id it made.
func versionedMultipart(ctx context.Context, c *s3.Client, bucket, key string, parts [][]byte) (string, error) {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p)})
		if err != nil {
			return "", err
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}
