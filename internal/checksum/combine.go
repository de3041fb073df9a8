package checksum

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// gf2 is the arithmetic modulo one reflected CRC polynomial: polynomials of
// degree below width over GF(2), stored bit-reversed, so that x^0 is the top
// bit (1<<(width-1)) and x^(width-1) is bit 0, the way a reflected CRC
// register holds its remainder.
type gf2 struct {
	width uint   // 32 or 64
	poly  uint64 // P without its x^width term, bit-reversed
	// x2n[k] is x^(2^k) mod P. Combine needs up to x^(2^66): a length below
	// 2^63 bytes is below 2^66 bits.
	x2n [67]uint64
}

// Built once at package initialisation and read-only afterwards.
var (
	gfCRC32     = newGF2(32, crc32.IEEE)
	gfCRC32C    = newGF2(32, crc32.Castagnoli)
	gfCRC64NVME = newGF2(64, crc64NVMEPoly)
)

func newGF2(width uint, poly uint64) *gf2 {
	g := &gf2{width: width, poly: poly}
	g.x2n[0] = 1 << (width - 2) // x^1
	for k := 1; k < len(g.x2n); k++ {
		g.x2n[k] = g.mul(g.x2n[k-1], g.x2n[k-1])
	}
	return g
}

// one is the polynomial 1.
func (g *gf2) one() uint64 { return 1 << (g.width - 1) }

// mul returns a·b mod P (zlib's multmodp, for any width up to 64).
func (g *gf2) mul(a, b uint64) uint64 {
	var p uint64
	for m := g.one(); m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		// b *= x: shift towards x^(width-1); an x^width that falls off
		// the end is replaced by the rest of P.
		b = b>>1 ^ g.poly&-(b&1)
	}
	return p
}

// xpow8n returns x^(8n) mod P, the factor that shifts a CRC past n bytes.
func (g *gf2) xpow8n(n uint64) uint64 {
	p, first := g.one(), true
	for k := 3; n != 0; k++ {
		if n&1 != 0 {
			if first { // 1·x^(2^k) needs no multiplication
				p, first = g.x2n[k], false
			} else {
				p = g.mul(g.x2n[k], p)
			}
		}
		n >>= 1
	}
	return p
}

// combine returns crc(A||B) from crc(A), crc(B) and len(B). It holds for
// reflected CRCs whose initial value equals their final xor, as all three
// of S3's CRCs (all ones) do: the initial value's contribution over B and
// the final xor of crc(A) shifted over B cancel.
func (g *gf2) combine(crcA, crcB uint64, lenB uint64) uint64 {
	return g.mul(g.xpow8n(lenB), crcA) ^ crcB
}

var (
	errCombineNotCRC  = errors.New("checksum: Combine needs a CRC algorithm")
	errCombineSize    = errors.New("checksum: Combine: CRC has the wrong length")
	errCombineNegLenB = errors.New("checksum: Combine: negative length")
)

// Combine returns the CRC of A||B given crc(A), crc(B) and len(B), all as
// big-endian digest bytes (what Decode returns and Sum appends). It is how
// a FULL_OBJECT checksum of a multipart object follows from its parts'
// CRCs and sizes; it takes time logarithmic in lenB and reads no data.
// The CRC of zero bytes is all zeros, so a fold over the parts may start
// from make([]byte, a.Size()). Combine fails for an algorithm that is not a
// CRC, for digests of the wrong length and for a negative lenB.
func Combine(a Algorithm, crcA, crcB []byte, lenB int64) ([]byte, error) {
	if !a.IsCRC() {
		return nil, errCombineNotCRC
	}
	if len(crcA) != a.Size() || len(crcB) != a.Size() {
		return nil, errCombineSize
	}
	if lenB < 0 {
		return nil, errCombineNegLenB
	}
	switch a {
	case CRC32, CRC32C:
		g := gfCRC32
		if a == CRC32C {
			g = gfCRC32C
		}
		c := g.combine(uint64(binary.BigEndian.Uint32(crcA)), uint64(binary.BigEndian.Uint32(crcB)), uint64(lenB))
		return binary.BigEndian.AppendUint32(nil, uint32(c)), nil
	default: // CRC64NVME
		c := gfCRC64NVME.combine(binary.BigEndian.Uint64(crcA), binary.BigEndian.Uint64(crcB), uint64(lenB))
		return binary.BigEndian.AppendUint64(nil, c), nil
	}
}
