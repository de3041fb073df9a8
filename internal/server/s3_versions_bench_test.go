package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// signedS3 makes a header-signed S3 request with the default account's
// root key, as the SDKs send it, for replaying through the handler.
func signedS3(b *testing.B, env *testenv.Env, method, path string, body []byte) *http.Request {
	req, err := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-content-sha256", hash)
	creds := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", testenv.Region, env.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

// BenchmarkPutObjectVersioning: the server's cost of one 4 KiB PUT (blob
// fsync'd, record committed) in an unversioned bucket and in a
// versioning-enabled one, cycling over 64 keys — so that the unversioned
// bucket replaces an object (and frees its bytes) on every PUT, and in the
// versioned bucket every PUT demotes the key's previous version and the
// keys gather versions as the benchmark runs (b.N / 64 each). A versioned
// bucket keeps every blob, so the third case writes to new keys of an
// unversioned bucket (nothing replaced, blobs piling up alike): against it,
// the difference is what versioning itself costs.
func BenchmarkPutObjectVersioning(b *testing.B) {
	for _, mode := range []string{"unversioned", "versioned", "unversioned-new-keys"} {
		b.Run(mode, func(b *testing.B) {
			env := testenv.New(b, noQuotas, func(c *config.Config) { c.AccessLog = false })
			ctx := context.Background()
			if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
				b.Fatal(err)
			}
			if mode == "versioned" {
				if _, err := env.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("bench"),
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
					b.Fatal(err)
				}
			}
			body := bytes.Repeat([]byte("x"), 4096)
			keys := 64
			if mode == "unversioned-new-keys" {
				keys = 20000
			}
			var reqs []*http.Request
			for i := range keys {
				reqs = append(reqs, signedS3(b, env, http.MethodPut, fmt.Sprintf("/bench/key-%05d", i), body))
			}
			h := env.Server.Handler()
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			cpu := processCPU()
			i := 0
			for b.Loop() {
				r := reqs[i%len(reqs)].Clone(context.Background())
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.RemoteAddr = "127.0.0.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 || (mode == "versioned") != (w.Header().Get("x-amz-version-id") != "") {
					b.Fatalf("status %d, version %q: %s", w.Code, w.Header().Get("x-amz-version-id"), w.Body)
				}
				i++
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkListObjectVersions: one 1,000-entry ListObjectVersions page,
// through the handler, in buckets of 10,000 and 1,000,000 versions (the
// version records are written straight into the store, then the server is
// restarted so that the store's write-ahead log is checkpointed), each page
// starting at a random version of a random key (key-marker and
// version-id-marker). "keys" spreads a bucket's versions over
// 1,000-version keys; "one-key" puts them all in one key, so that every
// page runs inside it. All the buckets live in one store and the
// sub-benchmarks take turns for three rounds, so that drift on the machine
// hits them alike. The rate must not depend on the number of versions
// (100k-keys shows where SQLite's page cache stops holding a bucket).
// Seeding two million versions takes minutes; -short keeps the 10k buckets.
func BenchmarkListObjectVersions(b *testing.B) {
	type bucket struct {
		name         string
		keys, perKey int
	}
	buckets := []bucket{{"10k-keys", 10, 1000}, {"10k-one-key", 1, 10000}, {"100k-keys", 100, 1000}, {"1m-keys", 1000, 1000}, {"1m-one-key", 1, 1000000}}
	if testing.Short() {
		buckets = buckets[:2]
	}
	env := testenv.New(b, noQuotas, func(cfg *config.Config) { cfg.AccessLog = false })
	ctx := context.Background()
	for _, bk := range buckets {
		if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bk.name)}); err != nil {
			b.Fatal(err)
		}
		seedVersions(b, filepath.Join(env.DataDir, server.StoreFile), bk.name, bk.keys, bk.perKey)
	}
	env.Restart()
	h := env.Server.Handler()
	for round := range 3 {
		for _, bk := range buckets {
			rng := rand.New(rand.NewPCG(uint64(round), 2))
			var reqs []*http.Request
			for range 200 {
				k, v := rng.IntN(bk.keys), rng.IntN(bk.perKey)
				q := url.Values{"key-marker": {benchKey(k)}, "version-id-marker": {benchVersion(k, v)}, "max-keys": {"1000"}}
				reqs = append(reqs, signedS3(b, env, http.MethodGet, "/"+bk.name+"?versions&"+q.Encode(), nil))
			}
			b.Run(fmt.Sprintf("%s/round-%d", bk.name, round+1), func(b *testing.B) {
				b.ReportAllocs()
				cpu := processCPU()
				i := 0
				for b.Loop() {
					r := reqs[i%len(reqs)].Clone(context.Background())
					r.RemoteAddr = "127.0.0.1:1234"
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != 200 {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func benchKey(k int) string        { return fmt.Sprintf("state/%06d.tfstate", k) }
func benchVersion(k, v int) string { return fmt.Sprintf("%016d%016d", k, v) }

// seedVersions writes keys×perKey versions (every tenth a delete marker,
// never the latest) into bucket of the running server's store through the
// store API, 10,000 to a transaction.
func seedVersions(b *testing.B, path, bucket string, keys, perKey int) {
	st, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	now := start.UTC()
	etag := `"` + strings.Repeat("ab", 16) + `"`
	total := keys * perKey
	for base := 0; base < total; base += 10000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for n := base; n < min(base+10000, total); n++ {
				k, v := n/perKey, n%perKey
				o := &store.Object{Bucket: bucket, Key: benchKey(k), VersionID: benchVersion(k, v), LastModified: now, Owner: testenv.AccountID}
				if v%10 == 4 {
					o.DeleteMarker = true
				} else {
					o.Size, o.ETag, o.ContentType = 4096, etag, "application/octet-stream"
					o.Blobs = []store.BlobRef{{Key: fmt.Sprintf("%032x", n), Size: 4096}}
				}
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
	b.Logf("seeded %s with %d versions in %v", bucket, total, time.Since(start).Round(time.Second))
}
