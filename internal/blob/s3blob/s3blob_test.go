package s3blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/blobtest"
	"github.com/gatehouse/gatehouse/internal/blob/bloburl"
	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
)

// openOn returns an opener of empty stores: each case gets its own prefix
// of one bucket, next to an object outside the prefix and one inside it
// that is no blob, which Walk must skip.
func openOn(t *testing.T, m *s3blobtest.Moto, opt Options) blobtest.Opener {
	bucket := m.Bucket(t)
	put := func(name string) {
		if _, err := m.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &name, Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	put("outside/00000000000000000000000000000000")
	var n atomic.Int64
	return func(tb testing.TB) blob.Store {
		prefix := fmt.Sprintf("case-%d/", n.Add(1))
		put(prefix + "not-a-blob")
		o := opt
		o.Client, o.Bucket, o.Prefix = m.Client, bucket, prefix
		s, err := New(o)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
}

func TestConformanceOnMoto(t *testing.T) {
	m := s3blobtest.Start(t)
	t.Run("Defaults", func(t *testing.T) { blobtest.Run(t, openOn(t, m, Options{})) })
	// Every blob past 5 MiB takes the multipart path.
	t.Run("SmallParts", func(t *testing.T) {
		blobtest.Run(t, openOn(t, m, Options{SinglePutMax: 5 << 20, PartSize: 5 << 20}))
	})
	t.Run("Dial", func(t *testing.T) {
		bucket := m.Bucket(t)
		s, err := Open(context.Background(), m.URL(bucket, "through/dial"))
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Put(context.Background(), strings.NewReader("hello"), 5)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("through/dial/" + info.Key)}); err != nil {
			t.Fatalf("the blob is not under the prefix: %v", err)
		}
		// One PutObject: the ETag is the bytes' MD5.
		obj, err := s.Open(context.Background(), info.Key)
		if err != nil {
			t.Fatal(err)
		}
		if sum, ok := obj.(*object).ContentMD5(); !ok || sum != info.MD5 {
			t.Fatalf("ContentMD5 %x, %v; the bytes' MD5 is %x", sum, ok, info.MD5)
		}
		obj.Close()
		if _, err := Open(context.Background(), m.URL("gh-no-such-bucket", "")); err == nil {
			t.Fatal("Dial of a missing bucket succeeded")
		}
	})
	t.Run("MultipartBoundedMemory", func(t *testing.T) { testMultipart(t, m) })
	t.Run("FailedPutLeavesNothingUpstream", func(t *testing.T) { testFailedPut(t, m) })
	t.Run("CleanTempAbortsCrashedUploads", func(t *testing.T) { testCleanTemp(t, m) })
}

// testCleanTemp: the multipart uploads a crashed node left under the
// prefix are aborted once older than the cutoff; others are left alone.
func testCleanTemp(t *testing.T, m *s3blobtest.Moto) {
	ctx := context.Background()
	bucket := m.Bucket(t)
	s, err := New(Options{Client: m.Client, Bucket: bucket, Prefix: "p/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"p/0123456789abcdef0123456789abcdef", "p/not-a-blob", "elsewhere/0123456789abcdef0123456789abcdef"} {
		if _, err := m.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// (moto reports every upload as initiated in 2010, so the age cutoff
	// is tested against a fake upstream: TestCleanTempSparesYoungUploads.)
	if n, err := s.CleanTemp(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("CleanTemp: aborted %d, %v; want the 1 blob upload under the prefix", n, err)
	}
	ups, err := m.Client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 2 {
		t.Fatalf("%d uploads left, want the 2 that are not this store's blobs", len(ups.Uploads))
	}
}

// generated yields n bytes of a pattern without holding them.
type generated struct{ n, off int64 }

func (g *generated) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n-g.off)]
	for i := range p {
		p[i] = byte((g.off + int64(i)) * 31 >> 3)
	}
	g.off += int64(len(p))
	return len(p), nil
}

func digest(n int64) ([16]byte, []byte) {
	m, s := md5.New(), sha256.New()
	io.Copy(io.MultiWriter(m, s), &generated{n: n})
	var sum [16]byte
	copy(sum[:], m.Sum(nil))
	return sum, s.Sum(nil)
}

// testMultipart: a blob of 8 parts, size declared and not, is uploaded
// with at most two part buffers in use and reads back whole and in
// ranges.
func testMultipart(t *testing.T, m *s3blobtest.Moto) {
	ctx := context.Background()
	bucket := m.Bucket(t)
	s, err := New(Options{Client: m.Client, Bucket: bucket, Prefix: "mp/", SinglePutMax: 5 << 20, PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	const size = 40<<20 - 123
	wantMD5, wantSHA := digest(size)
	for _, declared := range []int64{size, blob.UnknownSize} {
		sh := sha256.New()
		info, err := s.Put(ctx, &generated{n: size}, declared, sh)
		if err != nil {
			t.Fatalf("Put (declared %d): %v", declared, err)
		}
		if info.Size != size || info.MD5 != wantMD5 || !bytes.Equal(sh.Sum(nil), wantSHA) {
			t.Fatalf("Put (declared %d): %+v", declared, info)
		}
		if peak := s.bufsPeak.Load(); peak > 2 {
			t.Fatalf("%d part buffers were in use at once, want at most 2", peak)
		}
		if live := s.bufsLive.Load(); live != 0 {
			t.Fatalf("%d part buffers not given back", live)
		}
		head, err := m.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("mp/" + info.Key)})
		if err != nil {
			t.Fatal(err)
		}
		if etag := aws.ToString(head.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-8") {
			t.Fatalf("upstream ETag %s: not an 8-part multipart object", etag)
		}
		obj, err := s.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		if sum, ok := obj.(*object).ContentMD5(); ok {
			t.Fatalf("ContentMD5 of a multipart object: %x", sum)
		}
		got := sha256.New()
		if n, err := obj.(blob.RangeWriter).WriteRange(ctx, got, 0, size); err != nil || n != size || !bytes.Equal(got.Sum(nil), wantSHA) {
			t.Fatalf("WriteRange of the whole: %d, %v", n, err)
		}
		got.Reset()
		if _, err := io.Copy(got, io.NewSectionReader(obj, 0, size)); err != nil || !bytes.Equal(got.Sum(nil), wantSHA) {
			t.Fatalf("sequential ReadAt: %v", err)
		}
		obj.Close()
	}
}

// testFailedPut: a Put whose reader fails or whose context is cancelled
// leaves no object and no multipart upload upstream, on both paths.
func testFailedPut(t *testing.T, m *s3blobtest.Moto) {
	bucket := m.Bucket(t)
	s, err := New(Options{Client: m.Client, Bucket: bucket, SinglePutMax: 5 << 20, PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, declared := range []int64{4 << 20, 30 << 20, blob.UnknownSize} {
		ctx, cancel := context.WithCancel(context.Background())
		r := io.MultiReader(&generated{n: 3 << 20}, &generated{n: 12 << 20}, cancelling{cancel})
		if _, err := s.Put(ctx, r, declared); err == nil {
			t.Fatalf("a cancelled Put (declared %d) succeeded", declared)
		}
		cancel()
		before := int64(12 << 20) // past two parts: the upload has begun
		if declared >= 0 && declared < before {
			before = declared - 1<<20
		}
		r = io.MultiReader(&generated{n: before}, failing{})
		if _, err := s.Put(context.Background(), r, declared); err == nil || !strings.Contains(err.Error(), "client went away") {
			t.Fatalf("a failed Put (declared %d): %v, want the source's error", declared, err)
		}
	}
	// A body shorter or longer than declared, past the single put.
	if _, err := s.Put(context.Background(), &generated{n: 12 << 20}, 13<<20); !errors.Is(err, blob.ErrSizeMismatch) {
		t.Fatalf("short body: %v", err)
	}
	if _, err := s.Put(context.Background(), &generated{n: 12 << 20}, 11<<20); !errors.Is(err, blob.ErrSizeMismatch) {
		t.Fatalf("long body: %v", err)
	}
	var n int
	if err := s.Walk(context.Background(), func(string, time.Time) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("Walk after failed puts: %d blobs, %v", n, err)
	}
	list, err := m.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil || len(list.Contents) != 0 {
		t.Fatalf("upstream objects after failed puts: %v", err)
	}
	ups, err := m.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Fatalf("%d multipart uploads left in progress upstream", len(ups.Uploads))
	}
	if live := s.bufsLive.Load(); live != 0 {
		t.Fatalf("%d part buffers not given back", live)
	}
}

type cancelling struct{ cancel context.CancelFunc }

func (c cancelling) Read(p []byte) (int, error) { c.cancel(); return len(p), nil }

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("client went away") }

// fakeUpstream answers every request with status and an S3 error code.
func fakeUpstream(t *testing.T, status int, code string) (*httptest.Server, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>no</Message><RequestId>r1</RequestId></Error>`, code)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// credentialsFile writes a shared credentials file holding secret.
func credentialsFile(t *testing.T, secret string) string {
	p := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(p, []byte("[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUpstreamUnavailable(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		status int
		code   string
	}{{503, "SlowDown"}, {503, "ServiceUnavailable"}, {429, "TooManyRequests"}} {
		srv, calls := fakeUpstream(t, c.status, c.code)
		loc := &bloburl.S3{Bucket: "bucket", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true,
			CredentialsFile: credentialsFile(t, "SECRETsecretSECRETsecretSECRETsecret0000")}
		if _, err := Dial(ctx, loc); !errors.Is(err, blob.ErrUnavailable) {
			t.Fatalf("%d %s: Dial: %v, want ErrUnavailable", c.status, c.code, err)
		}
		client, err := newClient(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		client = s3.New(client.Options(), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
		s, err := New(Options{Client: client, Bucket: "bucket"})
		if err != nil {
			t.Fatal(err)
		}
		for name, op := range map[string]func() error{
			"Put":       func() error { _, err := s.Put(ctx, strings.NewReader("abc"), 3); return err },
			"Put large": func() error { _, err := s.Put(ctx, &generated{n: 20 << 20}, 20<<20); return err },
			"Put unknown size": func() error {
				_, err := s.Put(ctx, &generated{n: 1 << 10}, blob.UnknownSize)
				return err
			},
			"Open":   func() error { _, err := s.Open(ctx, "00000000000000000000000000000000"); return err },
			"Delete": func() error { return s.Delete(ctx, "00000000000000000000000000000000") },
			"Walk":   func() error { return s.Walk(ctx, func(string, time.Time) error { return nil }) },
		} {
			if err := op(); !errors.Is(err, blob.ErrUnavailable) {
				t.Errorf("%d %s: %s: %v, want blob.ErrUnavailable", c.status, c.code, name, err)
			}
		}
		if calls.Load() == 0 {
			t.Fatal("the fake upstream was never called")
		}
	}
}

func TestUpstreamFailureNamesOperationNotSecret(t *testing.T) {
	ctx := context.Background()
	const secret = "SECRETsecretSECRETsecretSECRETsecret0000"
	srv, _ := fakeUpstream(t, 403, "AccessDenied")
	loc := &bloburl.S3{Bucket: "bucket", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true, CredentialsFile: credentialsFile(t, secret)}
	_, err := Dial(ctx, loc)
	if err == nil || errors.Is(err, blob.ErrUnavailable) || !strings.Contains(err.Error(), "HeadBucket") || strings.Contains(err.Error(), secret) {
		t.Fatalf("Dial against a 403: %v", err)
	}
	client, err := newClient(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := New(Options{Client: client, Bucket: "bucket"})
	_, err = s.Put(ctx, strings.NewReader("abc"), 3)
	if err == nil || !strings.Contains(err.Error(), "PutObject") || !strings.Contains(err.Error(), "AccessDenied") || strings.Contains(err.Error(), secret) {
		t.Fatalf("Put against a 403: %v", err)
	}
}

func TestUnreachableUpstreamIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	loc := &bloburl.S3{Bucket: "bucket", Endpoint: url, Region: "us-east-1", PathStyle: true, CredentialsFile: credentialsFile(t, "x")}
	client, err := newClient(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	client = s3.New(client.Options(), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	s, _ := New(Options{Client: client, Bucket: "bucket"})
	if _, err := s.Open(context.Background(), "00000000000000000000000000000000"); !errors.Is(err, blob.ErrUnavailable) {
		t.Fatalf("Open against a closed port: %v", err)
	}
}

// flakyUpstream serves one object of data whose first GET breaks off
// halfway (the connection is cut), as a proxy or an overloaded upstream
// may do.
func flakyUpstream(t *testing.T, data []byte) (*httptest.Server, *atomic.Int64) {
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"e1"`)
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			return
		}
		var lo, hi int
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &lo, &hi); err != nil {
			t.Errorf("GET without a range: %q", r.Header.Get("Range"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		part := data[lo : hi+1]
		w.Header().Set("Content-Length", fmt.Sprint(len(part)))
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", lo, hi, len(data)))
		w.WriteHeader(http.StatusPartialContent)
		if gets.Add(1) == 1 && len(part) > 1 {
			w.Write(part[:len(part)/2])
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.Write(part)
	}))
	t.Cleanup(srv.Close)
	return srv, &gets
}

func TestBrokenGETIsResumed(t *testing.T) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 256<<10/16*5) // 1.25 MiB
	for _, how := range []string{"WriteRange", "ReadAt"} {
		srv, gets := flakyUpstream(t, data)
		client, err := newClient(ctx, &bloburl.S3{Bucket: "bucket", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true, CredentialsFile: credentialsFile(t, "x")})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := New(Options{Client: client, Bucket: "bucket"})
		obj, err := s.Open(ctx, "0123456789abcdef0123456789abcdef")
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if how == "WriteRange" {
			_, err = obj.(blob.RangeWriter).WriteRange(ctx, &got, 0, int64(len(data)))
		} else {
			_, err = io.CopyBuffer(&got, io.NewSectionReader(obj, 0, obj.Size()), make([]byte, 300<<10))
		}
		obj.Close()
		if err != nil || !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("%s over a GET that broke off: %d bytes, %v", how, got.Len(), err)
		}
		if gets.Load() < 2 {
			t.Fatalf("%s: %d GETs, want a resumed one", how, gets.Load())
		}
	}
}

// TestCleanTempSparesYoungUploads: only uploads initiated before the
// cutoff are aborted, across pages of the listing.
func TestCleanTempSparesYoungUploads(t *testing.T) {
	now := time.Now().UTC()
	old, young := now.Add(-2*time.Hour).Format(time.RFC3339), now.Format(time.RFC3339)
	pages := []string{
		`<Upload><Key>p/0123456789abcdef0123456789abcdef</Key><UploadId>old1</UploadId><Initiated>` + old + `</Initiated></Upload>` +
			`<Upload><Key>p/11111111111111111111111111111111</Key><UploadId>young1</UploadId><Initiated>` + young + `</Initiated></Upload>` +
			`<IsTruncated>true</IsTruncated><NextKeyMarker>p/11111111111111111111111111111111</NextKeyMarker><NextUploadIdMarker>young1</NextUploadIdMarker>`,
		`<Upload><Key>p/22222222222222222222222222222222</Key><UploadId>old2</UploadId><Initiated>` + old + `</Initiated></Upload><IsTruncated>false</IsTruncated>`,
	}
	var aborted []string
	var lists atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Has("uploads"):
			i := lists.Add(1) - 1
			if i == 1 && r.URL.Query().Get("key-marker") != "p/11111111111111111111111111111111" {
				t.Errorf("second page asked without the marker: %s", r.URL.RawQuery)
			}
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>bucket</Bucket>%s</ListMultipartUploadsResult>`, pages[min(i, 1)])
		case r.Method == http.MethodDelete:
			aborted = append(aborted, r.URL.Query().Get("uploadId"))
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	client, err := newClient(context.Background(), &bloburl.S3{Bucket: "bucket", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true, CredentialsFile: credentialsFile(t, "x")})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := New(Options{Client: client, Bucket: "bucket", Prefix: "p/"})
	n, err := s.CleanTemp(context.Background(), now.Add(-time.Hour))
	if err != nil || n != 2 || strings.Join(aborted, ",") != "old1,old2" {
		t.Fatalf("CleanTemp: %d, %v, aborted %v; want old1 and old2", n, err, aborted)
	}
}
