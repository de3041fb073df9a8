package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Every wait on a socket in these tests is bounded by this deadline; the
// server's own timeouts are set far below it.
const socketBound = 60 * time.Second

const awsTimeoutMessage = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."

// fakeSigV4 looks like a SigV4 Authorization header for IAM, so the request
// is neither unsigned nor authentic.
var fakeSigV4 = "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKEFAKE/20250101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + zeros64

var zeros64 = strings.Repeat("0", 64)

// dial opens a raw loopback connection to the server, bounded by
// socketBound, and closes it at the end of the test.
func dial(t *testing.T, env *testenv.Env) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(socketBound))
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

// rawResponse is one response read from a raw connection.
type rawResponse struct {
	status int
	close  bool // Connection: close
	header http.Header
	body   string
	br     *bufio.Reader
}

func readResponse(t *testing.T, c net.Conn, method string) *rawResponse {
	t.Helper()
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("response body: %v", err)
	}
	return &rawResponse{status: res.StatusCode, close: res.Close, header: res.Header, body: string(body), br: br}
}

// wantClosed checks that the server closes the connection after res.
func (res *rawResponse) wantClosed(t *testing.T) {
	t.Helper()
	if _, err := res.br.ReadByte(); err == nil {
		t.Fatal("the connection stayed open and sent more")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server did not close the connection")
	}
}

func (res *rawResponse) want(t *testing.T, status int, parts ...string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
	}
	for _, p := range parts {
		if !strings.Contains(res.body, p) {
			t.Fatalf("response lacks %q: %s", p, res.body)
		}
	}
}

// publicWriteBucket creates a bucket anyone may put objects into.
func publicWriteBucket(t *testing.T, env *testenv.Env, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::` + name + `/*"}]}`
	if _, err := env.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

// formHead is a browser form upload whose body is cut short: its headers
// claim far more than the fields sent.
func formHead(bucket string) string {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("key", "uploads/x")
	mw.WriteField("x-amz-algorithm", "AWS4-HMAC-SHA256")
	return fmt.Sprintf("POST /%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\n%s", bucket, mw.FormDataContentType(), buf.String())
}

func TestBodyTimeout(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.BodyTimeout = time.Second })
	publicWriteBucket(t, env, "open")
	if _, err := env.S3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("private")}); err != nil {
		t.Fatal(err)
	}
	query := []string{"<ErrorResponse", "<Type>Sender</Type>", "<Code>RequestTimeout</Code>", "<Message>" + awsTimeoutMessage + "</Message>"}
	s3err := []string{"<Error><Code>RequestTimeout</Code><Message>" + awsTimeoutMessage + "</Message>"}
	for _, tc := range []struct {
		name, request string
		status        int
		want          []string
	}{
		{"unsigned query", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=Get",
			http.StatusBadRequest, append(query, "https://sts.amazonaws.com/doc/2011-06-15/")},
		{"signed query", "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: " + fakeSigV4 + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=ListUsers&",
			http.StatusBadRequest, append(query, "https://iam.amazonaws.com/doc/2010-05-08/")},
		{"s3 put", "PUT /open/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhello, ", http.StatusBadRequest, s3err},
		{"s3 form upload", formHead("open"), http.StatusBadRequest, s3err},
		// Refused before the body is needed: answered at once, and the
		// connection closes instead of waiting for the rest.
		{"anonymous put to a private bucket", "PUT /private/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhello, ",
			http.StatusForbidden, []string{"<Code>AccessDenied</Code>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, env)
			send(t, c, tc.request)
			res := readResponse(t, c, "POST")
			res.want(t, tc.status, tc.want...)
			if !res.close {
				t.Error("no Connection: close")
			}
			res.wantClosed(t)
		})
	}
	// The server is still fine.
	if _, err := env.STS.GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// slowReader yields n pieces of size bytes, pausing between them: a client
// that keeps sending, slower than the body timeout in total but never
// silent for long.
type slowReader struct {
	piece []byte
	n     int
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	s.n--
	return copy(p, s.piece), nil
}

// TestTimeoutsMeasureSilence: an upload and a download that each take
// several times the timeouts go through while bytes keep moving.
func TestTimeoutsMeasureSilence(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.BodyTimeout, c.WriteTimeout = time.Second, time.Second })
	publicWriteBucket(t, env, "open")
	piece := bytes.Repeat([]byte("0123456789abcdef"), 1024)
	const pieces = 30 // 3 s at 100 ms a piece
	req, err := http.NewRequest(http.MethodPut, env.URL+"/open/slow", &slowReader{piece: piece, n: pieces, pause: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(piece) * pieces)
	res, err := env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("slow upload: %d %s", res.StatusCode, body)
	}

	// Read the object back slowly: 16 KiB every 100 ms.
	res, err = env.HTTP().Get(env.URL + "/open/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got bytes.Buffer
	buf := make([]byte, len(piece))
	for {
		n, err := io.ReadFull(res.Body, buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !bytes.Equal(got.Bytes(), bytes.Repeat(piece, pieces)) {
		t.Fatalf("slow download: %d bytes of %d", got.Len(), len(piece)*pieces)
	}
}

// TestWriteTimeout: a client that stops reading a large download is dropped.
func TestWriteTimeout(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.WriteTimeout = 500 * time.Millisecond })
	ctx := context.Background()
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	const size = 64 << 20 // far more than the socket buffers hold
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big"),
		Body: bytes.NewReader(make([]byte, size))}); err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(env.S3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{0, 3} {
		t.Run(fmt.Sprintf("after %d small answers on the connection", after), func(t *testing.T) {
			stalledDownload(t, env, pre.URL, size, after)
		})
	}
}

// stalledDownload GETs url (size bytes) on a fresh connection after
// `after` small answers on it (whose write deadlines the download's then
// starts from), stops reading, and checks that the server drops it.
func stalledDownload(t *testing.T, env *testenv.Env, url string, size int64, after int) {
	c := dial(t, env)
	br := bufio.NewReader(c)
	host := strings.TrimPrefix(env.URL, "http://")
	for i := range after {
		send(t, c, "GET /?small="+strconv.Itoa(i)+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		res, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, res.Body); err != nil || res.Close {
			t.Fatalf("small answer %d: %v (close %v)", i, err, res.Close)
		}
	}
	send(t, c, "GET "+strings.TrimPrefix(url, env.URL)+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	res, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	// Stop reading for six times the write timeout, then read what is left.
	time.Sleep(3 * time.Second)
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil || n >= size {
		t.Fatalf("a stalled reader got %d of %d bytes, error %v: the server kept writing", n, size, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server neither finished nor closed: %v", err)
	}
}

// hold starts an unsigned request that stays in its handler: a form POST
// whose body never comes.
func hold(t *testing.T, env *testenv.Env) net.Conn {
	c := dial(t, env)
	send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=")
	return c
}

// waitUnsigned waits (boundedly) until n unsigned requests are in progress.
func waitUnsigned(t *testing.T, env *testenv.Env, n int) {
	t.Helper()
	for try := 0; server.UnsignedInFlight(env.Server) != n; try++ {
		if try == 3000 {
			t.Fatalf("%d unsigned requests in progress, want %d", server.UnsignedInFlight(env.Server), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUnsignedCap(t *testing.T) {
	// Holders stay until the test closes them.
	env := testenv.New(t, func(c *config.Config) { c.MaxUnsignedRequests, c.BodyTimeout = 2, socketBound })
	ctx := context.Background()
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	holders := []net.Conn{hold(t, env), hold(t, env)}
	waitUnsigned(t, env, 2)
	c := dial(t, env)
	send(t, c, "GET /bkt/k HTTP/1.1\r\nHost: x\r\n\r\n")
	res := readResponse(t, c, "GET")
	res.want(t, http.StatusServiceUnavailable, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>")

	// A Query call is refused in its own shape, without reading its body.
	c = dial(t, env)
	send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=")
	res = readResponse(t, c, "POST")
	res.want(t, http.StatusServiceUnavailable, "<ErrorResponse", "<Type>Receiver</Type>", "<Code>ServiceUnavailable</Code>",
		"https://sts.amazonaws.com/doc/2011-06-15/")
	if !res.close {
		t.Error("the refusal does not close the connection")
	}
	// So is a browser form upload, even with an Authorization header.
	c = dial(t, env)
	send(t, c, strings.Replace(formHead("bkt"), "Host: x\r\n", "Host: x\r\nAuthorization: "+fakeSigV4+"\r\n", 1))
	readResponse(t, c, "POST").want(t, http.StatusServiceUnavailable, "<Code>SlowDown</Code>")

	// So are the federation actions with a made-up signature (their
	// caller is their token or assertion; a signature counts for nothing).
	body := "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=ss&WebIdentityToken=a.b.c"
	samlBody := "Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr" +
		"&PrincipalArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Asaml-provider%2Fp&SAMLAssertion=PHNhbWxwOlJlc3BvbnNlLz4%3D"
	for _, b := range []string{body, samlBody} {
		c = dial(t, env)
		send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: "+
			strings.Replace(fakeSigV4, "/iam/", "/sts/", 1)+"\r\nContent-Length: "+strconv.Itoa(len(b))+"\r\n\r\n"+b)
		readResponse(t, c, "POST").want(t, http.StatusServiceUnavailable, "<Code>ServiceUnavailable</Code>", "https://sts.amazonaws.com/doc/2011-06-15/")
	}

	// Signed requests are served meanwhile.
	if _, err := env.STS.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}

	// When the holders go, unsigned requests are taken again.
	for _, h := range holders {
		h.Close()
	}
	waitUnsigned(t, env, 0)
	c = dial(t, env)
	send(t, c, "GET /bkt/k HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, c, "GET").want(t, http.StatusForbidden, "<Code>AccessDenied</Code>")
	c = dial(t, env)
	send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: "+
		strings.Replace(fakeSigV4, "/iam/", "/sts/", 1)+"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	readResponse(t, c, "POST").want(t, http.StatusBadRequest, "<Code>InvalidIdentityToken</Code>")
	c = dial(t, env)
	send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: "+
		strings.Replace(fakeSigV4, "/iam/", "/sts/", 1)+"\r\nContent-Length: "+strconv.Itoa(len(samlBody))+"\r\n\r\n"+samlBody)
	readResponse(t, c, "POST").want(t, http.StatusBadRequest, "<Code>InvalidIdentityToken</Code>", "Specified provider doesn&#39;t exist.")
	waitUnsigned(t, env, 0)
}

func TestQueryBodyBudget(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.QueryBodyMemory = 1 })
	post := func(body string) *rawResponse {
		c := dial(t, env)
		send(t, c, fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			fakeSigV4, len(body), body))
		return readResponse(t, c, "POST")
	}
	// Bodies within the per-request allowance need no budget.
	if res := post("Action=ListUsers&Marker=" + strings.Repeat("m", 10<<10)); res.status == http.StatusServiceUnavailable || !strings.Contains(res.body, "<ErrorResponse") {
		t.Fatalf("small body: %d %s", res.status, res.body)
	}
	// A larger one does.
	post("Action=ListUsers&Marker="+strings.Repeat("m", 40<<10)).want(t, http.StatusServiceUnavailable,
		"https://iam.amazonaws.com/doc/2010-05-08/", "<Code>ServiceUnavailable</Code>")
	// Over 1 MiB is refused by its length, before it is read.
	c := dial(t, env)
	send(t, c, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: "+fakeSigV4+"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048577\r\n\r\nAction=")
	res := readResponse(t, c, "POST")
	res.want(t, http.StatusRequestEntityTooLarge, "<Code>RequestEntityTooLarge</Code>")
	res.wantClosed(t)
	if _, err := env.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}
