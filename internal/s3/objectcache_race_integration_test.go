package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
)

// TestObjectCacheConcurrentReads (run with -race): concurrent
// GETs and HEADs of shared cached records (inline, SSE-C, tagged, with
// metadata) with ranges, conditions, partNumber, checksum mode and
// response overrides all read the same *store.Object.
func TestObjectCacheConcurrentReads(t *testing.T) {
	_, c := tlsClient(t, func(cfg *config.Config) { cfg.S3InlineMax = 262144 })
	mkBucket(t, c, "race")
	k := newCustomerKey(0x33)
	body := pattern(200 << 10)
	put := func(key string, ssec bool) {
		in := &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key), Body: bytes.NewReader(body),
			Tagging: aws.String("a=1&b=2"), Metadata: map[string]string{"m1": "v1", "m2": "v2"},
			ContentType: aws.String("text/x"), CacheControl: aws.String("no-cache"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}
		if ssec {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	put("plain", false)
	put("ssec", true)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				key := []string{"plain", "ssec"}[(g+i)%2]
				in := &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String(key)}
				if key == "ssec" {
					in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
				}
				lo, hi := (i*997)%len(body), len(body)-1
				switch i % 5 {
				case 0:
					in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", lo, hi))
				case 1:
					in.PartNumber = aws.Int32(1)
				case 2:
					in.ChecksumMode = types.ChecksumModeEnabled
					in.ResponseContentType = aws.String("text/y")
				case 3:
					in.IfNoneMatch = aws.String(`"nope"`)
					in.Range = aws.String("bytes=-100")
					lo = len(body) - 100
				case 4:
					h := &s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key, SSECustomerAlgorithm: in.SSECustomerAlgorithm,
						SSECustomerKey: in.SSECustomerKey, SSECustomerKeyMD5: in.SSECustomerKeyMD5}
					if _, err := c.HeadObject(ctx, h); err != nil {
						errs <- err
					}
					continue
				}
				out, err := c.GetObject(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				want := body
				if in.Range != nil {
					want = body[lo:]
				}
				if !bytes.Equal(got, want) {
					errs <- fmt.Errorf("%s case %d: %d bytes, not the object's", key, i%5, len(got))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
