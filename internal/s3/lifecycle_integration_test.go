package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	s3svc "github.com/gatehouse/gatehouse/internal/s3"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// putLifecycle sets a configuration with the SDK (which sends a checksum).
func putLifecycle(t *testing.T, c *s3.Client, bucket string, rules ...types.LifecycleRule) {
	t.Helper()
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	if err != nil {
		t.Fatal(err)
	}
}

// runLifecycle moves the server's clock ahead by days, runs one pass, and
// moves the clock back (clients sign with the real time).
func runLifecycle(t *testing.T, env *testenv.Env, days int, w *s3svc.LifecycleWorker) (s3svc.LifecycleResult, error) {
	t.Helper()
	if w == nil {
		w = env.Server.Lifecycle()
	}
	d := time.Duration(days) * 24 * time.Hour
	env.Advance(d)
	defer env.Advance(-d)
	return w.RunOnce(ctx)
}

func keys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, v := range out.Versions {
		ks = append(ks, *v.Key)
	}
	for _, m := range out.DeleteMarkers {
		ks = append(ks, *m.Key+"(marker)")
	}
	return ks
}

func prefixRule(id, prefix string) types.LifecycleRule {
	return types.LifecycleRule{ID: aws.String(id), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String(prefix)}}
}

func TestLifecycleConfigurationAPI(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "lcy")
	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcy")})
	wantCode(t, err, "NoSuchLifecycleConfiguration")

	r := prefixRule("logs", "logs/")
	r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(30)}
	r.Transitions = []types.Transition{{Days: aws.Int32(10), StorageClass: types.TransitionStorageClassGlacier}}
	r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}
	putLifecycle(t, c, "lcy", r)
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcy")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 1 || *got.Rules[0].ID != "logs" || *got.Rules[0].Filter.Prefix != "logs/" || *got.Rules[0].Expiration.Days != 30 ||
		got.Rules[0].Transitions[0].StorageClass != types.TransitionStorageClassGlacier || *got.Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation != 2 {
		t.Fatalf("got %+v", got.Rules)
	}
	if got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Fatalf("minimum size %q", got.TransitionDefaultMinimumObjectSize)
	}

	doc := func(rule string) []byte {
		return []byte(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>` + rule + `</Rule></LifecycleConfiguration>`)
	}
	md5h := func(b []byte) map[string]string {
		s := md5.Sum(b)
		return map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(s[:])}
	}
	good := doc(`<Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>`)
	rawDo(t, env, http.MethodPut, env.URL+"/lcy?lifecycle", good, nil).wantErr(t, 400,
		s3Err{Code: "InvalidRequest", Message: "Missing required header for this request: Content-Md5."})
	for _, tc := range []struct{ rule, code, msg string }{
		{`<Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>`, "InvalidArgument", "'Days' for Expiration action must be a positive integer"},
		{`<Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>`, "InvalidArgument", "'Date' must be at midnight GMT"},
		{`<Filter/><Status>Enabled</Status>`, "InvalidRequest", "At least one action needs to be specified in a rule"},
		{`<Status>Enabled</Status><Expiration><Days>1</Days></Expiration>`, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
	} {
		d := doc(tc.rule)
		rawDo(t, env, http.MethodPut, env.URL+"/lcy?lifecycle", d, md5h(d)).wantErr(t, 400, s3Err{Code: tc.code, Message: tc.msg})
	}
	if res := rawDo(t, env, http.MethodPut, env.URL+"/lcy?lifecycle", good, md5h(good)); res.status != 200 {
		t.Fatalf("good document: %d %s", res.status, res.body)
	}

	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcy")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcy")})
	wantCode(t, err, "NoSuchLifecycleConfiguration")
}

// TestLifecycleExpiresAndAborts: an unversioned bucket's objects under
// the rule's prefix are deleted once due, others stay, and an old upload is
// aborted; nothing happens before the rule is due.
func TestLifecycleExpiresAndAborts(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "exp")
	put(t, c, "exp", "logs/a", "a")
	put(t, c, "exp", "logs/b", "b")
	put(t, c, "exp", "keep/c", "c")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("exp"), Key: aws.String("logs/big")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("exp"), Key: aws.String("logs/big"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")}); err != nil {
		t.Fatal(err)
	}
	r := prefixRule("logs", "logs/")
	r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(1)}
	r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}
	putLifecycle(t, c, "exp", r)

	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("exp"), Key: aws.String("logs/a")})
	if err != nil {
		t.Fatal(err)
	}
	if h.Expiration == nil || !strings.Contains(*h.Expiration, `rule-id="logs"`) {
		t.Fatalf("x-amz-expiration: %v", h.Expiration)
	}

	res, err := runLifecycle(t, env, 0, nil)
	if err != nil || res.Expired != 0 || res.Uploads != 0 {
		t.Fatalf("nothing is due yet: %+v %v", res, err)
	}
	res, err = runLifecycle(t, env, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Expired != 2 || res.Uploads != 1 || res.Errors != 0 {
		t.Fatalf("result %+v", res)
	}
	if ks := keys(t, c, "exp"); strings.Join(ks, ",") != "keep/c" {
		t.Fatalf("left %v", ks)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("exp")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("uploads %v %v", ups, err)
	}
	// A second pass finds nothing more to do.
	if res, err := runLifecycle(t, env, 3, nil); err != nil || res.Expired+res.Uploads+res.Versions+res.Markers != 0 {
		t.Fatalf("second pass %+v %v", res, err)
	}
}

// TestLifecycleVersioned: expiring a current version adds a delete marker;
// noncurrent versions go NoncurrentDays after they became noncurrent, but
// the newest NewerNoncurrentVersions stay; a delete marker left alone is
// removed.
func TestLifecycleVersioned(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "ver")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2", "3", "4"} {
		put(t, c, "ver", "k", v)
	}
	put(t, c, "ver", "other", "x")
	exp := prefixRule("exp", "k")
	exp.Expiration = &types.LifecycleExpiration{Days: aws.Int32(1)}
	exp.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(1)}
	markers := prefixRule("markers", "")
	markers.Expiration = &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}
	putLifecycle(t, c, "ver", exp, markers)

	res, err := runLifecycle(t, env, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Versions 3, 2, 1 were noncurrent: 3 is the one newer noncurrent kept.
	// Version 4 expires: a delete marker hides it.
	if res.Expired != 1 || res.Versions != 2 || res.Markers != 0 {
		t.Fatalf("first pass %+v", res)
	}
	if ks := keys(t, c, "ver"); strings.Join(ks, ",") != "k,k,other,k(marker)" {
		t.Fatalf("after the first pass %v", ks)
	}
	// Six days on: 4 and 3 are noncurrent beyond NoncurrentDays; 4 is
	// the newer noncurrent version kept for 3... and then nothing keeps 4
	// beyond the marker. Two more passes leave the key empty.
	for range 3 {
		if _, err := runLifecycle(t, env, 6, nil); err != nil {
			t.Fatal(err)
		}
	}
	if ks := keys(t, c, "ver"); strings.Join(ks, ",") != "k,other,k(marker)" {
		t.Fatalf("NewerNoncurrentVersions 1 keeps one: %v", ks)
	}
	// Without the keeping rule the last noncurrent version goes and the
	// marker, then alone, goes with it.
	exp.NoncurrentVersionExpiration.NewerNoncurrentVersions = nil
	putLifecycle(t, c, "ver", exp, markers)
	res, err = runLifecycle(t, env, 6, nil)
	if err != nil || res.Versions != 1 || res.Markers != 1 {
		t.Fatalf("last pass %+v %v", res, err)
	}
	if ks := keys(t, c, "ver"); strings.Join(ks, ",") != "other" {
		t.Fatalf("left %v", ks)
	}
}

// TestLifecycleSuspended: expiring the null version of a suspended bucket
// replaces it with a null delete marker.
func TestLifecycleSuspended(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "sus")
	for _, st := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("sus"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: st}}); err != nil {
			t.Fatal(err)
		}
	}
	put(t, c, "sus", "k", "null version")
	r := prefixRule("all", "")
	r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(1)}
	putLifecycle(t, c, "sus", r)
	if res, err := runLifecycle(t, env, 3, nil); err != nil || res.Expired != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("sus")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != 0 || len(out.DeleteMarkers) != 1 || *out.DeleteMarkers[0].VersionId != "null" {
		t.Fatalf("versions %+v markers %+v", out.Versions, out.DeleteMarkers)
	}
}

// TestLifecycleFilters: tags, sizes and And select what expires.
func TestLifecycleFilters(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "flt")
	putTagged := func(key, body, tagging string) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flt"), Key: aws.String(key), Body: strings.NewReader(body),
			Tagging: aws.String(tagging)}); err != nil {
			t.Fatal(err)
		}
	}
	putTagged("p/small-tagged", "abc", "tier=tmp")
	putTagged("p/big-tagged", "abcdefghijkl", "tier=tmp")
	putTagged("p/big-other", "abcdefghijkl", "tier=keep")
	putTagged("q/big-tagged", "abcdefghijkl", "tier=tmp")
	r := types.LifecycleRule{ID: aws.String("and"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{
		And: &types.LifecycleRuleAndOperator{Prefix: aws.String("p/"), Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("tmp")}},
			ObjectSizeGreaterThan: aws.Int64(5)}}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
	small := types.LifecycleRule{ID: aws.String("small"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{ObjectSizeLessThan: aws.Int64(5)}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
	putLifecycle(t, c, "flt", r, small)
	if res, err := runLifecycle(t, env, 3, nil); err != nil || res.Expired != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if ks := keys(t, c, "flt"); strings.Join(ks, ",") != "p/big-other,q/big-tagged" {
		t.Fatalf("left %v", ks)
	}
}

// TestLifecycleResumes: a pass stopped after its first page (as a crash
// there would) resumes from its cursor; what was acknowledged meanwhile is
// kept, and the end state is the one an uninterrupted pass reaches.
func TestLifecycleResumes(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "res")
	for i := range 9 {
		put(t, c, "res", "logs/"+string(rune('a'+i)), "x")
	}
	put(t, c, "res", "zkeep", "x")
	// Objects of under 3 bytes: what is written after the stop is larger,
	// so the resumed pass, judging the versions as they are then, keeps it.
	r := types.LifecycleRule{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{
		And: &types.LifecycleRuleAndOperator{Prefix: aws.String("logs/"), ObjectSizeLessThan: aws.Int64(3)}},
		Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
	putLifecycle(t, c, "res", r)

	w := env.Server.Lifecycle()
	w.Batch, w.StopAfter = 2, 1
	res, err := runLifecycle(t, env, 3, w)
	if !errors.Is(err, s3svc.ErrLifecycleStopped) || res.Expired != 1 { // a page of 2 keeps whole keys: one
		t.Fatalf("stopped pass %+v %v", res, err)
	}
	// Acknowledged after the stop: a key the stopped pass already passed
	// and one it has yet to reach.
	put(t, c, "res", "logs/a", "acknowledged")
	put(t, c, "res", "logs/h", "acknowledged")
	// A restart: a new worker (a new process) resumes from the cursor.
	env.Restart()
	w = env.Server.Lifecycle()
	w.Batch = 2
	res, err = runLifecycle(t, env, 3, w)
	if err != nil || res.Expired != 7 {
		t.Fatalf("resumed pass %+v %v", res, err)
	}
	if ks := keys(t, c, "res"); strings.Join(ks, ",") != "logs/a,logs/h,zkeep" {
		t.Fatalf("left %v", ks)
	}
}

// TestLifecycleRefusedRemoval: a version the store refuses to remove (as it
// will a locked one) stays; the refusal is counted and the rest proceeds.
func TestLifecycleRefusedRemoval(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	})
	c := env.S3
	mkBucket(t, c, "lck")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lck"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "lck", "a", "1")
	put(t, c, "lck", "a", "2")
	put(t, c, "lck", "b", "1")
	put(t, c, "lck", "b", "2")
	r := prefixRule("nc", "")
	r.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}
	putLifecycle(t, c, "lck", r)
	locked := errors.New("version is locked")
	faults.FailNth("DeleteVersion", 1, locked) // the page's transaction
	faults.FailNth("DeleteVersion", 2, locked) // a's own, tried alone
	res, err := runLifecycle(t, env, 3, nil)
	if err != nil || res.Versions != 1 || res.Errors != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if ks := keys(t, c, "lck"); strings.Join(ks, ",") != "a,a,b" {
		t.Fatalf("left %v", ks)
	}
}

// TestLifecycleKeepsLockedVersions: with real Object Lock, a lifecycle rule
// that would remove noncurrent versions leaves the locked ones (counted as
// errors) until their retention has passed, then removes them.
func TestLifecycleKeepsLockedVersions(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	lockBucket(t, c, "locklc")
	until := time.Now().Add(10 * 24 * time.Hour)
	putLocked(t, c, "locklc", "k", types.ObjectLockModeCompliance, until)
	putLocked(t, c, "locklc", "k", types.ObjectLockModeGovernance, until)
	put(t, c, "locklc", "k", "current, unlocked")
	r := prefixRule("nc", "k")
	r.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}
	putLifecycle(t, c, "locklc", r)

	res, err := runLifecycle(t, env, 3, nil)
	if err != nil || res.Versions != 0 || res.Errors == 0 {
		t.Fatalf("while locked: %+v %v", res, err)
	}
	if ks := keys(t, c, "locklc"); strings.Join(ks, ",") != "k,k,k" {
		t.Fatalf("while locked, left %v", ks)
	}
	// Past the retention date both noncurrent versions go.
	res, err = runLifecycle(t, env, 20, nil)
	if err != nil || res.Versions != 2 || res.Errors != 0 {
		t.Fatalf("after the retention: %+v %v", res, err)
	}
	if ks := keys(t, c, "locklc"); strings.Join(ks, ",") != "k" {
		t.Fatalf("after the retention, left %v", ks)
	}
}
