// Streaming decoder for S3 "Content-Encoding: aws-chunked" request bodies.
//
// An S3 client that cannot hash a body before sending it signs it chunk by
// chunk instead, announced by one of these x-amz-content-sha256 values
// (see StreamMode):
//
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD          signed chunks
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks, signed trailer
//	STREAMING-UNSIGNED-PAYLOAD-TRAILER          unsigned chunks, trailer
//
// The wire format is
//
//	<hex-size>[;chunk-signature=<64 hex>][;ext=value]\r\n<data>\r\n   (repeated)
//	0[;chunk-signature=<64 hex>]\r\n                                 (final chunk)
//	[name:value\r\n …]                                               (trailer modes)
//	[x-amz-trailer-signature:<64 hex>\r\n]                           (signed trailer)
//	\r\n
//
// Each chunk signature is HMAC-SHA256 with the request's derived signing key
// over
//
//	AWS4-HMAC-SHA256-PAYLOAD \n amzDate \n scope \n previous-signature \n
//	hex(sha256("")) \n hex(sha256(chunk-data))
//
// where the first previous signature is the request's own ("seed")
// signature, and the trailer signature is HMAC-SHA256 over
//
//	AWS4-HMAC-SHA256-TRAILER \n amzDate \n scope \n final-chunk-signature \n
//	hex(sha256(canonical trailers))
//
// with each trailer canonicalized as "lower-case-name:trimmed-value\n", sorted
// by name.
//
// StreamReader decodes such a body as it streams: chunk data is hashed while
// it is copied to the caller, never buffered whole, and a chunk's signature
// is checked the moment its last byte has been read — before any byte of the
// next chunk, the trailer, or io.EOF is returned. Read returns io.EOF only
// once the final chunk, every signature and the trailer have been verified
// and the decoded length matched x-amz-decoded-content-length. Like the rest
// of the package it is pure: it reads only from the io.Reader it is given,
// keeps no global state, and compares signatures in constant time.
//
// Errors are *Error values wrapping ErrChunkFormat (malformed or truncated
// framing, undeclared or missing trailers; S3 answers IncompleteBody or
// InvalidRequest), ErrDecodedLength (S3 IncompleteBody) or ErrMismatch (a bad
// chunk or trailer signature; S3 SignatureDoesNotMatch). An error of the
// underlying reader other than io.EOF and io.ErrUnexpectedEOF (which mean the
// body was truncated and become ErrChunkFormat) is returned as it is, so a
// cancelled context or a connection error is not mistaken for a bad body.
// Checking the trailer's checksum against the decoded bytes is the caller's
// business (see Trailers).
//
// (This is a file comment; the package documentation is in doc.go.)

package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors of the aws-chunked decoder. Match them with errors.Is.
var (
	// ErrChunkFormat: the aws-chunked framing is malformed or truncated (bad
	// size line, missing CRLF, oversize chunk, undeclared or missing trailer…).
	ErrChunkFormat = errors.New("sigv4: malformed aws-chunked body")
	// ErrDecodedLength: the decoded byte count differs from x-amz-decoded-content-length.
	ErrDecodedLength = errors.New("sigv4: decoded length does not match x-amz-decoded-content-length")
)

// x-amz-content-sha256 values of the streaming modes.
const (
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

const (
	defaultMaxChunkSize = 16 << 20 // StreamOptions.MaxChunkSize when 0
	streamBufferSize    = 64 << 10 // bufio buffer over the body
	maxStreamLine       = 4096     // longest size or trailer line, without its CRLF
	maxTrailerLines     = 16       // trailer lines, not counting x-amz-trailer-signature
	trailerSignatureKey = "x-amz-trailer-signature"
	chunkStringPrefix   = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerStringPrefix = "AWS4-HMAC-SHA256-TRAILER"
)

// StreamMode parses an x-amz-content-sha256 value: ok=false when it is not
// one of STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or
// STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func StreamMode(payloadHash string) (signed, trailer bool, ok bool) {
	switch payloadHash {
	case streamingSigned:
		return true, false, true
	case streamingSignedTrailer:
		return true, true, true
	case streamingUnsignedTrailer:
		return false, true, true
	}
	return false, false, false
}

// StreamOptions configure a StreamReader.
type StreamOptions struct {
	Signed        bool     // chunk signatures present (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER])
	Trailer       bool     // trailing headers follow the final chunk (…-TRAILER modes)
	Key           [32]byte // derived signing key (Signed only)
	SeedSignature string   // the request's own signature (Signed only)
	AmzDate       string   // the request's X-Amz-Date (Signed only)
	Scope         string   // date/region/service/aws4_request (Signed only)
	// Trailers are the names declared in x-amz-trailer (lower-case); a
	// trailer not declared is an error, and so is a declared one missing.
	Trailers []string
	// DecodedLength is x-amz-decoded-content-length, or -1 when absent.
	DecodedLength int64
	MaxChunkSize  int64 // 0 = 16 MiB
}

// Decoder states.
const (
	stateSize    = iota // expecting a chunk-size line
	stateData           // inside chunk data, remaining > 0
	stateDataEnd        // chunk data read and verified; expecting CRLF
	stateTrailer        // after the final chunk: trailer lines and the closing empty line
	stateEnd            // everything verified; the body must end here
	stateDone           // io.EOF
)

// StreamReader decodes an aws-chunked body (Content-Encoding: aws-chunked;
// the wire format is described at the top of chunked.go). It streams: chunk
// data is hashed as it is copied to the caller, and each chunk's signature is
// verified as soon as its last byte has been read, before any byte of the
// next chunk or io.EOF is returned. Errors wrap ErrChunkFormat,
// ErrDecodedLength or ErrMismatch; errors of the body other than io.EOF and
// io.ErrUnexpectedEOF (a truncated body: ErrChunkFormat) are returned as they
// are. It is not safe for concurrent use.
type StreamReader struct {
	br       *bufio.Reader
	o        StreamOptions
	declared []string // normalized o.Trailers
	state    int
	// remaining bytes of the current chunk's data; total decoded so far.
	remaining, total int64
	err              error // sticky: returned by every Read once set

	// Signed mode.
	data    hash.Hash // SHA-256 of the current chunk's data
	mac     hash.Hash // HMAC-SHA256 keyed with o.Key, reset per chunk
	sts     []byte    // string to sign; sts[:prefix] is fixed
	prefix  int
	prev    []byte   // previous signature (seed, then each chunk's)
	claimed [64]byte // signature announced for the current chunk or trailer
	sum     [32]byte
	want    [64]byte

	trailers map[string]string
}

// NewStreamReader returns a StreamReader decoding body.
func NewStreamReader(body io.Reader, o StreamOptions) *StreamReader {
	if o.MaxChunkSize <= 0 {
		o.MaxChunkSize = defaultMaxChunkSize
	}
	s := &StreamReader{br: bufio.NewReaderSize(body, streamBufferSize), o: o}
	for _, t := range o.Trailers {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(s.declared, t) {
			s.declared = append(s.declared, t)
		}
	}
	if o.Signed {
		s.data = sha256.New()
		s.mac = hmac.New(sha256.New, o.Key[:])
		n := len(chunkStringPrefix) + len(o.AmzDate) + len(o.Scope) + len(o.SeedSignature) + 3*64 + 8
		s.sts = make([]byte, 0, n)
		s.sts = append(s.sts, chunkStringPrefix+"\n"...)
		s.sts = append(s.sts, o.AmzDate...)
		s.sts = append(s.sts, '\n')
		s.sts = append(s.sts, o.Scope...)
		s.sts = append(s.sts, '\n')
		s.prefix = len(s.sts)
		s.prev = make([]byte, len(o.SeedSignature), max(64, len(o.SeedSignature)))
		copy(s.prev, o.SeedSignature)
	}
	return s
}

// Trailers returns the trailing headers, lower-case name -> trimmed value
// (x-amz-trailer-signature excluded). It is nil until Read has returned
// io.EOF. The map is the reader's own; do not modify it.
func (s *StreamReader) Trailers() map[string]string {
	if s.state != stateDone {
		return nil
	}
	return s.trailers
}

// Read reads decoded payload bytes. It returns when p is full, at the end
// of the payload or on error (so it may block on the body to fill p),
// verifying each chunk's signature as soon as the chunk's last byte has been
// read. A Read that fails returns, of the bytes it read, only those of chunks
// that were completely read (and, when signed, verified): with a p larger
// than a chunk, no byte of a chunk whose signature fails is returned. io.EOF
// comes only after the final chunk, every signature and the trailer were
// verified and the decoded length matched.
func (s *StreamReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, committed := 0, 0
	for n < len(p) {
		if s.state != stateData {
			if err := s.step(); err != nil {
				s.err = err
				return committed, err
			}
			if s.state == stateDone {
				s.err = io.EOF
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			continue
		}
		k := len(p) - n
		if int64(k) > s.remaining {
			k = int(s.remaining)
		}
		m, err := s.br.Read(p[n : n+k])
		if m > 0 {
			if s.o.Signed {
				s.data.Write(p[n : n+m])
			}
			n += m
			s.remaining -= int64(m)
			s.total += int64(m)
			if s.remaining == 0 {
				if err := s.endChunk(); err != nil {
					s.err = err
					return committed, err
				}
				committed = n
				s.state = stateDataEnd
			}
		}
		if err != nil {
			// The chunk's CRLF and at least the final chunk must still
			// follow, so even a clean EOF is a truncation here.
			s.err = ioError(err, "chunk data")
			return committed, s.err
		}
	}
	return n, nil
}

// step performs one framing step in any state but stateData.
func (s *StreamReader) step() error {
	switch s.state {
	case stateSize:
		return s.readSize()
	case stateDataEnd:
		b, err := s.br.Peek(2)
		if len(b) == 2 {
			if b[0] != '\r' || b[1] != '\n' {
				return fail(ErrChunkFormat, "chunk data is not followed by CRLF")
			}
			s.br.Discard(2)
			s.state = stateSize
			return nil
		}
		return ioError(err, "CRLF after chunk data")
	case stateTrailer:
		if err := s.readTrailers(); err != nil {
			return err
		}
		s.state = stateEnd
		return nil
	case stateEnd:
		b, err := s.br.Peek(1)
		if len(b) > 0 {
			return fail(ErrChunkFormat, "data after the end of the aws-chunked body")
		}
		if err == io.EOF {
			s.state = stateDone
			return nil
		}
		return ioError(err, "end of body")
	}
	return fail(ErrChunkFormat, "decoder in an invalid state")
}

// ioError maps an error of the underlying reader: io.EOF and
// io.ErrUnexpectedEOF mean a truncated body; anything else is returned as it is.
func ioError(err error, where string) error {
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return fail(ErrChunkFormat, "body truncated in "+where)
	}
	return err
}

// readLine returns the next line without its CRLF. The slice points into
// the bufio buffer and is valid only until the next read from it.
func (s *StreamReader) readLine(what string) ([]byte, error) {
	scanned := 0
	for {
		buf, _ := s.br.Peek(min(s.br.Buffered(), maxStreamLine+2))
		if i := bytes.IndexByte(buf[scanned:], '\n'); i >= 0 {
			i += scanned
			if i == 0 || buf[i-1] != '\r' {
				return nil, fail(ErrChunkFormat, what+" is not terminated by CRLF")
			}
			s.br.Discard(i + 1)
			return buf[:i-1], nil
		}
		if len(buf) >= maxStreamLine+2 {
			return nil, fail(ErrChunkFormat, what+" is too long")
		}
		scanned = len(buf)
		if _, err := s.br.Peek(len(buf) + 1); err != nil {
			return nil, ioError(err, what)
		}
	}
}

// readSize reads and checks a chunk-size line and starts the chunk.
func (s *StreamReader) readSize() error {
	line, err := s.readLine("chunk size line")
	if err != nil {
		return err
	}
	szField, exts, _ := bytes.Cut(line, []byte{';'})
	size, err := parseChunkSize(trimSpace(szField), s.o.MaxChunkSize)
	if err != nil {
		return err
	}
	haveSig := false
	for len(exts) > 0 {
		var ext []byte
		ext, exts, _ = bytes.Cut(exts, []byte{';'})
		name, val, _ := bytes.Cut(ext, []byte{'='})
		if !bytes.EqualFold(trimSpace(name), []byte("chunk-signature")) {
			continue // unknown extensions are ignored
		}
		if !s.o.Signed {
			continue
		}
		val = trimSpace(val)
		if haveSig {
			return fail(ErrChunkFormat, "chunk-signature appears twice")
		}
		if len(val) != 64 {
			return fail(ErrChunkFormat, "chunk-signature must be 64 hexadecimal characters")
		}
		copy(s.claimed[:], val)
		haveSig = true
	}
	if s.o.Signed && !haveSig {
		return fail(ErrChunkFormat, "chunk size line has no chunk-signature")
	}
	if size > math.MaxInt64-s.total {
		return fail(ErrChunkFormat, "decoded length overflows")
	}
	if s.o.DecodedLength >= 0 && s.total+size > s.o.DecodedLength {
		return fail(ErrDecodedLength, "body has more than "+strconv.FormatInt(s.o.DecodedLength, 10)+" decoded bytes")
	}
	if s.o.Signed {
		s.data.Reset()
	}
	if size > 0 {
		s.remaining = size
		s.state = stateData
		return nil
	}
	// The final, empty chunk.
	if err := s.endChunk(); err != nil {
		return err
	}
	if s.o.DecodedLength >= 0 && s.total != s.o.DecodedLength {
		return fail(ErrDecodedLength, "body has "+strconv.FormatInt(s.total, 10)+" decoded bytes, x-amz-decoded-content-length says "+strconv.FormatInt(s.o.DecodedLength, 10))
	}
	s.state = stateTrailer
	return nil
}

// parseChunkSize parses a hexadecimal chunk size no larger than limit.
func parseChunkSize(b []byte, limit int64) (int64, error) {
	if len(b) == 0 {
		return 0, fail(ErrChunkFormat, "empty chunk size")
	}
	var v uint64
	overflow := false
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fail(ErrChunkFormat, "chunk size is not hexadecimal")
		}
		if v > (math.MaxUint64-uint64(d))/16 {
			overflow = true
		}
		v = v*16 + uint64(d)
	}
	if overflow || v > math.MaxInt64 {
		return 0, fail(ErrChunkFormat, "chunk size overflows")
	}
	if int64(v) > limit {
		return 0, fail(ErrChunkFormat, "chunk size "+strconv.FormatUint(v, 10)+" exceeds the maximum of "+strconv.FormatInt(limit, 10))
	}
	return int64(v), nil
}

// endChunk verifies the signature of the chunk whose data was just read
// (signed mode) and makes it the previous signature.
func (s *StreamReader) endChunk() error {
	if !s.o.Signed {
		return nil
	}
	b := append(s.sts[:s.prefix], s.prev...)
	b = append(b, '\n')
	b = append(b, EmptySHA256...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, s.data.Sum(s.sum[:0]))
	s.sts = b
	return s.verify(b, "chunk")
}

// verify checks s.claimed against HMAC(key, sts) and on success makes it
// the previous signature.
func (s *StreamReader) verify(sts []byte, what string) error {
	s.mac.Reset()
	s.mac.Write(sts)
	hex.Encode(s.want[:], s.mac.Sum(s.sum[:0]))
	if subtle.ConstantTimeCompare(s.want[:], s.claimed[:]) != 1 {
		return &Error{Err: ErrMismatch, Detail: "the " + what + " signature we calculated does not match the signature you provided", StringToSign: string(sts)}
	}
	s.prev = append(s.prev[:0], s.claimed[:]...)
	return nil
}

// readTrailers reads the trailer section after the final chunk up to and
// including its closing empty line, and checks it.
func (s *StreamReader) readTrailers() error {
	lenient := s.o.Trailer && !s.o.Signed
	haveSig := false
	lines := 0
	for {
		if lenient {
			// Some SDKs end the body right after the trailer lines.
			if b, err := s.br.Peek(1); len(b) == 0 && err == io.EOF {
				break
			}
		}
		line, err := s.readLine("trailer line")
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		if !s.o.Trailer {
			return fail(ErrChunkFormat, "the final chunk is not followed by CRLF")
		}
		if haveSig {
			return fail(ErrChunkFormat, "trailer line after x-amz-trailer-signature")
		}
		rawName, rawVal, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			return fail(ErrChunkFormat, "trailer line has no ':'")
		}
		if !isToken(rawName) {
			return fail(ErrChunkFormat, "trailer name is not a valid header name")
		}
		val := trimSpace(rawVal)
		for _, c := range val {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return fail(ErrChunkFormat, "trailer value has a control character")
			}
		}
		if s.o.Signed && bytes.EqualFold(rawName, []byte(trailerSignatureKey)) {
			if len(val) != 64 {
				return fail(ErrChunkFormat, "x-amz-trailer-signature must be 64 hexadecimal characters")
			}
			copy(s.claimed[:], val)
			haveSig = true
			continue
		}
		name := strings.ToLower(string(rawName))
		if !slices.Contains(s.declared, name) {
			return fail(ErrChunkFormat, "trailer "+name+" was not declared in x-amz-trailer")
		}
		if _, dup := s.trailers[name]; dup {
			return fail(ErrChunkFormat, "trailer "+name+" appears twice")
		}
		if lines++; lines > maxTrailerLines {
			return fail(ErrChunkFormat, "too many trailer lines")
		}
		if s.trailers == nil {
			s.trailers = make(map[string]string, len(s.declared))
		}
		s.trailers[name] = string(val)
	}
	for _, name := range s.declared {
		if _, ok := s.trailers[name]; !ok {
			return fail(ErrChunkFormat, "trailer "+name+" declared in x-amz-trailer is missing")
		}
	}
	if !s.o.Signed || !s.o.Trailer {
		return nil
	}
	if !haveSig {
		return fail(ErrChunkFormat, "x-amz-trailer-signature is missing")
	}
	// Canonical trailers: sorted "name:value\n".
	names := make([]string, 0, len(s.trailers))
	for name := range s.trailers {
		names = append(names, name)
	}
	slices.Sort(names)
	s.data.Reset()
	for _, name := range names {
		io.WriteString(s.data, name)
		io.WriteString(s.data, ":")
		io.WriteString(s.data, s.trailers[name])
		io.WriteString(s.data, "\n")
	}
	b := append(s.sts[:0], trailerStringPrefix+"\n"...)
	b = append(b, s.o.AmzDate...)
	b = append(b, '\n')
	b = append(b, s.o.Scope...)
	b = append(b, '\n')
	b = append(b, s.prev...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, s.data.Sum(s.sum[:0]))
	s.sts = b
	return s.verify(b, "trailer")
}

// isToken reports whether b is a non-empty HTTP token (RFC 9110 tchar).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func trimSpace(b []byte) []byte { return bytes.Trim(b, " \t") }
