package s3_test

// Smaller points of S3 behaviour clients rely on: partNumber reads,
// ListBuckets paging, empty listing pages, Content-MD5, metadata signed
// into a presigned URL's query, checksums of copies.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// partNumber=1 of a simple object is the whole object, answered as a
// range (206, Content-Range); other part numbers are 416.
func TestPartNumberOfSimpleObject(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "pnum")
	put(t, c, "pnum", "k", "0123456789")
	r := rawDo(t, env, http.MethodGet, objectURL(env, "pnum", "k")+"?partNumber=1", nil, nil)
	if r.status != 206 || string(r.body) != "0123456789" || r.header.Get("Content-Range") != "bytes 0-9/10" ||
		r.header.Get("Content-Length") != "10" || r.header.Get("x-amz-mp-parts-count") != "" {
		t.Fatalf("GET ?partNumber=1: %d %q %v", r.status, r.body, r.header)
	}
	h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pnum"), Key: aws.String("k"), PartNumber: aws.Int32(1)}))
	if aws.ToString(h.ContentRange) != "bytes 0-9/10" || aws.ToInt64(h.ContentLength) != 10 || h.PartsCount != nil {
		t.Fatalf("HEAD ?partNumber=1: %+v", h)
	}
	r = rawDo(t, env, http.MethodGet, objectURL(env, "pnum", "k")+"?partNumber=2", nil, nil)
	r.wantErr(t, 416, s3Err{Code: "InvalidPartNumber", Message: "The requested partnumber is not satisfiable"})
}

func TestListBucketsPaging(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	for _, b := range []string{"page-1", "page-2", "page-3", "page-4", "other-1"} {
		mkBucket(t, c, b)
	}
	eu := env.S3Client(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), func(o *s3.Options) { o.Region = "eu-west-1" })
	must[*s3.CreateBucketOutput](t)(eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("page-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}))

	var pages [][]string
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2)})
	for p.HasMorePages() {
		out := must[*s3.ListBucketsOutput](t)(p.NextPage(ctx))
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		pages = append(pages, names)
		if id := aws.ToString(out.Owner.ID); !canonicalIDPattern.MatchString(id) || out.Owner.DisplayName != nil {
			t.Fatalf("owner %+v", out.Owner)
		}
	}
	if fmt.Sprint(pages) != "[[other-1 page-1] [page-2 page-3] [page-4 page-eu]]" {
		t.Fatalf("pages of 2: %v", pages)
	}
	out := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(3)}))
	if len(out.Buckets) != 3 || aws.ToString(out.Prefix) != "page-" || aws.ToString(out.ContinuationToken) == "" {
		t.Fatalf("prefix page: %+v", out)
	}
	rest := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(3),
		ContinuationToken: out.ContinuationToken}))
	if len(rest.Buckets) != 2 || aws.ToString(rest.Buckets[0].Name) != "page-4" || rest.ContinuationToken != nil {
		t.Fatalf("second prefix page: %+v", rest)
	}
	eus := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")}))
	if len(eus.Buckets) != 1 || aws.ToString(eus.Buckets[0].Name) != "page-eu" || aws.ToString(eus.Buckets[0].BucketRegion) != "eu-west-1" {
		t.Fatalf("bucket-region: %+v", eus.Buckets)
	}
	use1 := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("us-east-1")}))
	if len(use1.Buckets) != 5 {
		t.Fatalf("us-east-1 buckets: %d", len(use1.Buckets))
	}
	// Unpaged: every bucket, no token, no Prefix element.
	all := rawDo(t, env, http.MethodGet, env.URL+"/", nil, nil)
	if all.status != 200 || strings.Count(string(all.body), "<Bucket>") != 6 || strings.Contains(string(all.body), "ContinuationToken") ||
		strings.Contains(string(all.body), "<Prefix>") {
		t.Fatalf("unpaged ListBuckets: %s", all.body)
	}
	for q, want := range map[string]s3Err{
		"max-buckets=0":       {Code: "InvalidArgument", Message: "Argument max-buckets must be an integer between 1 and 10000", ArgumentName: "max-buckets", ArgumentValue: "0"},
		"max-buckets=10001":   {Code: "InvalidArgument", Message: "Argument max-buckets must be an integer between 1 and 10000", ArgumentName: "max-buckets", ArgumentValue: "10001"},
		"max-buckets=x":       {Code: "InvalidArgument", Message: "Provided max-buckets not an integer or within integer range", ArgumentName: "max-buckets", ArgumentValue: "x"},
		"continuation-token=": {Code: "InvalidArgument", Message: "The continuation token provided is incorrect", ArgumentName: "continuation-token"},
	} {
		rawDo(t, env, http.MethodGet, env.URL+"/?"+q, nil, nil).wantErr(t, 400, want)
	}
}

// max-keys=0 is an empty page that is not truncated, in both listings.
func TestListMaxKeysZero(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mk0")
	put(t, c, "mk0", "a", "a")
	put(t, c, "mk0", "b", "b")
	v2 := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mk0"), MaxKeys: aws.Int32(0)}))
	if aws.ToBool(v2.IsTruncated) || len(v2.Contents) != 0 || aws.ToInt32(v2.KeyCount) != 0 || v2.NextContinuationToken != nil || aws.ToInt32(v2.MaxKeys) != 0 {
		t.Fatalf("V2 max-keys=0: %+v", v2)
	}
	v1 := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("mk0"), MaxKeys: aws.Int32(0)}))
	if aws.ToBool(v1.IsTruncated) || len(v1.Contents) != 0 || v1.NextMarker != nil {
		t.Fatalf("V1 max-keys=0: %+v", v1)
	}
}

func TestEmptyContentMD5(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "md5")
	r, err := http.NewRequest(http.MethodPut, objectURL(env, "md5", "k"), bytes.NewReader([]byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	r.Header["Content-Md5"] = []string{""}
	signRaw(r, "UNSIGNED-PAYLOAD", true)
	doRaw(t, env, r).wantErr(t, 400, s3Err{Code: "InvalidDigest", Message: "The Content-MD5 you specified was invalid."})
	wantNoObject(t, env.S3, "md5", "k")
}

// x-amz-* parameters signed into a presigned URL's query are the request's
// headers, as S3 reads them: metadata, storage class, and refusals too.
func TestPresignedQueryHeaders(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "pqry")
	presign := func(method, key, query string) string {
		r, err := http.NewRequest(method, objectURL(env, "pqry", key)+"?X-Amz-Expires=900&"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "s3", testenv.Region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	send := func(u string) rawResult {
		r, err := http.NewRequest(http.MethodPut, u, bytes.NewReader([]byte("presigned")))
		if err != nil {
			t.Fatal(err)
		}
		return doRaw(t, env, r)
	}
	send(presign(http.MethodPut, "k", "x-amz-meta-color=blue&x-amz-storage-class=STANDARD_IA&x-amz-tagging=team%3Dcore")).want(t, 200, "")
	h := must[*s3.HeadObjectOutput](t)(env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pqry"), Key: aws.String("k")}))
	if h.Metadata["color"] != "blue" || h.StorageClass != "STANDARD_IA" || aws.ToInt32(h.TagCount) != 1 {
		t.Fatalf("presigned query headers not stored: %+v", h)
	}
	// The payload's parameters stay in the query: S3 does not hold the body
	// to a checksum presigned into the URL (the JavaScript SDK v3 puts the
	// CRC32 of an empty body there).
	send(presign(http.MethodPut, "crc", "x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32")).want(t, 200, "")
	send(presign(http.MethodPut, "ssec", "x-amz-server-side-encryption-customer-algorithm=AES256")).wantErr(t, 400, s3Err{Code: "InvalidRequest",
		Message: "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."})
	wantNoObject(t, env.S3, "pqry", "ssec")

	// The same through a Signature Version 2 presigned URL (x-amz-*
	// parameters are signed as amz headers).
	exp := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	sts := "PUT\n\n\n" + exp + "\nx-amz-meta-color:green\n/pqry/v2"
	q := url.Values{"AWSAccessKeyId": {testenv.RootAccessKey}, "Expires": {exp}, "Signature": {v2Sign(sts)}, "x-amz-meta-color": {"green"}}
	send(objectURL(env, "pqry", "v2")+"?"+q.Encode()).want(t, 200, "")
	h = must[*s3.HeadObjectOutput](t)(env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pqry"), Key: aws.String("v2")}))
	if h.Metadata["color"] != "green" {
		t.Fatalf("SigV2 presigned metadata: %+v", h.Metadata)
	}
}

// CopyObject with x-amz-checksum-algorithm gives the copy that checksum,
// computed from the source's bytes.
func TestCopyObjectChecksumAlgorithm(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cksum")
	b := aws.String("cksum")
	data := randBytes(31, 100000)
	must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc32} {
		key := "copy-" + string(alg)
		out := must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(key), CopySource: aws.String("cksum/src"),
			ChecksumAlgorithm: alg}))
		want := checksumFor(t, alg, data)
		var got *string
		switch alg {
		case types.ChecksumAlgorithmSha256:
			got = out.CopyObjectResult.ChecksumSHA256
		case types.ChecksumAlgorithmCrc32c:
			got = out.CopyObjectResult.ChecksumCRC32C
		default:
			got = out.CopyObjectResult.ChecksumCRC32
		}
		if aws.ToString(got) != want || out.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
			t.Fatalf("%s: copy result %+v, want %s", alg, out.CopyObjectResult, want)
		}
		h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled}))
		if alg == types.ChecksumAlgorithmSha256 && aws.ToString(h.ChecksumSHA256) != want {
			t.Fatalf("HEAD of the copy: %+v", h)
		}
	}
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("bad"), CopySource: aws.String("cksum/src"), ChecksumAlgorithm: "MD4"})
	wantStatusCode(t, err, 400, "InvalidRequest")
}

// CreateMultipartUpload echoes the checksum algorithm and type it was
// given.
func TestCreateMultipartUploadEchoesChecksum(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "echo")
	for _, tc := range []struct {
		alg types.ChecksumAlgorithm
		typ types.ChecksumType
		out types.ChecksumType
	}{{types.ChecksumAlgorithmCrc32, "", types.ChecksumTypeComposite}, {types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject}, {types.ChecksumAlgorithmSha1, "", types.ChecksumTypeComposite}} {
		out := must[*s3.CreateMultipartUploadOutput](t)(env.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("echo"),
			Key: aws.String("k"), ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ}))
		if out.ChecksumAlgorithm != tc.alg || out.ChecksumType != tc.out {
			t.Errorf("%s/%s: echoed %s/%s, want %s/%s", tc.alg, tc.typ, out.ChecksumAlgorithm, out.ChecksumType, tc.alg, tc.out)
		}
	}
	plain := must[*s3.CreateMultipartUploadOutput](t)(env.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("echo"), Key: aws.String("p")}))
	if plain.ChecksumAlgorithm != "" || plain.ChecksumType != "" {
		t.Fatalf("no algorithm asked, echoed %s/%s", plain.ChecksumAlgorithm, plain.ChecksumType)
	}
}

// v2Sign signs a Signature Version 2 string to sign with the root's
// secret.
func v2Sign(sts string) string {
	return base64.StdEncoding.EncodeToString(hmacSHA1([]byte(testenv.RootSecretKey), sts))
}
