// Package checksum computes and checks S3's flexible checksums, the
// x-amz-checksum-* values that current AWS SDKs send and expect back.
//
// The contract:
//
//   - There are five algorithms, named on the wire exactly as the Algorithm
//     constants spell them (CRC32, CRC32C, CRC64NVME, SHA1, SHA256). Parse
//     accepts any letter case, as the values of x-amz-sdk-checksum-algorithm
//     and x-amz-checksum-algorithm do, and returns the canonical constant.
//   - A value on the wire is the standard, padded base64 encoding of the
//     big-endian digest bytes: 4 bytes for CRC32 and CRC32C, 8 for
//     CRC64NVME, 20 for SHA1 and 32 for SHA256. Encode produces it and
//     Decode checks it (alphabet, padding, canonical form and length).
//   - The hashes Algorithm.New returns produce exactly those digest bytes
//     from Sum. CRC32 is CRC-32/ISO-HDLC (crc32.IEEE), CRC32C is
//     CRC-32/ISCSI (crc32.Castagnoli) and CRC64NVME is CRC-64/NVME
//     (polynomial 0xad93d23594c93659, reflected input and output, initial
//     value and final xor all ones), as aws-sdk-go-v2 computes them.
//   - FromHeader finds the single x-amz-checksum-<algorithm> header of a
//     request; it does not check the value, Decode does.
//   - A multipart object's checksum is either COMPOSITE, the checksum of the
//     concatenated part digests followed by "-" and the part count
//     (Composite), or, for the CRC algorithms only, FULL_OBJECT, the CRC of
//     the whole object, which Combine derives from the parts' CRCs and
//     lengths without reading the bytes again.
//
// FromHeader's error is the sentinel ErrMultipleChecksums, which the S3 edge
// maps to S3's InvalidRequest message; Decode's *ValueError carries S3's
// message text itself. errors.Is(err, ErrMultipleChecksums) and
// errors.As(err, new(*ValueError)) tell them apart.
//
// The package holds no mutable state; everything in it is safe for
// concurrent use.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strconv"
	"strings"
)

// Algorithm is a flexible-checksum algorithm, named as S3 names it.
type Algorithm string

// The algorithms S3 supports.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
)

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 in the
// bit-reversed form hash/crc64 takes.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// Tables are built once and never written afterwards.
var (
	castagnoliTable = crc32.MakeTable(crc32.Castagnoli)
	nvmeTable       = crc64.MakeTable(crc64NVMEPoly)
)

// algorithms lists every algorithm with the canonical form of its header
// key, in the order FromHeader looks for them.
var algorithms = [...]struct {
	alg Algorithm
	key string // http.CanonicalHeaderKey(alg.HeaderName())
}{
	{CRC32, "X-Amz-Checksum-Crc32"},
	{CRC32C, "X-Amz-Checksum-Crc32c"},
	{CRC64NVME, "X-Amz-Checksum-Crc64nvme"},
	{SHA1, "X-Amz-Checksum-Sha1"},
	{SHA256, "X-Amz-Checksum-Sha256"},
}

// ErrMultipleChecksums is FromHeader's error when a request carries the
// checksum headers of more than one algorithm. S3 answers it with
// InvalidRequest "Expecting a single x-amz-checksum- header. Multiple
// checksum Types are not allowed."; mapping it to that is the caller's job.
var ErrMultipleChecksums = errors.New("checksum: headers of more than one checksum algorithm")

// ErrUnknownAlgorithm is returned for an Algorithm that is none of the
// constants.
var ErrUnknownAlgorithm = errors.New("checksum: unknown algorithm")

// ValueError is Decode's error for a value that is not the base64 of a
// digest of the algorithm's size. Its text is S3's InvalidRequest message,
// for example "Value for x-amz-checksum-crc32 header is invalid."
type ValueError struct {
	Algorithm Algorithm
}

func (e *ValueError) Error() string {
	return "Value for " + e.Algorithm.HeaderName() + " header is invalid."
}

// Parse returns the algorithm a name denotes, in any letter case, and
// whether it denotes one. The empty name denotes none.
func Parse(name string) (Algorithm, bool) {
	for _, a := range algorithms {
		if strings.EqualFold(name, string(a.alg)) {
			return a.alg, true
		}
	}
	return "", false
}

// FromHeader returns the algorithm and the raw value of the one
// x-amz-checksum-<algorithm> header in h (keyed canonically, as net/http
// builds it). ok is false when there is none. A header that is present
// counts even when its value is empty; repeated lines of the same header are
// joined with "," as HTTP defines, which Decode then rejects. When the
// headers of two or more algorithms are present the error is
// ErrMultipleChecksums. Other x-amz-checksum-* headers (-type, -algorithm,
// -mode) are not checksum values and are ignored, as are unknown algorithms.
func FromHeader(h http.Header) (alg Algorithm, value string, ok bool, err error) {
	for _, a := range algorithms {
		vs, present := h[a.key]
		if !present {
			continue
		}
		if ok {
			return "", "", false, ErrMultipleChecksums
		}
		alg, value, ok = a.alg, strings.Join(vs, ","), true
	}
	return alg, value, ok, nil
}

// New returns a new hash computing a's digest; Sum appends the big-endian
// digest bytes that Encode turns into the wire value. It panics if a is not
// one of the constants.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoliTable)
	case CRC64NVME:
		return crc64.New(nvmeTable)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	panic("checksum: New of unknown algorithm " + strconv.Quote(string(a)))
}

// HeaderName returns the lower-case name of the header carrying a's value,
// for example "x-amz-checksum-crc32", or "" if a is not one of the
// constants.
func (a Algorithm) HeaderName() string {
	switch a {
	case CRC32:
		return "x-amz-checksum-crc32"
	case CRC32C:
		return "x-amz-checksum-crc32c"
	case CRC64NVME:
		return "x-amz-checksum-crc64nvme"
	case SHA1:
		return "x-amz-checksum-sha1"
	case SHA256:
		return "x-amz-checksum-sha256"
	}
	return ""
}

// Size returns the length of a's digest in bytes, or 0 if a is not one of
// the constants.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return crc32.Size
	case CRC64NVME:
		return crc64.Size
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	}
	return 0
}

// IsCRC reports whether a is one of the CRCs (CRC32, CRC32C, CRC64NVME),
// the algorithms for which a multipart upload may have a FULL_OBJECT
// checksum and Combine works.
func (a Algorithm) IsCRC() bool {
	return a == CRC32 || a == CRC32C || a == CRC64NVME
}

// Encode returns the wire form of a digest: standard, padded base64.
func Encode(sum []byte) string {
	return base64.StdEncoding.EncodeToString(sum)
}

// Decode returns the digest bytes of a wire value of algorithm a. The value
// must be the canonical standard base64 (padded, no line breaks, zero
// trailing bits) of exactly a.Size() bytes; otherwise the error is a
// *ValueError. An unknown algorithm gives ErrUnknownAlgorithm.
func Decode(a Algorithm, value string) ([]byte, error) {
	n := a.Size()
	if n == 0 {
		return nil, ErrUnknownAlgorithm
	}
	// The exact encoded length rules out missing padding and, since the
	// decoder skips '\r' and '\n', line breaks too.
	if len(value) != base64.StdEncoding.EncodedLen(n) {
		return nil, &ValueError{Algorithm: a}
	}
	sum, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil || len(sum) != n {
		return nil, &ValueError{Algorithm: a}
	}
	return sum, nil
}

// Composite returns S3's checksum of a multipart object of type COMPOSITE:
// the base64 of a's digest of the concatenated part digests (decoded bytes,
// in part order), then "-" and the number of parts. It panics if a is not
// one of the constants. S3 offers COMPOSITE for CRC32, CRC32C, SHA1 and
// SHA256, not for CRC64NVME; Composite computes it for any algorithm and
// leaves that rule to the caller.
func Composite(a Algorithm, parts [][]byte) string {
	h := a.New()
	for _, p := range parts {
		h.Write(p)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}
