package s3_test

// Signature Version 2 in the Authorization header and in browser forms,
// built here from S3's definition of the string to sign.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func hmacSHA1(key []byte, msg string) []byte {
	m := hmac.New(sha1.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// v2Request builds a header-signed request: the string to sign is method,
// Content-MD5, Content-Type, Date, the x-amz-* headers and resource.
func v2Request(t *testing.T, env *testenv.Env, method, path string, body []byte, hdr map[string]string, date time.Time, resource string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	r.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	amz := ""
	for _, k := range []string{"x-amz-meta-a", "x-amz-tagging"} { // the ones the tests send, sorted
		if v := r.Header.Get(k); v != "" {
			amz += k + ":" + v + "\n"
		}
	}
	sts := method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + r.Header.Get("Date") + "\n" + amz + resource
	r.Header.Set("Authorization", "AWS "+testenv.RootAccessKey+":"+v2Sign(sts))
	return r
}

func TestSigV2Header(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "sv2")
	now := time.Now()
	r := v2Request(t, env, http.MethodPut, "/sv2/dir/k%20ey", []byte("signed v2"), map[string]string{"Content-Type": "text/plain", "x-amz-meta-a": "b"}, now, "/sv2/dir/k%20ey")
	doRaw(t, env, r).want(t, 200, "")
	h := must[*s3.HeadObjectOutput](t)(env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sv2"), Key: aws.String("dir/k ey")}))
	if aws.ToString(h.ContentType) != "text/plain" || h.Metadata["a"] != "b" {
		t.Fatalf("stored %+v", h)
	}
	got := doRaw(t, env, v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, now, "/sv2/dir/k%20ey"))
	if got.status != 200 || string(got.body) != "signed v2" {
		t.Fatalf("GET: %d %q", got.status, got.body)
	}
	// A signed subresource, a bucket listing and the service.
	doRaw(t, env, v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey?tagging", nil, nil, now, "/sv2/dir/k%20ey?tagging")).want(t, 200, "")
	if l := doRaw(t, env, v2Request(t, env, http.MethodGet, "/sv2?prefix=dir/", nil, nil, now, "/sv2/")); l.status != 200 || !strings.Contains(string(l.body), "<Key>dir/k ey</Key>") {
		t.Fatalf("listing: %d %s", l.status, l.body)
	}
	doRaw(t, env, v2Request(t, env, http.MethodGet, "/", nil, nil, now, "/")).want(t, 200, "")

	// What fails, as S3 answers it.
	bad := v2Request(t, env, http.MethodPut, "/sv2/k", []byte("x"), nil, now, "/sv2/other")
	res := doRaw(t, env, bad)
	res.wantErr(t, 403, s3Err{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."})
	var detail struct {
		AWSAccessKeyID string `xml:"AWSAccessKeyId"`
		StringToSign   string `xml:"StringToSign"`
	}
	if xml.Unmarshal(res.body, &detail) != nil || detail.StringToSign != "PUT\n\n\n"+bad.Header.Get("Date")+"\n/sv2/k" ||
		detail.AWSAccessKeyID != testenv.RootAccessKey {
		t.Fatalf("SignatureDoesNotMatch details: %s", res.body)
	}
	wantNoObject(t, env.S3, "sv2", "k")
	old := now.Add(-20 * time.Minute)
	res = doRaw(t, env, v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, old, "/sv2/dir/k%20ey"))
	res.wantErr(t, 403, s3Err{Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."})
	if !strings.Contains(string(res.body), "<RequestTime>"+old.UTC().Format(http.TimeFormat)+"</RequestTime>") {
		t.Fatalf("no RequestTime: %s", res.body)
	}
	noDate := v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, now, "/sv2/dir/k%20ey")
	noDate.Header.Del("Date")
	doRaw(t, env, noDate).wantErr(t, 403, s3Err{Code: "AccessDenied", Message: "AWS authentication requires a valid Date or x-amz-date header"})
	malformed := v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, now, "/sv2/dir/k%20ey")
	malformed.Header.Set("Authorization", "AWS "+testenv.RootAccessKey)
	doRaw(t, env, malformed).wantErr(t, 400, s3Err{Code: "InvalidArgument", Message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
		ArgumentName: "Authorization"})
	unknown := v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, now, "/sv2/dir/k%20ey")
	unknown.Header.Set("Authorization", "AWS AKIAUNKNOWNKEY000000:c2ln")
	doRaw(t, env, unknown).wantErr(t, 403, s3Err{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."})

	// Policies see s3:signatureversion AWS and s3:authType REST-HEADER.
	user := azUser(t, env, env.IAM, "old-tool", azPolicy(azS{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sv2/*",
		"Condition": map[string]any{"StringEquals": map[string]string{"s3:signatureversion": "AWS", "s3:authType": "REST-HEADER"}}}))
	creds := must[aws.Credentials](t)(user.Retrieve(ctx))
	asUser := v2Request(t, env, http.MethodGet, "/sv2/dir/k%20ey", nil, nil, now, "/sv2/dir/k%20ey")
	sts := "GET\n\n\n" + asUser.Header.Get("Date") + "\n/sv2/dir/k%20ey"
	asUser.Header.Set("Authorization", "AWS "+creds.AccessKeyID+":"+base64.StdEncoding.EncodeToString(hmacSHA1([]byte(creds.SecretAccessKey), sts)))
	doRaw(t, env, asUser).want(t, 200, "")
	if _, err := env.S3Client(user).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sv2"), Key: aws.String("dir/k ey")}); httpStatus(err) != 403 {
		t.Fatalf("SigV4 GET under a SigV2-only policy: %v", err)
	}
}

// v2Form posts a browser form signed with Signature Version 2.
func v2Form(t *testing.T, env *testenv.Env, bucket string, fields map[string]string, conds []any, secret string, file []byte) rawResult {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"expiration": time.Now().Add(10 * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.WriteField("AWSAccessKeyId", testenv.RootAccessKey)
	mw.WriteField("policy", policy)
	mw.WriteField("signature", base64.StdEncoding.EncodeToString(hmacSHA1([]byte(secret), policy)))
	fw, _ := mw.CreateFormFile("file", "f.bin")
	fw.Write(file)
	mw.Close()
	r, _ := http.NewRequest(http.MethodPost, env.URL+"/"+bucket, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return doRaw(t, env, r)
}

func TestSigV2PostForm(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "form2")
	conds := []any{map[string]string{"bucket": "form2"}, []any{"starts-with", "$key", "up/"}, map[string]string{"x-amz-meta-a": "b"}}
	fields := map[string]string{"key": "up/one", "x-amz-meta-a": "b"}
	v2Form(t, env, "form2", fields, conds, testenv.RootSecretKey, []byte("form v2")).want(t, 204, "")
	if got := get(t, env.S3, "form2", "up/one"); got != "form v2" {
		t.Fatalf("stored %q", got)
	}
	v2Form(t, env, "form2", map[string]string{"key": "up/two", "x-amz-meta-a": "b"}, conds, testenv.RootSecretKey+"x", []byte("x")).
		wantErr(t, 403, s3Err{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."})
	wantNoObject(t, env.S3, "form2", "up/two")
	res := v2Form(t, env, "form2", map[string]string{"key": "up/three", "x-amz-meta-a": "b", "x-amz-meta-extra": "1"}, conds, testenv.RootSecretKey, []byte("x"))
	res.wantErr(t, 403, s3Err{Code: "AccessDenied", Message: "Invalid according to Policy: Extra input fields: x-amz-meta-extra"})
	wantNoObject(t, env.S3, "form2", "up/three")
}
