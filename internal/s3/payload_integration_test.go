package s3_test

// Integration tests of S3's payload modes: raw SigV4-signed requests built
// here (hex payload hash, UNSIGNED-PAYLOAD, the three aws-chunked streaming
// modes), flexible checksums in headers and trailers, and the SDK's
// checksum round trip. The helpers at the top (request signing, the
// aws-chunked encoder, the checksum functions) are shared by the other
// integration test files of the package.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"hash/crc64"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// randBytes returns n pseudo-random bytes, the same for the same seed.
func randBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// ---- Flexible checksums, computed independently of internal/checksum ----

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME: polynomial 0xad93d23594c93659, reflected (hash/crc64
	// takes the bit-reversed form), init and xorout all ones.
	nvme = crc64.MakeTable(0x9a6c9329ac4bc9b5)
)

func crc32Digest(b []byte) []byte { return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)) }
func crc32cDigest(b []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, castagnoli))
}
func crc64Digest(b []byte) []byte  { return binary.BigEndian.AppendUint64(nil, crc64.Checksum(b, nvme)) }
func sha1Digest(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Digest(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// digestFor returns the raw digest of data for an S3 checksum algorithm.
func digestFor(t *testing.T, alg types.ChecksumAlgorithm, data []byte) []byte {
	t.Helper()
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return crc32Digest(data)
	case types.ChecksumAlgorithmCrc32c:
		return crc32cDigest(data)
	case types.ChecksumAlgorithmCrc64nvme:
		return crc64Digest(data)
	case types.ChecksumAlgorithmSha1:
		return sha1Digest(data)
	case types.ChecksumAlgorithmSha256:
		return sha256Digest(data)
	}
	t.Fatalf("unknown algorithm %s", alg)
	return nil
}

// checksumFor is the wire value (base64 of the digest).
func checksumFor(t *testing.T, alg types.ChecksumAlgorithm, data []byte) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(digestFor(t, alg, data))
}

// TestPayloadChecksumSelfCheck pins the test's own CRC implementations to
// the catalogued check values of "123456789".
func TestPayloadChecksumSelfCheck(t *testing.T) {
	in := []byte("123456789")
	for _, c := range []struct {
		name string
		got  []byte
		want string
	}{
		{"crc32", crc32Digest(in), "cbf43926"},
		{"crc32c", crc32cDigest(in), "e3069283"},
		{"crc64nvme", crc64Digest(in), "ae8b14860a799888"},
	} {
		if hex.EncodeToString(c.got) != c.want {
			t.Errorf("%s(123456789) = %x, want %s", c.name, c.got, c.want)
		}
	}
}

// ---- SigV4 header signing of raw requests ----

func hmacHex(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// uriEncode is SigV4's encoding: unreserved bytes stay, everything else is
// %XX with upper-case hex; '/' stays unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// rawSigned carries what the aws-chunked encoder needs from the request
// signature.
type rawSigned struct {
	key            [32]byte
	seed           string
	amzDate, scope string
}

// signRaw signs r with SigV4 header authentication as the account root.
// payloadHash goes into the canonical request and, when sendHash, into
// x-amz-content-sha256. Every x-amz-* header and Content-Type, Content-MD5
// and Content-Encoding present are signed, with host.
func signRaw(r *http.Request, payloadHash string, sendHash bool) rawSigned {
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	scope := amzDate[:8] + "/" + testenv.Region + "/s3/aws4_request"
	r.Header.Set("X-Amz-Date", amzDate)
	if sendHash {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	vals := map[string]string{"host": host}
	names := []string{"host"}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || lk == "content-type" || lk == "content-md5" || lk == "content-encoding" {
			for i := range v {
				v[i] = strings.Join(strings.Fields(v[i]), " ")
			}
			names = append(names, lk)
			vals[lk] = strings.Join(v, ",")
		}
	}
	sort.Strings(names)
	var hdrs strings.Builder
	for _, n := range names {
		hdrs.WriteString(n + ":" + vals[n] + "\n")
	}
	q := r.URL.Query()
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	signed := strings.Join(names, ";")
	cr := r.Method + "\n" + uriEncode(path, false) + "\n" + strings.Join(pairs, "&") + "\n" + hdrs.String() + "\n" + signed + "\n" + payloadHash
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(cr))
	key := sigv4.DeriveKey(testenv.RootSecretKey, amzDate[:8], testenv.Region, "s3")
	seed := hmacHex(key[:], sts)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testenv.RootAccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+seed)
	return rawSigned{key: key, seed: seed, amzDate: amzDate, scope: scope}
}

// rawResult is a raw request's response, with the S3 error code if any.
type rawResult struct {
	status int
	header http.Header
	body   []byte
	code   string
}

func doRaw(t *testing.T, env *testenv.Env, r *http.Request) rawResult {
	t.Helper()
	resp, err := env.HTTP().Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	res := rawResult{status: resp.StatusCode, header: resp.Header, body: body}
	if resp.StatusCode >= 300 {
		var e struct {
			Code string `xml:"Code"`
		}
		_ = xml.Unmarshal(body, &e)
		res.code = e.Code
	}
	return res
}

func (r rawResult) want(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.code != code {
		t.Fatalf("got %d %s, want %d %s: %s", r.status, r.code, status, code, r.body)
	}
}

// objectURL is the path-style URL of an object (keys here need no escaping
// beyond what url.PathEscape does per segment).
func objectURL(env *testenv.Env, bucket, key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return env.URL + "/" + bucket + "/" + strings.Join(segs, "/")
}

// rawPut is a header-signed PUT of body with the given x-amz-content-sha256.
func rawPut(t *testing.T, env *testenv.Env, bucket, key string, body []byte, payloadHash string, hdr map[string]string) rawResult {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, objectURL(env, bucket, key), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	signRaw(r, payloadHash, payloadHash != "")
	return doRaw(t, env, r)
}

// ---- aws-chunked encoding (adapted from internal/sigv4/chunked_test.go) ----

const (
	modeSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	modeSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	modeUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// encodeChunked frames data as aws-chunked in chunks of the given size,
// signing chunks and trailer with sig when signed.
func encodeChunked(data []byte, chunk int, signed bool, sig rawSigned, trailers [][2]string) []byte {
	var b []byte
	prev := sig.seed
	frame := func(d []byte) {
		b = strconv.AppendInt(b, int64(len(d)), 16)
		if signed {
			s := hmacHex(sig.key[:], "AWS4-HMAC-SHA256-PAYLOAD\n"+sig.amzDate+"\n"+sig.scope+"\n"+prev+"\n"+sigv4.EmptySHA256+"\n"+sha256Hex(d))
			prev = s
			b = append(b, ";chunk-signature="+s...)
		}
		b = append(b, "\r\n"...)
		if len(d) > 0 {
			b = append(b, d...)
			b = append(b, "\r\n"...)
		}
	}
	for off := 0; off < len(data); off += chunk {
		frame(data[off:min(off+chunk, len(data))])
	}
	frame(nil)
	if len(trailers) > 0 {
		var canon []string
		for _, tr := range trailers {
			b = append(b, tr[0]+":"+tr[1]+"\r\n"...)
			canon = append(canon, strings.ToLower(tr[0])+":"+strings.TrimSpace(tr[1])+"\n")
		}
		if signed {
			sort.Strings(canon)
			s := hmacHex(sig.key[:], "AWS4-HMAC-SHA256-TRAILER\n"+sig.amzDate+"\n"+sig.scope+"\n"+prev+"\n"+sha256Hex([]byte(strings.Join(canon, ""))))
			b = append(b, "x-amz-trailer-signature:"+s+"\r\n"...)
		}
	}
	return append(b, "\r\n"...)
}

// chunkedPut describes one aws-chunked PUT.
type chunkedPut struct {
	mode     string
	chunk    int
	trailers [][2]string              // name, value
	tamper   func(body []byte) []byte // changes the encoded body before sending
	hdr      map[string]string
	// unknownLength sends the body with Transfer-Encoding: chunked around
	// the aws-chunked stream, as botocore does, instead of Content-Length.
	unknownLength bool
}

func (p chunkedPut) do(t *testing.T, env *testenv.Env, bucket, key string, data []byte) rawResult {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, objectURL(env, bucket, key), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	var names []string
	for _, tr := range p.trailers {
		names = append(names, tr[0])
	}
	if len(names) > 0 {
		r.Header.Set("X-Amz-Trailer", strings.Join(names, ","))
	}
	for k, v := range p.hdr {
		r.Header.Set(k, v)
	}
	sig := signRaw(r, p.mode, true)
	signed, _, _ := sigv4.StreamMode(p.mode)
	body := encodeChunked(data, p.chunk, signed, sig, p.trailers)
	if p.tamper != nil {
		body = p.tamper(body)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if p.unknownLength {
		r.ContentLength = -1
	}
	return doRaw(t, env, r)
}

// flipChunkSignature changes one hex digit of the n-th (0-based) chunk
// signature of an encoded body.
func flipChunkSignature(n int) func([]byte) []byte {
	return func(b []byte) []byte {
		off := 0
		for i := 0; i <= n; i++ {
			j := bytes.Index(b[off:], []byte("chunk-signature="))
			if j < 0 {
				panic("no chunk signature " + strconv.Itoa(n))
			}
			off += j + len("chunk-signature=")
		}
		flipHex(b, off+10)
		return b
	}
}

// flipHex replaces the hex digit at b[i] by another hex digit.
func flipHex(b []byte, i int) {
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
}

// wantNoObject checks that a failed PUT left nothing behind.
func wantNoObject(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadObject %s/%s after a failed PUT: want 404, got %v", bucket, key, err)
	}
}

// getBytes reads an object whole.
func getBytes(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	return []byte(get(t, c, bucket, key))
}

// ---- Tests ----

func TestPayloadStreamingSigned(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "stream")
	data := randBytes(10, 1<<20)
	res := chunkedPut{mode: modeSigned, chunk: 64 << 10, hdr: map[string]string{"Content-Type": "application/x-test"}}.
		do(t, env, "stream", "signed.bin", data)
	res.want(t, http.StatusOK, "")
	if got, want := res.header.Get("ETag"), `"`+md5hex(string(data))+`"`; got != want {
		t.Fatalf("ETag = %s, want %s", got, want)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stream"), Key: aws.String("signed.bin")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("stored %d bytes differ from the 1 MiB sent", len(got))
	}
	// aws-chunked describes the request framing, not the object.
	if aws.ToString(out.ContentEncoding) != "" || aws.ToString(out.ContentType) != "application/x-test" || aws.ToInt64(out.ContentLength) != int64(len(data)) {
		t.Fatalf("GET: Content-Encoding %q, Content-Type %q, Content-Length %d", aws.ToString(out.ContentEncoding), aws.ToString(out.ContentType), aws.ToInt64(out.ContentLength))
	}

	t.Run("TransferEncodingChunked", func(t *testing.T) {
		res := chunkedPut{mode: modeSigned, chunk: 64 << 10, unknownLength: true}.do(t, env, "stream", "te.bin", data)
		res.want(t, http.StatusOK, "")
		if !bytes.Equal(getBytes(t, c, "stream", "te.bin"), data) {
			t.Fatal("stored bytes differ")
		}
	})
	t.Run("FlippedChunkSignature", func(t *testing.T) {
		for _, n := range []int{0, 7, 15, 16} { // first, middle, last data chunk, final empty chunk
			key := "flipped-" + strconv.Itoa(n)
			res := chunkedPut{mode: modeSigned, chunk: 64 << 10, tamper: flipChunkSignature(n)}.do(t, env, "stream", key, data)
			res.want(t, http.StatusForbidden, "SignatureDoesNotMatch")
			wantNoObject(t, c, "stream", key)
		}
	})
	t.Run("FlippedSignatureDoesNotReplace", func(t *testing.T) {
		res := chunkedPut{mode: modeSigned, chunk: 64 << 10, tamper: flipChunkSignature(3)}.do(t, env, "stream", "signed.bin", randBytes(11, 1<<20))
		res.want(t, http.StatusForbidden, "SignatureDoesNotMatch")
		if !bytes.Equal(getBytes(t, c, "stream", "signed.bin"), data) {
			t.Fatal("a rejected PUT changed the existing object")
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		for i, cut := range []func([]byte) []byte{
			func(b []byte) []byte { return b[:len(b)/2] },                                              // inside a chunk's data
			func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("\r\n0;chunk-signature"))+2] }, // no final chunk
		} {
			key := "truncated-" + strconv.Itoa(i)
			res := chunkedPut{mode: modeSigned, chunk: 64 << 10, tamper: cut}.do(t, env, "stream", key, data)
			if res.status != http.StatusBadRequest || res.code != "IncompleteBody" {
				t.Errorf("truncated body %d: got %d %s, want 400 IncompleteBody", i, res.status, res.code)
			}
			wantNoObject(t, c, "stream", key)
		}
	})
	t.Run("DecodedLengthMismatch", func(t *testing.T) {
		res := chunkedPut{mode: modeSigned, chunk: 64 << 10, hdr: map[string]string{"X-Amz-Decoded-Content-Length": strconv.Itoa(len(data) + 1)}}.
			do(t, env, "stream", "short.bin", data)
		if res.status != http.StatusBadRequest {
			t.Fatalf("decoded length one more than sent: got %d %s, want 400", res.status, res.code)
		}
		wantNoObject(t, c, "stream", "short.bin")
	})
}

func TestPayloadStreamingTrailer(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "trailer")
	data := randBytes(20, 300<<10+17)
	crc := checksumFor(t, types.ChecksumAlgorithmCrc32, data)
	put := chunkedPut{mode: modeSignedTrailer, chunk: 64 << 10, trailers: [][2]string{{"x-amz-checksum-crc32", crc}}}
	res := put.do(t, env, "trailer", "ok.bin", data)
	res.want(t, http.StatusOK, "")
	if got := res.header.Get("x-amz-checksum-crc32"); got != crc {
		t.Fatalf("PUT x-amz-checksum-crc32 = %q, want %q", got, crc)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trailer"), Key: aws.String("ok.bin"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, data) || aws.ToString(out.ChecksumCRC32) != crc {
		t.Fatalf("GET: %d bytes (equal %v), ChecksumCRC32 %q, want %q", len(got), bytes.Equal(got, data), aws.ToString(out.ChecksumCRC32), crc)
	}

	t.Run("WrongChecksum", func(t *testing.T) {
		bad := checksumFor(t, types.ChecksumAlgorithmCrc32, []byte("other bytes"))
		res := chunkedPut{mode: modeSignedTrailer, chunk: 64 << 10, trailers: [][2]string{{"x-amz-checksum-crc32", bad}}}.do(t, env, "trailer", "bad.bin", data)
		res.want(t, http.StatusBadRequest, "BadDigest")
		wantNoObject(t, c, "trailer", "bad.bin")
	})
	t.Run("TamperedTrailerSignature", func(t *testing.T) {
		tamper := func(b []byte) []byte {
			flipHex(b, bytes.Index(b, []byte("x-amz-trailer-signature:"))+len("x-amz-trailer-signature:")+5)
			return b
		}
		res := chunkedPut{mode: modeSignedTrailer, chunk: 64 << 10, trailers: put.trailers, tamper: tamper}.do(t, env, "trailer", "tsig.bin", data)
		res.want(t, http.StatusForbidden, "SignatureDoesNotMatch")
		wantNoObject(t, c, "trailer", "tsig.bin")
	})
	t.Run("UnsignedTrailerCRC32C", func(t *testing.T) {
		crcc := checksumFor(t, types.ChecksumAlgorithmCrc32c, data)
		res := chunkedPut{mode: modeUnsignedTrailer, chunk: 64 << 10, trailers: [][2]string{{"x-amz-checksum-crc32c", crcc}},
			hdr: map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "CRC32C"}}.do(t, env, "trailer", "unsigned.bin", data)
		res.want(t, http.StatusOK, "")
		if got := res.header.Get("x-amz-checksum-crc32c"); got != crcc {
			t.Fatalf("PUT x-amz-checksum-crc32c = %q, want %q", got, crcc)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trailer"), Key: aws.String("unsigned.bin"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ChecksumCRC32C) != crcc || aws.ToInt64(head.ContentLength) != int64(len(data)) {
			t.Fatalf("HEAD: ChecksumCRC32C %q, want %q; length %d", aws.ToString(head.ChecksumCRC32C), crcc, aws.ToInt64(head.ContentLength))
		}
		if !bytes.Equal(getBytes(t, c, "trailer", "unsigned.bin"), data) {
			t.Fatal("stored bytes differ")
		}
	})
	t.Run("UnsignedTrailerWrongCRC32C", func(t *testing.T) {
		bad := checksumFor(t, types.ChecksumAlgorithmCrc32c, data[1:])
		res := chunkedPut{mode: modeUnsignedTrailer, chunk: 64 << 10, trailers: [][2]string{{"x-amz-checksum-crc32c", bad}}}.do(t, env, "trailer", "unsigned-bad.bin", data)
		res.want(t, http.StatusBadRequest, "BadDigest")
		wantNoObject(t, c, "trailer", "unsigned-bad.bin")
	})
	t.Run("UnsignedTruncated", func(t *testing.T) {
		crcc := checksumFor(t, types.ChecksumAlgorithmCrc32c, data)
		res := chunkedPut{mode: modeUnsignedTrailer, chunk: 64 << 10, trailers: [][2]string{{"x-amz-checksum-crc32c", crcc}},
			tamper: func(b []byte) []byte { return b[:len(b)-200<<10] }}.do(t, env, "trailer", "unsigned-cut.bin", data)
		res.want(t, http.StatusBadRequest, "IncompleteBody")
		wantNoObject(t, c, "trailer", "unsigned-cut.bin")
	})
}

func TestPayloadHexSHA256(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "hex")
	body := []byte("the quick brown fox")
	rawPut(t, env, "hex", "good", body, sha256Hex(body), nil).want(t, http.StatusOK, "")
	if got := get(t, c, "hex", "good"); got != string(body) {
		t.Fatalf("stored %q", got)
	}
	res := rawPut(t, env, "hex", "mismatch", body, sha256Hex([]byte("something else")), nil)
	res.want(t, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
	wantNoObject(t, c, "hex", "mismatch")
	// Replacing an object with a mismatching body keeps the old one.
	res = rawPut(t, env, "hex", "good", []byte("tampered"), sha256Hex(body), nil)
	res.want(t, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
	if got := get(t, c, "hex", "good"); got != string(body) {
		t.Fatalf("object after a rejected PUT: %q", got)
	}
}

func TestPayloadUnsignedPayload(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "unsigned")
	body := randBytes(30, 100<<10)
	res := rawPut(t, env, "unsigned", "u.bin", body, sigv4.UnsignedPayload, nil)
	res.want(t, http.StatusOK, "")
	if got, want := res.header.Get("ETag"), `"`+md5hex(string(body))+`"`; got != want {
		t.Fatalf("ETag = %s, want %s", got, want)
	}
	if !bytes.Equal(getBytes(t, c, "unsigned", "u.bin"), body) {
		t.Fatal("stored bytes differ")
	}
}

func TestPayloadMissingContentSHA256(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "nohash")
	res := rawPut(t, env, "nohash", "k", []byte("data"), "", nil)
	res.want(t, http.StatusBadRequest, "InvalidRequest")
	wantNoObject(t, env.S3, "nohash", "k")
}

func TestPayloadChecksumHeader(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "ckhdr")
	body := []byte("checksummed body")
	good := checksumFor(t, types.ChecksumAlgorithmSha256, body)
	res := rawPut(t, env, "ckhdr", "good", body, sha256Hex(body), map[string]string{"x-amz-checksum-sha256": good})
	res.want(t, http.StatusOK, "")
	if got := res.header.Get("x-amz-checksum-sha256"); got != good {
		t.Fatalf("x-amz-checksum-sha256 = %q, want %q", got, good)
	}
	bad := checksumFor(t, types.ChecksumAlgorithmSha256, []byte("other"))
	for _, mode := range []string{sha256Hex(body), sigv4.UnsignedPayload} {
		res = rawPut(t, env, "ckhdr", "bad", body, mode, map[string]string{"x-amz-checksum-sha256": bad})
		res.want(t, http.StatusBadRequest, "BadDigest")
		wantNoObject(t, c, "ckhdr", "bad")
	}
	// Through the SDK: an explicit wrong value is sent as it is.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ckhdr"), Key: aws.String("sdk-bad"), Body: bytes.NewReader(body), ChecksumSHA256: aws.String(bad)})
	wantCode(t, err, "BadDigest")
	wantNoObject(t, c, "ckhdr", "sdk-bad")
	// Two algorithms' headers: S3's InvalidRequest and its message.
	crc := checksumFor(t, types.ChecksumAlgorithmCrc32, body)
	res = rawPut(t, env, "ckhdr", "two", body, sha256Hex(body), map[string]string{"x-amz-checksum-sha256": good, "x-amz-checksum-crc32": crc})
	res.want(t, http.StatusBadRequest, "InvalidRequest")
	if msg := "<Message>Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.</Message>"; !bytes.Contains(res.body, []byte(msg)) {
		t.Fatalf("two checksum headers: body %s, want %s", res.body, msg)
	}
	wantNoObject(t, c, "ckhdr", "two")
}

func TestPayloadSDKChecksums(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "sdkck")
	data := randBytes(40, 1<<20+3)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		t.Run(string(alg), func(t *testing.T) {
			want := checksumFor(t, alg, data)
			key := "obj-" + string(alg)
			pick := func(crc32, crc32c, crc64, sha1, sha256 *string) string {
				return aws.ToString(map[types.ChecksumAlgorithm]*string{types.ChecksumAlgorithmCrc32: crc32, types.ChecksumAlgorithmCrc32c: crc32c,
					types.ChecksumAlgorithmCrc64nvme: crc64, types.ChecksumAlgorithmSha1: sha1, types.ChecksumAlgorithmSha256: sha256}[alg])
			}
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdkck"), Key: aws.String(key), Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			if got := pick(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
				t.Fatalf("PutObject checksum = %q, want %q", got, want)
			}
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdkck"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(g.Body) // the SDK validates the checksum while reading
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, data) {
				t.Fatal("GET bytes differ")
			}
			if got := pick(g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got != want {
				t.Fatalf("GetObject checksum = %q, want %q", got, want)
			}
			if g.ChecksumType != types.ChecksumTypeFullObject {
				t.Fatalf("GetObject ChecksumType = %q", g.ChecksumType)
			}
			// Without checksum mode no checksum is returned.
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sdkck"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			if got := pick(h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256); got != "" {
				t.Fatalf("HeadObject without checksum mode returned %q", got)
			}
		})
	}
}
