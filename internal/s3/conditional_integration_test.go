package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestConditionalPut(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cond")
	b := aws.String("cond")
	putIf := func(key, body string, ifMatch, ifNoneMatch *string) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader(body), IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
	}
	first, err := putIf("k", "one", nil, aws.String("*"))
	if err != nil {
		t.Fatalf("create-only PUT of a new key: %v", err)
	}
	_, err = putIf("k", "two", nil, aws.String("*"))
	wantStatusCode(t, err, 412, "PreconditionFailed")
	if got := get(t, c, "cond", "k"); got != "one" {
		t.Fatalf("a failed create-only PUT replaced the object: %q", got)
	}
	_, err = putIf("k", "two", aws.String(`"0123456789abcdef0123456789abcdef"`), nil)
	wantStatusCode(t, err, 412, "PreconditionFailed")
	if _, err := putIf("k", "two", first.ETag, nil); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := putIf("k", "three", aws.String("*"), nil); err != nil {
		t.Fatalf("If-Match * of an existing key: %v", err)
	}
	_, err = putIf("missing", "x", aws.String("*"), nil)
	wantStatusCode(t, err, 404, "NoSuchKey")

	// The exact error bodies, and what S3 does not implement.
	u := objectURL(env, "cond", "k")
	r := rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"If-None-Match": "*"})
	r.wantErr(t, 412, s3Err{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"})
	if !strings.Contains(string(r.body), "<Condition>If-None-Match</Condition>") {
		t.Fatalf("no Condition element: %s", r.body)
	}
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"If-None-Match": `"abc"`}).wantErr(t, 501, s3Err{Code: "NotImplemented",
		Message: "A header you provided implies functionality that is not implemented", Header: "If-None-Match"})
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"If-None-Match": "*", "If-Match": "*"}).wantErr(t, 501, s3Err{Code: "NotImplemented",
		Message: "A header you provided implies functionality that is not implemented", Header: "If-Match"})
	if got := get(t, c, "cond", "k"); got != "three" {
		t.Fatalf("object after refused writes: %q", got)
	}

	// CopyObject honours the destination's conditions too.
	put(t, c, "cond", "src", "source")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k"), CopySource: aws.String("cond/src"), IfNoneMatch: aws.String("*")})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("new"), CopySource: aws.String("cond/src"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
}

// Create-only writes racing for one key: exactly one wins, whatever the
// interleaving, because the condition is decided in the committing
// transaction.
func TestConditionalPutRace(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "race")
	const n = 8
	var wg sync.WaitGroup
	results := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("lock"),
				Body: strings.NewReader(fmt.Sprintf("writer %d", i)), IfNoneMatch: aws.String("*")})
			results[i] = httpStatus(err)
		}()
	}
	wg.Wait()
	won := 0
	for i, s := range results {
		switch s {
		case 0:
			won++
		case 412:
		default:
			t.Fatalf("writer %d: status %d", i, s)
		}
	}
	if won != 1 {
		t.Fatalf("%d create-only writers won, want 1: %v", won, results)
	}
}

// slowPut starts a raw PUT whose body is sent in two halves: it returns
// once the server has read most of the first (so the request has started
// and recorded the key's object), and finish sends the rest and returns
// the response.
func slowPut(t *testing.T, env *testenv.Env, bucket, key string, hdr map[string]string) (finish func() rawResult) {
	t.Helper()
	const half = 16 << 20
	pr, pw := io.Pipe()
	r, err := http.NewRequest(http.MethodPut, objectURL(env, bucket, key), pr)
	if err != nil {
		t.Fatal(err)
	}
	r.ContentLength = 2 * half
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	signRaw(r, sigv4.UnsignedPayload, true)
	done := make(chan rawResult, 1)
	go func() { done <- doRaw(t, env, r) }()
	if _, err := pw.Write(make([]byte, half)); err != nil {
		t.Fatal(err)
	}
	return func() rawResult {
		go func() {
			pw.Write(make([]byte, half))
			pw.Close()
		}()
		return <-done
	}
}

// A condition that held when the upload started and fails at its commit
// because another write or delete committed meanwhile is S3's 409
// ConditionalRequestConflict; one that never held is 412.
func TestConditionalPutConflict(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "conflict")
	conflict := s3Err{Code: "ConditionalRequestConflict", Message: "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."}

	v1 := put(t, c, "conflict", "k", "v1")
	finish := slowPut(t, env, "conflict", "k", map[string]string{"If-Match": aws.ToString(v1.ETag)})
	put(t, c, "conflict", "k", "v2") // replaces the object the upload was conditional on
	finish().wantErr(t, 409, conflict)
	if got := get(t, c, "conflict", "k"); got != "v2" {
		t.Fatalf("after the conflict: %q", got)
	}

	finish = slowPut(t, env, "conflict", "k", map[string]string{"If-None-Match": "*"})
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("conflict"), Key: aws.String("k")}))
	finish().wantErr(t, 409, conflict)
	wantNoObject(t, c, "conflict", "k")

	// Created by another writer meanwhile: the key exists, 412.
	finish = slowPut(t, env, "conflict", "k", map[string]string{"If-None-Match": "*"})
	put(t, c, "conflict", "k", "other")
	finish().wantErr(t, 412, s3Err{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"})
	if got := get(t, c, "conflict", "k"); got != "other" {
		t.Fatalf("after the 412: %q", got)
	}
}

func TestConditionalCompleteMultipart(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mpcond")
	b := aws.String("mpcond")
	put(t, c, "mpcond", "taken", "already here")
	id := newUpload(t, c, "mpcond", "taken")
	e1 := uploadPart(t, c, "mpcond", "taken", id, 1, []byte("part"))
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("taken"), UploadId: aws.String(id),
		MultipartUpload: partList(1, e1), IfNoneMatch: aws.String("*")})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	if got := get(t, c, "mpcond", "taken"); got != "already here" {
		t.Fatalf("a failed conditional completion replaced the object: %q", got)
	}
	// The upload is still there: completing with the right ETag works.
	cur := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("taken")}))
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("taken"), UploadId: aws.String(id),
		MultipartUpload: partList(1, e1), IfMatch: aws.String(`"00000000000000000000000000000000"`)})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("taken"), UploadId: aws.String(id),
		MultipartUpload: partList(1, e1), IfMatch: cur.ETag})
	if err != nil {
		t.Fatalf("completion with If-Match of the current ETag: %v", err)
	}
	if got := get(t, c, "mpcond", "taken"); got != "part" {
		t.Fatalf("after completion: %q", got)
	}
	// If-Match on a key with no object.
	id2 := newUpload(t, c, "mpcond", "fresh")
	e2 := uploadPart(t, c, "mpcond", "fresh", id2, 1, []byte("x"))
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("fresh"), UploadId: aws.String(id2),
		MultipartUpload: partList(1, e2), IfMatch: aws.String("*")})
	wantStatusCode(t, err, 404, "NoSuchKey")
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("fresh"), UploadId: aws.String(id2),
		MultipartUpload: partList(1, e2), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}

	// A repeated completion (a retry after a lost reply) answers 200 with
	// the same result, conditions and all, while the object is the one it
	// made; different parts, or once the key was overwritten, NoSuchUpload.
	again, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("taken"), UploadId: aws.String(id),
		MultipartUpload: partList(1, e1), IfMatch: cur.ETag})
	if err != nil {
		t.Fatalf("repeated completion: %v", err)
	}
	if aws.ToString(again.ETag) != aws.ToString(done.ETag) || aws.ToString(again.Key) != "taken" || aws.ToString(again.Bucket) != "mpcond" ||
		aws.ToString(again.Location) != aws.ToString(done.Location) {
		t.Fatalf("repeated completion = %+v, first = %+v", again, done)
	}
	_, err = complete(c, "mpcond", "taken", id, partList(1, `"`+md5hex("other")+`"`))
	wantStatusCode(t, err, 404, "NoSuchUpload")
	put(t, c, "mpcond", "taken", "overwritten")
	_, err = complete(c, "mpcond", "taken", id, partList(1, e1))
	wantStatusCode(t, err, 404, "NoSuchUpload")
}

func TestConditionalDelete(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cdel")
	b := aws.String("cdel")
	v := put(t, c, "cdel", "k", "v")
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	if got := get(t, c, "cdel", "k"); got != "v" {
		t.Fatalf("a failed conditional delete removed the object: %q", got)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: v.ETag}); err != nil {
		t.Fatal(err)
	}
	wantNoObject(t, c, "cdel", "k")
	// A conditional delete of a missing key is NoSuchKey, not 204.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String("*")})
	wantStatusCode(t, err, 404, "NoSuchKey")
	put(t, c, "cdel", "k", "again")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	rawDo(t, env, http.MethodDelete, objectURL(env, "cdel", "k"), nil, map[string]string{"x-amz-if-match-size": "3"}).wantErr(t, 501, s3Err{
		Code: "NotImplemented", Message: "A header you provided implies functionality that is not implemented", Header: "x-amz-if-match-size"})

	// DeleteObjects: a per-key ETag.
	a := put(t, c, "cdel", "a", "a")
	put(t, c, "cdel", "b", "b")
	out := must[*s3.DeleteObjectsOutput](t)(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), ETag: a.ETag}, {Key: aws.String("b"), ETag: a.ETag}}}}))
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "a" || len(out.Errors) != 1 ||
		aws.ToString(out.Errors[0].Key) != "b" || aws.ToString(out.Errors[0].Code) != "PreconditionFailed" {
		t.Fatalf("DeleteObjects with ETags: %+v %+v", out.Deleted, out.Errors)
	}
	if got := get(t, c, "cdel", "b"); got != "b" {
		t.Fatalf("b: %q", got)
	}
}

// A delete conditional on an ETag also needs s3:GetObject, as in S3; the
// policy keys s3:if-match and s3:if-none-match are set.
func TestConditionalAuthorization(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "cauth")
	v := put(t, env.S3, "cauth", "k", "v")
	c := env.S3Client(azUser(t, env, env.IAM, "dora", azPolicy(
		azS{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::cauth/*"},
		azS{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::cauth/*",
			"Condition": map[string]any{"StringEquals": map[string]string{"s3:if-none-match": "*"}}})))
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cauth"), Key: aws.String("k"), IfMatch: v.ETag})
	azDenied(t, err, "s3:GetObject")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cauth"), Key: aws.String("n"), Body: bytes.NewReader([]byte("x")),
		IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatalf("create-only PUT allowed by s3:if-none-match: %v", err)
	}
	azDenied(t, azPut(c, "cauth", "m", "x"), "s3:PutObject")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cauth"), Key: aws.String("k"), IfMatch: aws.String("*")}); err != nil {
		t.Fatalf("If-Match * needs only s3:DeleteObject: %v", err)
	}
}
