package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// Vector D of the reference (shared/reference/sigv4.md §9).
const (
	vecDSeed     = "7d4dd79c2e855cc35c6fee4fa8ba98944cada1b951081fc926671d71af34ee00"
	vecDChunkSig = "557d9583c8fbba15cf5d8e0e29396e2dabe08afbdfd051c12798c85516cce43e"
	vecDFinalSig = "de808aeca00b88a6e28aed4b418f61a8728edbbcc7f2a2097cc0b9d7b66b2f26"
	vecDTrailSig = "287d8e5490f23ded33ef781a96a3ae8a74b2ba345f5d54e6ab090a07f169e520"
	vecDDate     = "20250102T030405Z"
	vecDScope    = "20250102/us-east-1/s3/aws4_request"
	vecDKeyHex   = "69cf5d2a1d09f8bbcaef93952aa5b614e51924512190e6ee9dc2e96d0be0731f"
	vecDBody     = "14;chunk-signature=" + vecDChunkSig + "\r\naaaaaaaaaaaaaaaaaaaa\r\n" +
		"0;chunk-signature=" + vecDFinalSig + "\r\n" +
		"x-amz-checksum-crc32:Jm+Lzg==\r\n" +
		"x-amz-trailer-signature:" + vecDTrailSig + "\r\n\r\n"
)

func vecDKey() [32]byte { return DeriveKey(vecSecret, "20250102", "us-east-1", "s3") }

// chunkEnc encodes aws-chunked bodies, independently of the decoder.
type chunkEnc struct {
	signed, trailer      bool
	key                  [32]byte
	seed, amzDate, scope string
	chunk                int         // data bytes per chunk
	trailers             [][2]string // name, value as sent
}

// chunkRegion is a span of an encoded body: "data", "sig" (a chunk signature),
// "tval" (a trailer value) or "tsig" (the trailer signature).
type chunkRegion struct {
	kind       string
	start, end int
}

type chunkEncoded struct {
	body    []byte
	regions []chunkRegion
	frames  [][2]int // [start, end) of each chunk frame, the final one last
}

func testHMACHex(key [32]byte, msg string) string {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func (e chunkEnc) encode(data []byte) chunkEncoded {
	var out chunkEncoded
	b := []byte{}
	prev := e.seed
	mark := func(kind string, s string) {
		out.regions = append(out.regions, chunkRegion{kind, len(b), len(b) + len(s)})
		b = append(b, s...)
	}
	frame := func(d []byte) {
		start := len(b)
		b = strconv.AppendInt(b, int64(len(d)), 16)
		if e.signed {
			sig := testHMACHex(e.key, "AWS4-HMAC-SHA256-PAYLOAD\n"+e.amzDate+"\n"+e.scope+"\n"+prev+"\n"+EmptySHA256+"\n"+sha256Hex(d))
			prev = sig
			b = append(b, ";chunk-signature="...)
			mark("sig", sig)
		}
		b = append(b, "\r\n"...)
		if len(d) > 0 {
			mark("data", string(d))
			b = append(b, "\r\n"...)
		}
		out.frames = append(out.frames, [2]int{start, len(b)})
	}
	for off := 0; off < len(data); off += e.chunk {
		frame(data[off:min(off+e.chunk, len(data))])
	}
	frame(nil)
	if e.trailer {
		var canon []string
		for _, t := range e.trailers {
			b = append(b, t[0]+":"...)
			mark("tval", t[1])
			b = append(b, "\r\n"...)
			canon = append(canon, strings.ToLower(t[0])+":"+strings.TrimSpace(t[1])+"\n")
		}
		if e.signed {
			// Sorted by name (not by whole line: "t1" < "t10" though "t10:" < "t1:").
			slices.SortFunc(canon, func(a, b string) int {
				return strings.Compare(a[:strings.IndexByte(a, ':')], b[:strings.IndexByte(b, ':')])
			})
			sig := testHMACHex(e.key, "AWS4-HMAC-SHA256-TRAILER\n"+e.amzDate+"\n"+e.scope+"\n"+prev+"\n"+sha256Hex([]byte(strings.Join(canon, ""))))
			b = append(b, "x-amz-trailer-signature:"...)
			mark("tsig", sig)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	out.body = b
	return out
}

// opts returns matching StreamOptions, declaring the encoder's trailers.
func (e chunkEnc) opts(decodedLength int64) StreamOptions {
	o := StreamOptions{Signed: e.signed, Trailer: e.trailer, DecodedLength: decodedLength}
	if e.signed {
		o.Key, o.SeedSignature, o.AmzDate, o.Scope = e.key, e.seed, e.amzDate, e.scope
	}
	for _, t := range e.trailers {
		o.Trailers = append(o.Trailers, strings.ToLower(t[0]))
	}
	return o
}

func chunkCRC32(data []byte) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(data))
	return base64.StdEncoding.EncodeToString(b[:])
}

var chunkModes = []struct {
	name            string
	signed, trailer bool
	payloadHash     string
}{
	{"signed", true, false, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
	{"signed-trailer", true, true, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
	{"unsigned-trailer", false, true, "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
}

// newEnc returns an encoder for a mode with vector D's key, seed, date and
// scope, and a CRC32 trailer in the trailer modes.
func newChunkEnc(signed, trailer bool, chunk int, data []byte) chunkEnc {
	e := chunkEnc{signed: signed, trailer: trailer, key: vecDKey(), seed: vecDSeed, amzDate: vecDDate, scope: vecDScope, chunk: chunk}
	if trailer {
		e.trailers = [][2]string{{"x-amz-checksum-crc32", chunkCRC32(data)}}
	}
	return e
}

// decodeAll reads r through a StreamReader with a buffer of bufSize.
func decodeStream(t testing.TB, body io.Reader, o StreamOptions, bufSize int) ([]byte, map[string]string, error) {
	t.Helper()
	sr := NewStreamReader(body, o)
	var out []byte
	buf := make([]byte, bufSize)
	zero := 0
	for {
		n, err := sr.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, sr.Trailers(), nil
		}
		if err != nil {
			if n2, err2 := sr.Read(buf); n2 != 0 || err2 != err {
				t.Fatalf("error is not sticky: %v then %d, %v", err, n2, err2)
			}
			return out, nil, err
		}
		if n == 0 {
			if zero++; zero > 100 {
				t.Fatal("Read makes no progress")
			}
		}
	}
}

func TestStreamMode(t *testing.T) {
	for _, c := range []struct {
		in                  string
		signed, trailer, ok bool
	}{
		{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", true, false, true},
		{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", true, true, true},
		{"STREAMING-UNSIGNED-PAYLOAD-TRAILER", false, true, true},
		{"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", false, false, false},
		{"UNSIGNED-PAYLOAD", false, false, false},
		{EmptySHA256, false, false, false},
		{"streaming-aws4-hmac-sha256-payload", false, false, false},
		{"", false, false, false},
	} {
		s, tr, ok := StreamMode(c.in)
		if s != c.signed || tr != c.trailer || ok != c.ok {
			t.Errorf("StreamMode(%q) = %v, %v, %v", c.in, s, tr, ok)
		}
	}
}

func TestVectorD_ChunkedTrailer(t *testing.T) {
	key := vecDKey()
	if got := hex.EncodeToString(key[:]); got != vecDKeyHex {
		t.Fatalf("kSigning = %s", got)
	}
	data := bytes.Repeat([]byte("a"), 20)
	if got := chunkCRC32(data); got != "Jm+Lzg==" {
		t.Fatalf("crc32 = %s", got)
	}
	if got := sha256Hex([]byte("x-amz-checksum-crc32:Jm+Lzg==\n")); got != "01c29f4a769b86ebeb81c900c4b877610aaae580b54460c8eddd73e08563c73d" {
		t.Fatalf("canonical trailer hash = %s", got)
	}
	if len(vecDBody) != 314 {
		t.Fatalf("vector body is %d bytes", len(vecDBody))
	}
	// The test encoder reproduces the vector byte for byte.
	e := newChunkEnc(true, true, 20, data)
	if got := e.encode(data).body; string(got) != vecDBody {
		t.Fatalf("encoder:\n%q\nwant\n%q", got, vecDBody)
	}
	// The seed is the signature of the request itself.
	r, _ := http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket-1/chunked.txt", strings.NewReader(vecDBody))
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
	r.Header.Set("X-Amz-Date", vecDDate)
	r.Header.Set("X-Amz-Decoded-Content-Length", "20")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+vecAKID+"/"+vecDScope+", SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer, Signature="+vecDSeed)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := NewVerifier(VerifierOptions{}).Verify(r, a, Check{Secret: vecSecret, Now: vecTime, Service: "s3", Region: usEast1, PayloadHash: a.PayloadHash, S3: true}); err != nil {
		t.Fatalf("seed signature: %v", err)
	}
	signed, trailer, ok := StreamMode(a.PayloadHash)
	if !signed || !trailer || !ok {
		t.Fatal("StreamMode of vector D")
	}
	dl, _ := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	o := StreamOptions{Signed: signed, Trailer: trailer, Key: key, SeedSignature: a.Signature, AmzDate: a.AmzDate, Scope: a.Scope(),
		Trailers: []string{r.Header.Get("X-Amz-Trailer")}, DecodedLength: dl}
	for _, bs := range []int{1, 3, 20, 21, 4096} {
		got, tr, err := decodeStream(t, r.Body, o, bs)
		r.Body = io.NopCloser(strings.NewReader(vecDBody))
		if err != nil {
			t.Fatalf("buffer %d: %v", bs, err)
		}
		if string(got) != string(data) {
			t.Fatalf("buffer %d: decoded %q", bs, got)
		}
		if len(tr) != 1 || tr["x-amz-checksum-crc32"] != "Jm+Lzg==" {
			t.Fatalf("trailers %v", tr)
		}
	}
	// Each signature of the vector matters.
	for _, sig := range []string{vecDChunkSig, vecDFinalSig, vecDTrailSig} {
		bad := strings.Replace(vecDBody, sig, sig[:63]+string(flipHexDigit(sig[63])), 1)
		if _, _, err := decodeStream(t, strings.NewReader(bad), o, 64); !errors.Is(err, ErrMismatch) {
			t.Fatalf("bad signature %s…: %v", sig[:8], err)
		}
	}
	// Also with the seed or scope wrong.
	o2 := o
	o2.SeedSignature = strings.Repeat("0", 64)
	if _, _, err := decodeStream(t, strings.NewReader(vecDBody), o2, 64); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong seed: %v", err)
	}
	o2 = o
	o2.Scope = "20250102/us-west-2/s3/aws4_request"
	if _, _, err := decodeStream(t, strings.NewReader(vecDBody), o2, 64); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong scope: %v", err)
	}
}

func TestStreamReaderRoundTrip(t *testing.T) {
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one-byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data-err", iotest.DataErrReader},
	}
	type sizeCase struct{ size, chunk int }
	var sizes []sizeCase
	for _, n := range []int{0, 1, 16, 17, 33, 64, 65, 3*64 + 5} {
		sizes = append(sizes, sizeCase{n, 64})
	}
	sizes = append(sizes, sizeCase{1 << 20, 64 << 10}, sizeCase{1<<20 + 3, 64 << 10}, sizeCase{200 << 10, 8 << 10})
	for _, m := range chunkModes {
		for _, sc := range sizes {
			data := make([]byte, sc.size)
			for i := range data {
				data[i] = byte(i*7 + i>>8)
			}
			e := newChunkEnc(m.signed, m.trailer, sc.chunk, data)
			body := e.encode(data).body
			for _, rd := range readers {
				for _, bs := range []int{1, 7, 4096, 1 << 20} {
					if sc.size >= 1<<20 && bs == 1 && rd.name != "plain" {
						continue // slow and adds nothing
					}
					name := fmt.Sprintf("%s/%d-by-%d/%s/buf%d", m.name, sc.size, sc.chunk, rd.name, bs)
					for _, dl := range []int64{int64(sc.size), -1} {
						got, tr, err := decodeStream(t, rd.wrap(bytes.NewReader(body)), e.opts(dl), bs)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if !bytes.Equal(got, data) {
							t.Fatalf("%s: decoded %d bytes, differ", name, len(got))
						}
						if m.trailer && (len(tr) != 1 || tr["x-amz-checksum-crc32"] != chunkCRC32(data)) {
							t.Fatalf("%s: trailers %v", name, tr)
						}
						if !m.trailer && len(tr) != 0 {
							t.Fatalf("%s: trailers %v", name, tr)
						}
					}
				}
			}
			// The io.Reader contract, as checked by the standard library.
			if err := iotest.TestReader(NewStreamReader(bytes.NewReader(body), e.opts(int64(sc.size))), data); err != nil {
				t.Fatalf("%s/%d: iotest.TestReader: %v", m.name, sc.size, err)
			}
		}
	}
}

func TestStreamReaderTrailerForms(t *testing.T) {
	data := []byte("hello, trailers")
	sum := sha256.Sum256(data)
	two := [][2]string{
		{"X-Amz-Checksum-SHA256", "  " + base64.StdEncoding.EncodeToString(sum[:]) + " "},
		{"x-amz-checksum-crc32", chunkCRC32(data)},
	}
	for _, m := range chunkModes[1:] {
		e := newChunkEnc(m.signed, m.trailer, 4, data)
		e.trailers = two
		enc := e.encode(data)
		o := e.opts(int64(len(data)))
		o.Trailers = []string{" X-Amz-Checksum-Crc32", "x-amz-checksum-sha256"} // normalized by the reader
		got, tr, err := decodeStream(t, bytes.NewReader(enc.body), o, 5)
		if err != nil || string(got) != string(data) {
			t.Fatalf("%s: %q, %v", m.name, got, err)
		}
		if len(tr) != 2 || tr["x-amz-checksum-crc32"] != chunkCRC32(data) || tr["x-amz-checksum-sha256"] != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Fatalf("%s: trailers %v", m.name, tr)
		}
	}
	// Unsigned trailer: the final CRLF may be missing.
	e := newChunkEnc(false, true, 4, data)
	body := e.encode(data).body
	got, tr, err := decodeStream(t, bytes.NewReader(body[:len(body)-2]), e.opts(int64(len(data))), 64)
	if err != nil || string(got) != string(data) || tr["x-amz-checksum-crc32"] != chunkCRC32(data) {
		t.Fatalf("unsigned trailer without final CRLF: %q %v %v", got, tr, err)
	}
	// …but not in the signed modes.
	for _, m := range chunkModes[:2] {
		e := newChunkEnc(m.signed, m.trailer, 4, data)
		body := e.encode(data).body
		if _, _, err := decodeStream(t, bytes.NewReader(body[:len(body)-2]), e.opts(-1), 64); !errors.Is(err, ErrChunkFormat) {
			t.Fatalf("%s without final CRLF: %v", m.name, err)
		}
	}
	// Unknown chunk extensions are ignored.
	unsigned := "5;foo=bar\r\nhello\r\n3 ; x ;chunk-signature=zz\r\n, w\r\n0;ext\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	got, _, err = decodeStream(t, strings.NewReader(unsigned), StreamOptions{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 8}, 64)
	if err != nil || string(got) != "hello, w" {
		t.Fatalf("unsigned with extensions: %q %v", got, err)
	}
	e = newChunkEnc(true, false, 8, data)
	body = bytes.ReplaceAll(e.encode(data).body, []byte(";chunk-signature="), []byte(";x-amz-foo=1;chunk-signature="))
	if got, _, err := decodeStream(t, bytes.NewReader(body), e.opts(-1), 64); err != nil || string(got) != string(data) {
		t.Fatalf("signed with extensions: %q %v", got, err)
	}
}

func flipHexDigit(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func mutateBody(body []byte, f func([]byte)) []byte {
	b := bytes.Clone(body)
	f(b)
	return b
}

func TestStreamReaderMutations(t *testing.T) {
	data := make([]byte, 50)
	for i := range data {
		data[i] = 'A' + byte(i%26)
	}
	for _, m := range chunkModes {
		e := newChunkEnc(m.signed, m.trailer, 16, data)
		enc := e.encode(data)
		o := e.opts(int64(len(data)))
		if got, _, err := decodeStream(t, bytes.NewReader(enc.body), o, 64); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: base body: %v", m.name, err)
		}
		type mcase struct {
			name string
			body []byte
			o    StreamOptions
			want error // nil: must decode
			// For a flipped data byte: the payload as sent and the end of
			// the chunk holding the flip, past which nothing may be returned.
			payload []byte
			limit   int
		}
		var cases []mcase
		add := func(name string, body []byte, o StreamOptions, want error) {
			cases = append(cases, mcase{name: name, body: body, o: o, want: want, payload: data, limit: len(data)})
		}
		off := 0 // payload offset of the current data region
		for _, r := range enc.regions {
			for i := r.start; i < r.end; i++ {
				switch r.kind {
				case "data":
					if m.signed {
						payload := bytes.Clone(data)
						payload[off+i-r.start] ^= 1
						cases = append(cases, mcase{name: fmt.Sprintf("flip data byte %d", i), body: mutateBody(enc.body, func(b []byte) { b[i] ^= 1 }),
							o: o, want: ErrMismatch, payload: payload, limit: off + r.end - r.start})
					}
				case "sig":
					add(fmt.Sprintf("flip chunk signature byte %d", i), mutateBody(enc.body, func(b []byte) { b[i] = flipHexDigit(b[i]) }), o, ErrMismatch)
				case "tval":
					if m.signed {
						add(fmt.Sprintf("flip trailer value byte %d", i), mutateBody(enc.body, func(b []byte) { b[i] ^= 1 }), o, ErrMismatch)
					}
				case "tsig":
					add(fmt.Sprintf("flip trailer signature byte %d", i), mutateBody(enc.body, func(b []byte) { b[i] = flipHexDigit(b[i]) }), o, ErrMismatch)
				}
			}
			if r.kind == "data" {
				off += r.end - r.start
			}
		}
		if m.signed {
			fr := enc.frames
			frame := func(i int) []byte { return enc.body[fr[i][0]:fr[i][1]] }
			rebuild := func(order ...int) []byte {
				var b []byte
				for _, i := range order {
					b = append(b, frame(i)...)
				}
				return append(b, enc.body[fr[len(fr)-1][1]:]...)
			}
			// Frames: 16, 16, 16, 2, final. limit is the end of the first
			// chunk out of place: nothing after it may be returned.
			reorder := func(name string, limit int, order ...int) {
				var payload []byte
				for _, i := range order {
					payload = append(payload, data[min(16*i, len(data)):min(16*i+16, len(data))]...)
				}
				cases = append(cases, mcase{name: name, body: rebuild(order...), o: o, want: ErrMismatch, payload: payload, limit: limit})
			}
			reorder("swap chunks 0 and 1", 16, 1, 0, 2, 3, 4)
			reorder("swap chunks 1 and 2", 32, 0, 2, 1, 3, 4)
			reorder("drop chunk 1", 32, 0, 2, 3, 4)
			reorder("repeat chunk 0", 32, 0, 0, 1, 2, 3, 4)
			reorder("final chunk early", 16, 0, 4)
		}
		for i := 0; i < len(enc.body); i++ {
			var want error = ErrChunkFormat
			if !m.signed && i == len(enc.body)-2 {
				want = nil // the lenient end of the unsigned trailer mode
			}
			add(fmt.Sprintf("truncated at %d", i), enc.body[:i], o, want)
		}
		add("trailing data", append(bytes.Clone(enc.body), 'x'), o, ErrChunkFormat)
		add("trailing CRLF", append(bytes.Clone(enc.body), "\r\n"...), o, ErrChunkFormat)
		for _, dl := range []int64{0, 1, int64(len(data)) - 1, int64(len(data)) + 1, 1 << 40} {
			o2 := o
			o2.DecodedLength = dl
			add(fmt.Sprintf("decoded length %d", dl), enc.body, o2, ErrDecodedLength)
		}
		if m.trailer {
			o2 := o
			o2.Trailers = nil
			add("undeclared trailer (none declared)", enc.body, o2, ErrChunkFormat)
			e2 := e
			e2.trailers = append(slices.Clone(e.trailers), [2]string{"x-amz-meta-extra", "1"})
			add("undeclared trailer (one extra)", e2.encode(data).body, o, ErrChunkFormat)
			o2 = o
			o2.Trailers = []string{"x-amz-checksum-crc32", "x-amz-checksum-sha256"}
			add("missing declared trailer", enc.body, o2, ErrChunkFormat)
			e2 = e
			e2.trailers = nil
			add("no trailer at all", e2.encode(data).body, o, ErrChunkFormat)
			e2 = e
			e2.trailers = append(slices.Clone(e.trailers), e.trailers[0])
			add("duplicate trailer", e2.encode(data).body, o, ErrChunkFormat)
			e2 = e
			e2.trailers = nil
			for i := range maxTrailerLines + 1 {
				e2.trailers = append(e2.trailers, [2]string{fmt.Sprintf("x-amz-meta-t%d", i), "v"})
			}
			o2 = e2.opts(int64(len(data)))
			add("too many trailers", e2.encode(data).body, o2, ErrChunkFormat)
			e2.trailers = e2.trailers[:maxTrailerLines]
			add("max trailers", e2.encode(data).body, e2.opts(int64(len(data))), nil)
		} else {
			o2 := o
			o2.Trailers = []string{"x-amz-checksum-crc32"}
			add("declared trailer in a mode without trailers", enc.body, o2, ErrChunkFormat)
			e2 := e
			e2.trailer, e2.trailers = true, [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
			add("trailer in a mode without trailers", e2.encode(data).body, o2, ErrChunkFormat)
		}
		o2 := o
		o2.MaxChunkSize = 15
		add("chunk over MaxChunkSize", enc.body, o2, ErrChunkFormat)
		o2.MaxChunkSize = 16
		add("chunk at MaxChunkSize", enc.body, o2, nil)

		for _, c := range cases {
			for _, bs := range []int{1, 64} {
				o := c.o
				got, _, err := decodeStream(t, bytes.NewReader(c.body), o, bs)
				if c.want == nil {
					if err != nil {
						t.Fatalf("%s/%s/buf%d: %v", m.name, c.name, bs, err)
					}
					continue
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("%s/%s/buf%d: err = %v, want %v", m.name, c.name, bs, err, c.want)
				}
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("%s/%s: %T is not *Error", m.name, c.name, err)
				}
				if c.want == ErrMismatch && !strings.HasPrefix(se.StringToSign, "AWS4-HMAC-SHA256-") {
					t.Fatalf("%s/%s: StringToSign %q", m.name, c.name, se.StringToSign)
				}
				if !bytes.HasPrefix(c.payload, got) {
					t.Fatalf("%s/%s/buf%d: returned bytes that are not a prefix of the payload", m.name, c.name, bs)
				}
				if len(got) > c.limit {
					t.Fatalf("%s/%s/buf%d: returned %d bytes, past the chunk that failed", m.name, c.name, bs, len(got))
				}
				if o.DecodedLength >= 0 && int64(len(got)) > o.DecodedLength {
					t.Fatalf("%s/%s: returned %d bytes past the decoded length", m.name, c.name, len(got))
				}
			}
		}
	}
}

// Hand-made bodies with broken framing.
func TestStreamReaderFraming(t *testing.T) {
	sig := func(n int) string { return strings.Repeat("0", n) }
	signedOpts := StreamOptions{Signed: true, DecodedLength: -1, Key: vecDKey(), SeedSignature: vecDSeed, AmzDate: vecDDate, Scope: vecDScope}
	unsignedOpts := StreamOptions{Trailer: true, DecodedLength: -1}
	big := math.MaxInt64
	for _, c := range []struct {
		name string
		body string
		o    StreamOptions
		max  int64
		want error
		msg  string
	}{
		{"empty body", "", unsignedOpts, 0, ErrChunkFormat, "truncated"},
		{"empty size", ";chunk-signature=" + sig(64) + "\r\n", signedOpts, 0, ErrChunkFormat, "empty chunk size"},
		{"non-hex size", "1g\r\n", unsignedOpts, 0, ErrChunkFormat, "hexadecimal"},
		{"negative size", "-1\r\n", unsignedOpts, 0, ErrChunkFormat, "hexadecimal"},
		{"bare LF", "0\n\r\n", unsignedOpts, 0, ErrChunkFormat, "CRLF"},
		{"LF only line", "\n", unsignedOpts, 0, ErrChunkFormat, "CRLF"},
		{"empty first line", "\r\n", unsignedOpts, 0, ErrChunkFormat, "empty chunk size"},
		{"data without CRLF", "3\r\nabcX0\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, "not followed by CRLF"},
		{"size too small", "2\r\nabc\r\n0\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, "not followed by CRLF"},
		{"size too large", "4\r\nabc\r\n0\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, ""},
		{"no chunk-signature", "3\r\nabc\r\n0;chunk-signature=" + sig(64) + "\r\n\r\n", signedOpts, 0, ErrChunkFormat, "no chunk-signature"},
		{"short chunk-signature", "3;chunk-signature=" + sig(63) + "\r\nabc\r\n", signedOpts, 0, ErrChunkFormat, "64"},
		{"long chunk-signature", "3;chunk-signature=" + sig(65) + "\r\nabc\r\n", signedOpts, 0, ErrChunkFormat, "64"},
		{"two chunk-signatures", "3;chunk-signature=" + sig(64) + ";chunk-signature=" + sig(64) + "\r\nabc\r\n", signedOpts, 0, ErrChunkFormat, "twice"},
		{"non-hex chunk-signature", "3;chunk-signature=" + sig(63) + "z\r\nabc\r\n", signedOpts, 0, ErrMismatch, ""},
		{"line too long", "3;x=" + strings.Repeat("y", maxStreamLine) + "\r\nabc\r\n0\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, "too long"},
		{"line at the limit", "3;x=" + strings.Repeat("y", maxStreamLine-4) + "\r\nabc\r\n0\r\n\r\n", unsignedOpts, 0, nil, ""},
		{"trailer line too long", "0\r\nx-amz-meta-a:" + strings.Repeat("y", maxStreamLine) + "\r\n\r\n", StreamOptions{Trailer: true, Trailers: []string{"x-amz-meta-a"}, DecodedLength: -1}, 0, ErrChunkFormat, "too long"},
		{"default max chunk", "1000001\r\n", unsignedOpts, 0, ErrChunkFormat, "exceeds"},
		{"default max chunk, signed", "1000001;chunk-signature=" + sig(64) + "\r\n", signedOpts, 0, ErrChunkFormat, "exceeds"},
		{"16 hex digits", "ffffffffffffffff\r\n", unsignedOpts, int64(big), ErrChunkFormat, "overflows"},
		{"17 hex digits", "10000000000000000\r\n", unsignedOpts, int64(big), ErrChunkFormat, "overflows"},
		{"100 hex digits", strings.Repeat("f", 100) + "\r\n", unsignedOpts, int64(big), ErrChunkFormat, "overflows"},
		{"leading zeros", "0000000000000000000000003\r\nabc\r\n0\r\n\r\n", unsignedOpts, 0, nil, ""},
		{"largest size, truncated", "7fffffffffffffff\r\n", StreamOptions{Trailer: true, DecodedLength: -1, MaxChunkSize: int64(big)}, int64(big), ErrChunkFormat, "truncated"},
		{"trailer without colon", "0\r\nx-amz-checksum-crc32\r\n\r\n", StreamOptions{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: -1}, 0, ErrChunkFormat, "':'"},
		{"trailer bad name", "0\r\nx amz:1\r\n\r\n", StreamOptions{Trailer: true, Trailers: []string{"x amz"}, DecodedLength: -1}, 0, ErrChunkFormat, "name"},
		{"trailer control char", "0\r\nx-a:1\x002\r\n\r\n", StreamOptions{Trailer: true, Trailers: []string{"x-a"}, DecodedLength: -1}, 0, ErrChunkFormat, "control"},
		{"trailer signature in unsigned mode", "0\r\nx-amz-trailer-signature:" + sig(64) + "\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, "not declared"},
		{"unsigned, no trailers, EOF", "0\r\n", unsignedOpts, 0, nil, ""},
		{"unsigned, no trailers", "0\r\n\r\n", unsignedOpts, 0, nil, ""},
		{"unsigned, data after end", "0\r\n\r\n0\r\n\r\n", unsignedOpts, 0, ErrChunkFormat, "after the end"},
		{"signed trailer missing signature", "0;chunk-signature=" + sig(64) + "\r\n\r\n", StreamOptions{Signed: true, Trailer: true, DecodedLength: -1, Key: vecDKey(), SeedSignature: vecDSeed, AmzDate: vecDDate, Scope: vecDScope}, 0, ErrMismatch, ""},
	} {
		o := c.o
		if c.max != 0 {
			o.MaxChunkSize = c.max
		}
		for _, bs := range []int{1, 100} {
			_, _, err := decodeStream(t, strings.NewReader(c.body), o, bs)
			if c.want == nil {
				if err != nil {
					t.Errorf("%s: %v", c.name, err)
				}
				continue
			}
			if !errors.Is(err, c.want) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			} else if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.msg)
			}
		}
	}
}

// A signed trailer section needs x-amz-trailer-signature, and nothing may
// follow it but the empty line.
func TestStreamReaderTrailerSignatureFraming(t *testing.T) {
	data := []byte("abc")
	e := newChunkEnc(true, true, 16, data)
	enc := e.encode(data)
	o := e.opts(3)
	var tsig chunkRegion
	for _, r := range enc.regions {
		if r.kind == "tsig" {
			tsig = r
		}
	}
	sigLine := "x-amz-trailer-signature:" + string(enc.body[tsig.start:tsig.end]) + "\r\n"
	noSig := strings.Replace(string(enc.body), sigLine, "", 1)
	if _, _, err := decodeStream(t, strings.NewReader(noSig), o, 64); !errors.Is(err, ErrChunkFormat) || !strings.Contains(err.Error(), "x-amz-trailer-signature is missing") {
		t.Fatalf("missing trailer signature: %v", err)
	}
	after := strings.Replace(string(enc.body), sigLine, sigLine+"x-amz-checksum-crc32:"+chunkCRC32(data)+"\r\n", 1)
	if _, _, err := decodeStream(t, strings.NewReader(after), o, 64); !errors.Is(err, ErrChunkFormat) {
		t.Fatalf("trailer after the signature: %v", err)
	}
	// The signature line may come in any case of name.
	upper := strings.Replace(string(enc.body), "x-amz-trailer-signature:", "X-Amz-Trailer-Signature: ", 1)
	if _, _, err := decodeStream(t, strings.NewReader(upper), o, 64); err != nil {
		t.Fatalf("X-Amz-Trailer-Signature: %v", err)
	}
}

// No byte of chunk N+1 is returned before chunk N's signature was verified,
// and a chunk that fails is not returned by the Read that detects it.
func TestStreamReaderVerifiesBeforeNextChunk(t *testing.T) {
	const chunk, nchunks = 100, 4
	data := make([]byte, chunk*nchunks)
	for i := range data {
		data[i] = byte(i)
	}
	for _, m := range chunkModes[:2] {
		e := newChunkEnc(m.signed, m.trailer, chunk, data)
		enc := e.encode(data)
		var sigs []chunkRegion
		for _, r := range enc.regions {
			if r.kind == "sig" {
				sigs = append(sigs, r)
			}
		}
		for k := range nchunks {
			bad := mutateBody(enc.body, func(b []byte) { b[sigs[k].start] = flipHexDigit(b[sigs[k].start]) })
			for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
				for _, bs := range []int{1, 7, 99, 100, 101, 250, len(data), 1 << 16} {
					got, _, err := decodeStream(t, wrap(bytes.NewReader(bad)), e.opts(int64(len(data))), bs)
					if !errors.Is(err, ErrMismatch) {
						t.Fatalf("%s chunk %d buf %d: %v", m.name, k, bs, err)
					}
					if !bytes.HasPrefix(data, got) {
						t.Fatalf("%s chunk %d buf %d: output is not a prefix of the payload", m.name, k, bs)
					}
					// Never a byte past the bad chunk.
					if len(got) > (k+1)*chunk {
						t.Fatalf("%s chunk %d buf %d: %d bytes returned before the error", m.name, k, bs, len(got))
					}
					// With a buffer that holds the whole payload, not even the
					// bad chunk's bytes: exactly the chunks before it.
					if bs >= len(data) && len(got) != k*chunk {
						t.Fatalf("%s chunk %d buf %d: %d bytes returned, want %d", m.name, k, bs, len(got), k*chunk)
					}
				}
			}
		}
	}
}

// Errors of the underlying reader: truncation is ErrChunkFormat, anything
// else comes through as it is.
func TestStreamReaderBodyErrors(t *testing.T) {
	data := bytes.Repeat([]byte("xyz"), 100)
	for _, m := range chunkModes {
		e := newChunkEnc(m.signed, m.trailer, 64, data)
		body := e.encode(data).body
		for _, cut := range []int{0, 1, 10, 100, len(body) / 2, len(body) - 3} {
			r := io.MultiReader(bytes.NewReader(body[:cut]), iotest.ErrReader(context.Canceled))
			_, _, err := decodeStream(t, r, e.opts(int64(len(data))), 32)
			if !errors.Is(err, context.Canceled) || errors.Is(err, ErrChunkFormat) {
				t.Fatalf("%s cut %d: context error: %v", m.name, cut, err)
			}
			r = io.MultiReader(bytes.NewReader(body[:cut]), iotest.ErrReader(io.ErrUnexpectedEOF))
			_, _, err = decodeStream(t, r, e.opts(int64(len(data))), 32)
			if !errors.Is(err, ErrChunkFormat) {
				t.Fatalf("%s cut %d: unexpected EOF: %v", m.name, cut, err)
			}
		}
		// An error after the whole body has been read, before EOF.
		r := io.MultiReader(bytes.NewReader(body), iotest.ErrReader(context.DeadlineExceeded))
		if _, _, err := decodeStream(t, r, e.opts(int64(len(data))), 32); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: error after the body: %v", m.name, err)
		}
	}
}

func TestStreamReaderTrailersBeforeEOF(t *testing.T) {
	data := []byte("abc")
	e := newChunkEnc(true, true, 16, data)
	sr := NewStreamReader(bytes.NewReader(e.encode(data).body), e.opts(3))
	buf := make([]byte, 3)
	if n, err := sr.Read(buf); n != 3 || err != nil {
		t.Fatal(n, err)
	}
	if sr.Trailers() != nil {
		t.Fatal("trailers before EOF")
	}
	if n, err := sr.Read(buf); n != 0 || err != io.EOF {
		t.Fatal(n, err)
	}
	if sr.Trailers()["x-amz-checksum-crc32"] != chunkCRC32(data) {
		t.Fatal(sr.Trailers())
	}
	if n, err := sr.Read(buf); n != 0 || err != io.EOF {
		t.Fatal("EOF is not sticky", n, err)
	}
}

// Exactly the default maximum chunk size is accepted.
func TestStreamReaderDefaultMaxChunk(t *testing.T) {
	data := make([]byte, defaultMaxChunkSize)
	e := newChunkEnc(false, true, defaultMaxChunkSize, data)
	got, _, err := decodeStream(t, bytes.NewReader(e.encode(data).body), e.opts(int64(len(data))), 1<<20)
	if err != nil || len(got) != len(data) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

func BenchmarkStreamReaderSigned(b *testing.B) {
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i)
	}
	e := newChunkEnc(true, false, 64<<10, data)
	body := e.encode(data).body
	o := e.opts(int64(len(data)))
	buf := make([]byte, 256<<10)
	br := bytes.NewReader(body)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(body)
		sr := NewStreamReader(br, o)
		n := 0
		for {
			m, err := sr.Read(buf)
			n += m
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if n != len(data) {
			b.Fatal(n)
		}
	}
}
