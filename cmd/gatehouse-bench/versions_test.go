package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

var rootEnv = map[string]string{"AWS_ACCESS_KEY_ID": testenv.RootAccessKey, "AWS_SECRET_ACCESS_KEY": testenv.RootSecretKey}

func newBenchEnv(t *testing.T) *testenv.Env {
	return testenv.New(t, func(c *config.Config) { c.STSPrincipalRate, c.STSAccountRate = 0, 0; c.AccessLog = false })
}

// allVersions lists every version and delete marker under prefix.
func allVersions(t *testing.T, env *testenv.Env, bucket, prefix string) (versions, markers int, keys map[string]int) {
	t.Helper()
	keys = map[string]int{}
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := env.S3.ListObjectVersions(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			versions++
			keys[*v.Key]++
		}
		markers += len(out.DeleteMarkers)
		if !aws.ToBool(out.IsTruncated) {
			return versions, markers, keys
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

// TestPutVersionedCycledKeys: --versioned turns versioning on for the
// bucket, and s3-put-small with --cycle-keys goes round that many keys, so
// every PUT the tool counted is a version of one of them.
func TestPutVersionedCycledKeys(t *testing.T) {
	env := newBenchEnv(t)
	res, code, stderr := runJSON(t, rootEnv, "--endpoint", env.URL, "--workload", "s3-put-small", "--bucket", "bench-v", "--versioned",
		"--cycle-keys", "3", "--duration", "300ms", "--concurrency", "2")
	checkRun(t, res, code, stderr)
	ctx := context.Background()
	vc, err := env.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("bench-v")})
	if err != nil || vc.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning %v: %v", vc, err)
	}
	versions, markers, keys := allVersions(t, env, "bench-v", "put/")
	if int64(versions) != res.Requests || markers != 0 {
		t.Errorf("%d versions and %d delete markers for %d PUTs", versions, markers, res.Requests)
	}
	if len(keys) != min(3, int(res.Requests)) {
		t.Errorf("keys %v, want put/cycle/000000..000002", keys)
	}
	for k := range keys {
		if !strings.HasPrefix(k, "put/cycle/00000") {
			t.Errorf("key %q", k)
		}
	}
	// Without --versioned the bucket stays unversioned: one version a key.
	res, code, stderr = runJSON(t, rootEnv, "--endpoint", env.URL, "--workload", "s3-put-small", "--cycle-keys", "3", "--duration", "200ms", "--concurrency", "2")
	checkRun(t, res, code, stderr)
	if versions, _, keys := allVersions(t, env, "bench", "put/"); versions != len(keys) || versions != min(3, int(res.Requests)) {
		t.Errorf("unversioned: %d versions of %d keys after %d PUTs", versions, len(keys), res.Requests)
	}
}

// TestListVersionsPrefilled: against a bucket without versions the tool
// makes --versions of them with PUTs, then lists full pages.
func TestListVersionsPrefilled(t *testing.T) {
	env := newBenchEnv(t)
	res, code, stderr := runJSON(t, rootEnv, "--endpoint", env.URL, "--workload", "s3-list-versions", "--bucket", "bench-lv", "--versions", "3000",
		"--duration", "300ms", "--concurrency", "2")
	checkRun(t, res, code, stderr)
	if versions, _, keys := allVersions(t, env, "bench-lv", "vers/"); versions != 3000 || len(keys) != 3 {
		t.Errorf("%d versions of %d keys, want 3000 of 3", versions, len(keys))
	}
	// A second run finds them and adds none.
	res, code, stderr = runJSON(t, rootEnv, "--endpoint", env.URL, "--workload", "s3-list-versions", "--bucket", "bench-lv", "--versions", "3000",
		"--duration", "100ms", "--concurrency", "1")
	checkRun(t, res, code, stderr)
	if versions, _, _ := allVersions(t, env, "bench-lv", "vers/"); versions != 3000 {
		t.Errorf("%d versions after a second run", versions)
	}
}

// TestSeedVersions: setup --seed-db --versions writes version records into
// the stopped server's store (idempotently, growing to the number asked
// for); the restarted server lists them, and s3-list-versions recognises
// them as seeded and starts its pages at random versions.
func TestSeedVersions(t *testing.T) {
	env := newBenchEnv(t)
	setup := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := realMain(context.Background(), append([]string{"setup"}, args...), &out, &errb,
			func(k string) (string, bool) { v, ok := rootEnv[k]; return v, ok }); code != 0 {
			t.Fatalf("setup %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	setup("--endpoint", env.URL, "--bucket", "seeded", "--versioned")
	env.Close()
	db := filepath.Join(env.DataDir, "gatehouse.db")
	for _, n := range []string{"2000", "2000", "4000"} {
		if out := setup("--seed-db", db, "--bucket", "seeded", "--versions", n); !strings.Contains(out, "holds "+n+" versions under vers/") {
			t.Errorf("seeding %s: %q", n, out)
		}
	}
	if _, err := seedVersions(context.Background(), db, "no-such-bucket", 1000); err == nil {
		t.Error("seeding a bucket that does not exist: no error")
	}
	env.Restart()
	versions, markers, keys := allVersions(t, env, "seeded", "vers/")
	if versions+markers != 4000 || markers != 400 || len(keys) != 4 {
		t.Errorf("%d versions, %d delete markers, keys %v", versions, markers, keys)
	}
	o, err := parseRun("run", []string{"--endpoint", env.URL, "--workload", "s3-list-versions", "--bucket", "seeded", "--versions", "4000"}, &bytes.Buffer{},
		func(k string) (string, bool) { v, ok := rootEnv[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := newClient(o.endpoint, o.region, 2)
	defer c.close()
	b, err := prepare(ctx, o, c, false)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{bench: b}
	if err := prepareVersions(ctx, r); err != nil || !r.seededVersions {
		t.Fatalf("prepare: seeded %v, %v", r.seededVersions, err)
	}
	res, code, stderr := runJSON(t, rootEnv, "--endpoint", env.URL, "--workload", "s3-list-versions", "--bucket", "seeded", "--versions", "4000",
		"--duration", "300ms", "--concurrency", "2")
	checkRun(t, res, code, stderr)
	// Nothing was PUT: the seeded records are all there is.
	if v, m, _ := allVersions(t, env, "seeded", "vers/"); v+m != 4000 {
		t.Errorf("%d entries after the run", v+m)
	}
}

func TestVersionsFlags(t *testing.T) {
	for _, args := range [][]string{{"--versions", "1500"}, {"--versions", "0"}, {"--cycle-keys", "-1"}} {
		_, err := parseRun("run", append([]string{"--endpoint", "http://x", "--workload", "s3-list-versions"}, args...), &bytes.Buffer{},
			func(k string) (string, bool) { v, ok := rootEnv[k]; return v, ok })
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
