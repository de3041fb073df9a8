package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkLifecycleExpire: one lifecycle pass expiring N objects of an
// unversioned bucket (N from GATEHOUSE_BENCH_LIFECYCLE_OBJECTS, default
// 100,000; docs/benchmarks.md records 1,000,000), seeded through the store
// API as written ten days ago, and the rate of 4 KiB GETs (a presigned URL,
// 4 client goroutines over loopback) in the seconds before the pass and
// while it runs. Reported: the pass's wall time, objects expired per
// second, and the GET rates. The seeded records name blobs that do not
// exist, so freeing costs the reference check and an unlink that finds
// nothing. Run with -benchtime=1x.
func BenchmarkLifecycleExpire(b *testing.B) {
	n := 100_000
	if v := os.Getenv("GATEHOUSE_BENCH_LIFECYCLE_OBJECTS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for range b.N {
		b.StopTimer()
		env := testenv.New(b, noQuotas, func(c *config.Config) { c.AccessLog = false })
		for _, bk := range []string{"hot", "expiring"} {
			if _, err := env.S3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bk)}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := env.S3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("hot"), Key: aws.String("k"),
			Body: strings.NewReader(strings.Repeat("x", 4096))}); err != nil {
			b.Fatal(err)
		}
		seedObjects(b, filepath.Join(env.DataDir, server.StoreFile), "expiring", n, env.Now().Add(-10*24*time.Hour))
		if _, err := env.S3.PutBucketLifecycleConfiguration(context.Background(), &s3.PutBucketLifecycleConfigurationInput{
			Bucket: aws.String("expiring"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
				ID: aws.String("all"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}}); err != nil {
			b.Fatal(err)
		}
		pre, err := s3.NewPresignClient(env.S3).PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("hot"), Key: aws.String("k")})
		if err != nil {
			b.Fatal(err)
		}
		var gets atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		client := env.HTTP()
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := client.Get(pre.URL)
					if err != nil {
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						gets.Add(1)
					}
				}
			}()
		}
		time.Sleep(time.Second) // warm-up (wall time: a load generator, not the clock under test)
		g0, t0 := gets.Load(), time.Now()
		time.Sleep(3 * time.Second)
		idleRate := float64(gets.Load()-g0) / time.Since(t0).Seconds()

		w := env.Server.Lifecycle()
		b.StartTimer()
		g1, t1 := gets.Load(), time.Now()
		res, err := w.RunOnce(context.Background())
		busy := time.Since(t1)
		b.StopTimer()
		busyRate := float64(gets.Load()-g1) / busy.Seconds()
		close(stop)
		wg.Wait()
		if err != nil || res.Expired != n {
			b.Fatalf("pass %+v %v", res, err)
		}
		b.ReportMetric(busy.Seconds(), "s/pass")
		b.ReportMetric(float64(n)/busy.Seconds(), "objects/s")
		b.ReportMetric(idleRate, "GET/s-idle")
		b.ReportMetric(busyRate, "GET/s-during")
		b.Logf("expired %d objects in %v (%d pages); 4 KiB GETs %.0f/s before, %.0f/s during", n, busy.Round(time.Millisecond), res.Batches, idleRate, busyRate)
		env.Close()
	}
}

// seedObjects writes n objects (4 KiB records) into bucket through the
// store API, 10,000 to a transaction, as written at modified.
func seedObjects(b *testing.B, path, bucket string, n int, modified time.Time) {
	st, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	etag := `"` + strings.Repeat("ab", 16) + `"`
	for base := 0; base < n; base += 10000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := base; i < min(base+10000, n); i++ {
				o := &store.Object{Bucket: bucket, Key: fmt.Sprintf("logs/%08d", i), VersionID: store.NullVersion, LastModified: modified.UTC(),
					Owner: testenv.AccountID, Size: 4096, ETag: etag, ContentType: "application/octet-stream",
					Blobs: []store.BlobRef{{Key: fmt.Sprintf("%032x", i), Size: 4096}}}
				if _, err := tx.PutObject(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %s with %d objects in %v", bucket, n, time.Since(start).Round(time.Second))
}
