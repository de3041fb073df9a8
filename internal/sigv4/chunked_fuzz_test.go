package sigv4

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzStreamReader feeds arbitrary bodies to the decoder in every mode: it
// must never panic or hang, must return no more bytes than the body holds
// or x-amz-decoded-content-length allows, must fail with one of the
// package's errors, and must not depend on how the body is split into reads.
func FuzzStreamReader(f *testing.F) {
	f.Add([]byte(vecDBody), uint8(1), uint16(20), uint8(3))
	data := []byte("the quick brown fox jumps over the lazy dog")
	for i, m := range chunkModes {
		for _, chunk := range []int{1, 7, 64} {
			f.Add(newChunkEnc(m.signed, m.trailer, chunk, data).encode(data).body, uint8(i), uint16(len(data)), uint8(chunk))
		}
		f.Add(newChunkEnc(m.signed, m.trailer, 8, nil).encode(nil).body, uint8(i), uint16(0), uint8(1))
	}
	f.Add([]byte("5;x=y\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n"), uint8(2), uint16(0xffff), uint8(5))
	f.Add([]byte("ffffffffffffffffff\r\n"), uint8(2), uint16(0xffff), uint8(0))
	f.Add([]byte("\r\n\r\n\n\n;;;;"), uint8(0), uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, decoded uint16, bufSize uint8) {
		m := chunkModes[int(mode)%len(chunkModes)]
		e := newChunkEnc(m.signed, m.trailer, 8, nil)
		o := e.opts(int64(decoded))
		if decoded == 0xffff {
			o.DecodedLength = -1
		}
		if m.trailer {
			o.Trailers = []string{"x-amz-checksum-crc32"}
		}
		o.MaxChunkSize = 1 << 10
		bs := int(bufSize)%64 + 1

		got, err := fuzzDecodeStream(t, bytes.NewReader(body), o, bs)
		if len(got) > len(body) {
			t.Fatalf("decoded %d bytes from a %d-byte body", len(got), len(body))
		}
		if o.DecodedLength >= 0 && int64(len(got)) > o.DecodedLength {
			t.Fatalf("decoded %d bytes, more than the decoded length %d", len(got), o.DecodedLength)
		}
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || !(errors.Is(err, ErrChunkFormat) || errors.Is(err, ErrDecodedLength) || errors.Is(err, ErrMismatch)) {
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if se.Err == ErrMismatch && !m.signed {
				t.Fatal("signature mismatch in unsigned mode")
			}
		} else if o.DecodedLength >= 0 && int64(len(got)) != o.DecodedLength {
			t.Fatalf("decoded %d bytes, want %d", len(got), o.DecodedLength)
		}
		// The outcome does not depend on read sizes.
		got1, err1 := fuzzDecodeStream(t, iotest.OneByteReader(bytes.NewReader(body)), o, 4096)
		if (err == nil) != (err1 == nil) || err != nil && err.Error() != err1.Error() {
			t.Fatalf("outcome depends on read sizes: %v vs %v", err, err1)
		}
		if err == nil && !bytes.Equal(got, got1) {
			t.Fatal("decoded bytes depend on read sizes")
		}
	})
}

func fuzzDecodeStream(t *testing.T, r io.Reader, o StreamOptions, bs int) ([]byte, error) {
	sr := NewStreamReader(r, o)
	buf := make([]byte, bs)
	var out []byte
	// Each Read returns at least one byte or an error: bound the calls.
	for range 1 << 20 {
		n, err := sr.Read(buf)
		if n < 0 || n > len(buf) {
			t.Fatalf("Read returned n = %d", n)
		}
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			t.Fatal("Read returned 0, nil")
		}
	}
	t.Fatal("decoder does not terminate")
	return nil, nil
}
