package checksum

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"testing"
)

var all = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}
var crcs = []Algorithm{CRC32, CRC32C, CRC64NVME}

func sum(a Algorithm, data []byte) []byte {
	h := a.New()
	h.Write(data)
	return h.Sum(nil)
}

// refCRC is a bit-at-a-time reflected CRC with initial value and final xor
// all ones, written from the textbook definition and independent of
// hash/crc32, hash/crc64 and the tables of the package. poly is in normal
// (MSB-first) form and reflected here.
func refCRC(width uint, normalPoly uint64, data []byte) []byte {
	var rpoly uint64
	for i := uint(0); i < width; i++ {
		if normalPoly&(1<<i) != 0 {
			rpoly |= 1 << (width - 1 - i)
		}
	}
	mask := uint64(1)<<(width-1)<<1 - 1 // width ones, also for width 64
	crc := mask
	for _, c := range data {
		crc ^= uint64(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ rpoly
			} else {
				crc >>= 1
			}
		}
	}
	crc ^= mask
	out := binary.BigEndian.AppendUint64(nil, crc)
	return out[8-width/8:]
}

func refSum(a Algorithm, data []byte) []byte {
	switch a {
	case CRC32:
		return refCRC(32, 0x04c11db7, data)
	case CRC32C:
		return refCRC(32, 0x1edc6f41, data)
	case CRC64NVME:
		return refCRC(64, 0xad93d23594c93659, data)
	}
	panic("refSum: not a CRC")
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		alg  Algorithm
		in   string
		want string // hex
	}{
		{CRC32, "", "00000000"},
		{CRC32, "123456789", "cbf43926"},
		{CRC32C, "", "00000000"},
		{CRC32C, "123456789", "e3069283"},
		{CRC64NVME, "", "0000000000000000"},
		{CRC64NVME, "123456789", "ae8b14860a799888"},
		{SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		got := sum(tc.alg, []byte(tc.in))
		if !bytes.Equal(got, unhex(t, tc.want)) {
			t.Errorf("%s(%q) = %x, want %s", tc.alg, tc.in, got, tc.want)
		}
		if tc.alg.IsCRC() {
			if ref := refSum(tc.alg, []byte(tc.in)); !bytes.Equal(ref, got) {
				t.Errorf("reference %s(%q) = %x, want %s", tc.alg, tc.in, ref, tc.want)
			}
		}
		if len(got) != tc.alg.Size() {
			t.Errorf("%s: digest has %d bytes, Size says %d", tc.alg, len(got), tc.alg.Size())
		}
	}
}

func TestWireValue(t *testing.T) {
	// CRC32 of 20 × 'a', as AWS's flexible-checksum test vectors give it.
	if got := Encode(sum(CRC32, bytes.Repeat([]byte("a"), 20))); got != "Jm+Lzg==" {
		t.Errorf("CRC32 of 20 × 'a' = %q, want Jm+Lzg==", got)
	}
	if got := Encode(sum(CRC32, nil)); got != "AAAAAA==" {
		t.Errorf("CRC32 of nothing = %q, want AAAAAA==", got)
	}
}

// The CRC hashes must agree with the bitwise reference on many lengths,
// which also pins the table choice (in particular CRC-64/NVME's).
func TestCRCAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, a := range crcs {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 100, 2047, 2048, 4099} {
			data := randBytes(r, n)
			if got, want := sum(a, data), refSum(a, data); !bytes.Equal(got, want) {
				t.Errorf("%s of %d bytes = %x, reference %x", a, n, got, want)
			}
		}
	}
}

func TestSizesAndNames(t *testing.T) {
	for _, tc := range []struct {
		alg    Algorithm
		size   int
		header string
		crc    bool
	}{
		{CRC32, 4, "x-amz-checksum-crc32", true},
		{CRC32C, 4, "x-amz-checksum-crc32c", true},
		{CRC64NVME, 8, "x-amz-checksum-crc64nvme", true},
		{SHA1, 20, "x-amz-checksum-sha1", false},
		{SHA256, 32, "x-amz-checksum-sha256", false},
		{"MD5", 0, "", false},
		{"", 0, "", false},
	} {
		if got := tc.alg.Size(); got != tc.size {
			t.Errorf("%q.Size() = %d, want %d", tc.alg, got, tc.size)
		}
		if got := tc.alg.HeaderName(); got != tc.header {
			t.Errorf("%q.HeaderName() = %q, want %q", tc.alg, got, tc.header)
		}
		if got := tc.alg.IsCRC(); got != tc.crc {
			t.Errorf("%q.IsCRC() = %v, want %v", tc.alg, got, tc.crc)
		}
		if tc.size > 0 && tc.alg.New().Size() != tc.size {
			t.Errorf("%q.New().Size() = %d, want %d", tc.alg, tc.alg.New().Size(), tc.size)
		}
	}
	// The canonical keys FromHeader looks up must be those of the names.
	for _, a := range algorithms {
		if got := http.CanonicalHeaderKey(a.alg.HeaderName()); got != a.key {
			t.Errorf("canonical key of %s is %q, table says %q", a.alg, got, a.key)
		}
	}
}

func TestNewUnknownPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New of an unknown algorithm did not panic")
		}
	}()
	Algorithm("MD5").New()
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Algorithm
		ok   bool
	}{
		{"CRC32", CRC32, true},
		{"crc32", CRC32, true},
		{"Crc32C", CRC32C, true},
		{"crc64nvme", CRC64NVME, true},
		{"CRC64NVME", CRC64NVME, true},
		{"sha1", SHA1, true},
		{"Sha256", SHA256, true},
		{"", "", false},
		{"MD5", "", false},
		{"CRC64", "", false},
		{"SHA-256", "", false},
		{" CRC32", "", false},
		{"CRC32 ", "", false},
	} {
		got, ok := Parse(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFromHeader(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		h := http.Header{}
		h.Set("Content-Type", "text/plain")
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
		h.Set("x-amz-checksum-algorithm", "CRC32")
		h.Set("x-amz-sdk-checksum-algorithm", "CRC32")
		h.Set("x-amz-checksum-mode", "ENABLED")
		h.Set("x-amz-checksum-md5", "AAAAAA==")
		alg, v, ok, err := FromHeader(h)
		if alg != "" || v != "" || ok || err != nil {
			t.Errorf("FromHeader = %q, %q, %v, %v; want nothing", alg, v, ok, err)
		}
		if _, _, ok, err := FromHeader(nil); ok || err != nil {
			t.Errorf("FromHeader(nil) = %v, %v", ok, err)
		}
	})
	t.Run("one", func(t *testing.T) {
		for _, a := range all {
			h := http.Header{}
			h.Set("x-amz-checksum-type", "COMPOSITE")
			val := Encode(sum(a, []byte("x")))
			h.Set(a.HeaderName(), val)
			alg, v, ok, err := FromHeader(h)
			if alg != a || v != val || !ok || err != nil {
				t.Errorf("FromHeader with %s = %q, %q, %v, %v", a, alg, v, ok, err)
			}
		}
		// Present but empty still counts; Decode rejects it.
		h := http.Header{}
		h.Set("X-Amz-Checksum-Sha256", "")
		alg, v, ok, err := FromHeader(h)
		if alg != SHA256 || v != "" || !ok || err != nil {
			t.Errorf("FromHeader with empty value = %q, %q, %v, %v", alg, v, ok, err)
		}
		// Repeated lines of one header: joined, and not valid base64.
		h = http.Header{}
		h.Add("x-amz-checksum-crc32", "AAAAAA==")
		h.Add("x-amz-checksum-crc32", "AAAAAA==")
		alg, v, ok, err = FromHeader(h)
		if alg != CRC32 || v != "AAAAAA==,AAAAAA==" || !ok || err != nil {
			t.Errorf("FromHeader with repeated header = %q, %q, %v, %v", alg, v, ok, err)
		}
		if _, err := Decode(alg, v); err == nil {
			t.Error("Decode accepted a repeated header's joined value")
		}
	})
	t.Run("two", func(t *testing.T) {
		for i, a := range all {
			for _, b := range all[i+1:] {
				h := http.Header{}
				h.Set(a.HeaderName(), Encode(sum(a, nil)))
				h.Set(b.HeaderName(), Encode(sum(b, nil)))
				alg, v, ok, err := FromHeader(h)
				if !errors.Is(err, ErrMultipleChecksums) || ok || alg != "" || v != "" {
					t.Errorf("FromHeader with %s and %s = %q, %q, %v, %v", a, b, alg, v, ok, err)
				}
			}
		}
	})
}

func TestDecode(t *testing.T) {
	for _, a := range all {
		want := sum(a, []byte("decode me"))
		got, err := Decode(a, Encode(want))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Decode(%s, Encode(%x)) = %x, %v", a, want, got, err)
		}
	}
	bad := []struct {
		alg Algorithm
		in  string
	}{
		{CRC32, ""},
		{CRC32, "Jm+Lzg"},           // no padding
		{CRC32, "Jm+Lzg="},          // short padding
		{CRC32, "Jm+Lzg==="},        // extra padding
		{CRC32, "Jm+Lzg==\n"},       // trailing newline
		{CRC32, "Jm+L\nzg=="},       // embedded newline, right length
		{CRC32, "Jm-Lzg=="},         // URL alphabet
		{CRC32, "Jm+Lzh=="},         // non-zero trailing bits
		{CRC32, "Jm+Lzg==Jm+Lzg=="}, // two values
		{CRC32, "AAAAAAAAAAA="},     // 8 bytes
		{CRC32, "AAAA"},             // 3 bytes
		{CRC32C, "AAAAAAAAAAA="},    // 8 bytes
		{CRC64NVME, "AAAAAA=="},     // 4 bytes
		{CRC64NVME, "AAAAAAAAAAAAAA=="},
		{SHA1, Encode(make([]byte, 32))},
		{SHA256, Encode(make([]byte, 20))},
		{SHA256, Encode(make([]byte, 33))},
		{SHA256, "!!!!" + Encode(make([]byte, 32))[4:]},
	}
	for _, tc := range bad {
		got, err := Decode(tc.alg, tc.in)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Algorithm != tc.alg || got != nil {
			t.Errorf("Decode(%s, %q) = %x, %v; want a *ValueError", tc.alg, tc.in, got, err)
			continue
		}
		want := "Value for " + tc.alg.HeaderName() + " header is invalid."
		if err.Error() != want {
			t.Errorf("Decode(%s, %q) error %q, want %q", tc.alg, tc.in, err, want)
		}
	}
	if err := (&ValueError{CRC32}).Error(); err != "Value for x-amz-checksum-crc32 header is invalid." {
		t.Errorf("ValueError text %q", err)
	}
	if _, err := Decode("MD5", "AAAAAA=="); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("Decode of an unknown algorithm: %v", err)
	}
}

func TestComposite(t *testing.T) {
	parts := [][]byte{[]byte("hello "), []byte("composite "), []byte("world")}
	digests := func(a Algorithm) [][]byte {
		var ds [][]byte
		for _, p := range parts {
			ds = append(ds, sum(a, p))
		}
		return ds
	}
	// Computed independently with Python's zlib and hashlib.
	for _, tc := range []struct {
		alg  Algorithm
		want string
	}{
		{CRC32, "6ai43Q==-3"},
		{SHA256, "3ECozpg+I8E9Xs2dvByhc4WItwcn1GZNFluU8SQKi74=-3"},
	} {
		if got := Composite(tc.alg, digests(tc.alg)); got != tc.want {
			t.Errorf("Composite(%s) = %q, want %q", tc.alg, got, tc.want)
		}
	}
	// By hand: concatenate the digests, hash with the reference CRC.
	for _, a := range crcs {
		ds := digests(a)
		var cat []byte
		for i, p := range parts {
			d := refSum(a, p)
			if !bytes.Equal(d, ds[i]) {
				t.Fatalf("%s of part %d: %x, reference %x", a, i+1, ds[i], d)
			}
			cat = append(cat, d...)
		}
		want := base64.StdEncoding.EncodeToString(refSum(a, cat)) + "-3"
		if got := Composite(a, ds); got != want {
			t.Errorf("Composite(%s) = %q, want %q", a, got, want)
		}
	}
	ds := digests(SHA1)
	h := SHA1.New()
	h.Write(bytes.Join(ds, nil))
	if got, want := Composite(SHA1, ds), Encode(h.Sum(nil))+"-3"; got != want {
		t.Errorf("Composite(SHA1) = %q, want %q", got, want)
	}
	// No parts: the digest of nothing. One part: the digest of the part's
	// digest, not the part's digest.
	if got, want := Composite(SHA256, nil), Encode(sum(SHA256, nil))+"-0"; got != want {
		t.Errorf("Composite of no parts = %q, want %q", got, want)
	}
	d := sum(CRC32, parts[0])
	if got, want := Composite(CRC32, [][]byte{d}), Encode(refSum(CRC32, d))+"-1"; got != want {
		t.Errorf("Composite of one part = %q, want %q", got, want)
	}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, a := range crcs {
		for _, n := range []int{0, 1, 7, 8, 1000, 1<<20 + 3} {
			data := randBytes(r, n)
			whole := sum(a, data)
			splits := []int{0, n / 2, n}
			for range 20 {
				splits = append(splits, r.IntN(n+1))
			}
			for _, s := range splits {
				got, err := Combine(a, sum(a, data[:s]), sum(a, data[s:]), int64(n-s))
				if err != nil || !bytes.Equal(got, whole) {
					t.Errorf("%s: %d bytes split at %d: Combine = %x, %v; direct %x", a, n, s, got, err, whole)
				}
			}
		}
	}
}

// Folding parts from the CRC of nothing gives the FULL_OBJECT checksum.
func TestCombineFold(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, a := range crcs {
		data := randBytes(r, 50000)
		acc := make([]byte, a.Size())
		for rest := data; len(rest) > 0; {
			n := min(len(rest), r.IntN(9000))
			var err error
			if acc, err = Combine(a, acc, sum(a, rest[:n]), int64(n)); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if want := sum(a, data); !bytes.Equal(acc, want) {
			t.Errorf("%s: fold = %x, direct %x", a, acc, want)
		}
	}
}

// Lengths too large to hash are checked through associativity:
// (A||B)||C = A||(B||C) for arbitrary CRC values.
func TestCombineLargeLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	lens := []int64{1 << 30, 5<<30 + 17, 1 << 40, 1<<62 - 1, 1<<63 - 1, 123456789012345}
	for _, a := range crcs {
		for i := range 50 {
			ca, cb, cc := randBytes(r, a.Size()), randBytes(r, a.Size()), randBytes(r, a.Size())
			lb, lc := lens[i%len(lens)], lens[(i/len(lens))%len(lens)]
			if lb+lc < 0 { // overflow: make the sum exactly the largest length
				lc = math.MaxInt64 - lb
			}
			ab, _ := Combine(a, ca, cb, lb)
			left, _ := Combine(a, ab, cc, lc)
			bc, _ := Combine(a, cb, cc, lc)
			right, err := Combine(a, ca, bc, lb+lc)
			if err != nil || !bytes.Equal(left, right) {
				t.Errorf("%s: lengths %d, %d: (AB)C = %x, A(BC) = %x, %v", a, lb, lc, left, right, err)
			}
		}
	}
}

func TestCombineErrors(t *testing.T) {
	for _, tc := range []struct {
		alg    Algorithm
		a, b   []byte
		lenB   int64
		reason string
	}{
		{SHA1, make([]byte, 20), make([]byte, 20), 1, "not a CRC"},
		{SHA256, make([]byte, 32), make([]byte, 32), 1, "not a CRC"},
		{"", nil, nil, 0, "unknown"},
		{CRC32, make([]byte, 8), make([]byte, 4), 1, "long crcA"},
		{CRC32C, make([]byte, 4), make([]byte, 3), 1, "short crcB"},
		{CRC64NVME, make([]byte, 4), make([]byte, 4), 1, "CRC32-sized"},
		{CRC32, make([]byte, 4), make([]byte, 4), -1, "negative length"},
	} {
		if got, err := Combine(tc.alg, tc.a, tc.b, tc.lenB); err == nil {
			t.Errorf("Combine %s (%s) = %x, want an error", tc.alg, tc.reason, got)
		}
	}
}

func FuzzCombine(f *testing.F) {
	f.Add([]byte(""), uint32(0), uint8(0))
	f.Add([]byte("123456789"), uint32(4), uint8(1))
	f.Add(bytes.Repeat([]byte("a"), 20), uint32(20), uint8(2))
	f.Add(bytes.Repeat([]byte{0xff, 0}, 3000), uint32(2049), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, split uint32, which uint8) {
		a := crcs[int(which)%len(crcs)]
		s := int(split % uint32(len(data)+1))
		// Through the wire form, as a server stores part checksums.
		ca, err := Decode(a, Encode(sum(a, data[:s])))
		if err != nil {
			t.Fatal(err)
		}
		cb, err := Decode(a, Encode(sum(a, data[s:])))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Combine(a, ca, cb, int64(len(data)-s))
		if err != nil {
			t.Fatal(err)
		}
		if want := sum(a, data); !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes split at %d: Combine = %x, direct %x", a, len(data), s, got, want)
		}
	})
}

// Decode accepts exactly the canonical encodings of digests of the right
// size: whatever it accepts, Encode gives back unchanged.
func FuzzDecode(f *testing.F) {
	f.Add("Jm+Lzg==", uint8(0))
	f.Add("Jm+Lzh==", uint8(0))
	f.Add("AAAAAAAAAAA=", uint8(2))
	f.Add("", uint8(3))
	f.Fuzz(func(t *testing.T, value string, which uint8) {
		a := all[int(which)%len(all)]
		b, err := Decode(a, value)
		if err != nil {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("Decode(%s, %q): error %v is not a *ValueError", a, value, err)
			}
			return
		}
		if len(b) != a.Size() || Encode(b) != value {
			t.Fatalf("Decode(%s, %q) = %x, which encodes as %q", a, value, b, Encode(b))
		}
	})
}

func BenchmarkCombine(b *testing.B) {
	const lenB = 8 << 20
	for _, a := range crcs {
		b.Run(string(a), func(b *testing.B) {
			ca, cb := sum(a, []byte("part one")), sum(a, []byte("part two"))
			for b.Loop() {
				if _, err := Combine(a, ca, cb, lenB); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCombineOddLength uses a length with many bits set, the slowest
// case for a given magnitude.
func BenchmarkCombineOddLength(b *testing.B) {
	const lenB = 8<<20 - 1
	for _, a := range crcs {
		b.Run(string(a), func(b *testing.B) {
			ca, cb := sum(a, []byte("part one")), sum(a, []byte("part two"))
			for b.Loop() {
				if _, err := Combine(a, ca, cb, lenB); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHash is the direct alternative Combine avoids: hashing 8 MiB.
func BenchmarkHash(b *testing.B) {
	data := randBytes(rand.New(rand.NewPCG(9, 10)), 8<<20)
	for _, a := range all {
		b.Run(string(a), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				h := a.New()
				for p := data; len(p) > 0; p = p[min(len(p), 32<<10):] {
					h.Write(p[:min(len(p), 32<<10)])
				}
				h.Sum(nil)
			}
		})
	}
}
