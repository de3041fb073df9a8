package s3_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A GET or HEAD of an object reads the store once (the caller's keys and
// policies cached): the bucket and the addressed version come from one
// View, a transaction each on PostgreSQL. On the embedded store the same
// read again comes from the object cache, until any write empties it.
func TestObjectReadsAreOneView(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	})
	mkBucket(t, env.S3, "once")
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("once"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	get := func(key, version string) error {
		in := &s3.GetObjectInput{Bucket: aws.String("once"), Key: aws.String(key)}
		if version != "" {
			in.VersionId = aws.String(version)
		}
		out, err := env.S3.GetObject(ctx, in)
		if err == nil {
			_, err = io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return err
	}
	if err := get("k", ""); err != nil { // fills the caches
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		do   func() error
		ok   bool
	}{
		{"GET", func() error { return get("k", "") }, true},
		{"GET of the null version", func() error { return get("k", "null") }, true},
		{"GET of a missing key", func() error { return get("missing", "") }, false},
		{"HEAD", func() error {
			_, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("once"), Key: aws.String("k")})
			return err
		}, true},
	} {
		// A write (of another key) empties the object cache.
		if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("once"), Key: aws.String("other"), Body: strings.NewReader("w")}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} {
			views, updates := faults.Calls("View"), faults.Calls("Update")
			if err := c.do(); (err == nil) != c.ok {
				t.Fatalf("%s: %v", c.name, err)
			}
			if v, u := faults.Calls("View")-views, faults.Calls("Update")-updates; v != want || u != 0 {
				t.Errorf("%s (read %d) read the store in %d Views and %d Updates, want %d View(s)", c.name, i+1, v, u, want)
			}
		}
	}
}

// scopeRecorder runs scoped transactions as Updates, recording their
// scopes.
type scopeRecorder struct {
	store.Store
	mu     sync.Mutex
	scopes []store.Scope
}

func (s *scopeRecorder) UpdateIn(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	s.mu.Lock()
	s.scopes = append(s.scopes, sc)
	s.mu.Unlock()
	return s.Update(ctx, fn)
}

// PUT, DELETE and DeleteBucket write in transactions scoped to their key
// (or bucket), which PostgreSQL runs without serialization failures
// between writers of different keys (store.ScopedUpdater).
func TestObjectWritesAreScoped(t *testing.T) {
	rec := &scopeRecorder{}
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { rec.Store = st; return rec }
	})
	mkBucket(t, env.S3, "scoped")
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("scoped"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("scoped"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("scoped")}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []store.Scope{{Bucket: "scoped", Key: "k"}, {Bucket: "scoped", Key: "k"}, {Bucket: "scoped"}}
	if !slices.Equal(rec.scopes, want) {
		t.Fatalf("scoped transactions %v, want %v", rec.scopes, want)
	}
}
