package sse

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"
	"testing/iotest"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, DataKeySize) }

func encrypt(t testing.TB, plain, key []byte) []byte {
	t.Helper()
	e, err := NewEncrypter(bytes.NewReader(plain), key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(e)
	if err != nil {
		t.Fatal(err)
	}
	if e.PlainSize() != int64(len(plain)) {
		t.Fatalf("PlainSize %d, want %d", e.PlainSize(), len(plain))
	}
	if int64(len(out)) != EncryptedSize(int64(len(plain))) {
		t.Fatalf("stream of %d bytes is %d, EncryptedSize says %d", len(plain), len(out), EncryptedSize(int64(len(plain))))
	}
	return out
}

func decrypter(t testing.TB, ct, key []byte, size int64) *Decrypter {
	t.Helper()
	d, err := NewDecrypter(bytes.NewReader(ct), int64(len(ct)), key, size)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestRoundTripSizes(t *testing.T) {
	key := testKey(1)
	for _, n := range []int{0, 1, 15, 16, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 17, batchChunks*ChunkSize + 5, 2*batchChunks*ChunkSize + 1} {
		plain := pattern(n)
		ct := encrypt(t, plain, key)
		if n >= 64 && bytes.Contains(ct, plain[:64]) {
			t.Fatalf("%d: plaintext appears in the stream", n)
		}
		d := decrypter(t, ct, key, int64(n))
		got, err := io.ReadAll(io.NewSectionReader(d, 0, int64(n)))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d: round trip failed (err %v, %d bytes)", n, err, len(got))
		}
	}
}

// TestEncrypterSmallReads feeds the encrypter one byte at a time and
// reads its output in odd sizes: the stream must be the same format.
func TestEncrypterSmallReads(t *testing.T) {
	key := testKey(2)
	plain := pattern(2*ChunkSize + 3)
	e, err := NewEncrypter(iotest.OneByteReader(bytes.NewReader(plain)), key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	buf := make([]byte, 1000)
	for {
		n, err := e.Read(buf[:1+mrand.IntN(999)])
		out.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	d := decrypter(t, out.Bytes(), key, int64(len(plain)))
	got := make([]byte, len(plain))
	if _, err := d.ReadAt(got, 0); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestEncrypterPassesSourceErrors(t *testing.T) {
	boom := errors.New("boom")
	e, _ := NewEncrypter(io.MultiReader(bytes.NewReader(pattern(ChunkSize+10)), iotest.ErrReader(boom)), testKey(1), rand.Reader)
	if _, err := io.ReadAll(e); !errors.Is(err, boom) {
		t.Fatalf("want the source's error, got %v", err)
	}
	// A source's io.ErrUnexpectedEOF is an error, not the end.
	e, _ = NewEncrypter(io.MultiReader(bytes.NewReader(pattern(10)), iotest.ErrReader(io.ErrUnexpectedEOF)), testKey(1), rand.Reader)
	if _, err := io.ReadAll(e); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want io.ErrUnexpectedEOF, got %v", err)
	}
	// The error comes with the bytes before it, in the same call (the
	// blob store may not call again once the request's context is gone).
	e, _ = NewEncrypter(io.MultiReader(bytes.NewReader(pattern(10)), iotest.ErrReader(boom)), testKey(1), rand.Reader)
	if n, err := e.Read(make([]byte, 1<<20)); n != HeaderSize || !errors.Is(err, boom) {
		t.Fatalf("first read: %d, %v; want the header and the source's error", n, err)
	}
	// An error right at a chunk boundary (during the look-ahead).
	e, _ = NewEncrypter(io.MultiReader(bytes.NewReader(pattern(ChunkSize)), iotest.ErrReader(boom)), testKey(1), rand.Reader)
	if _, err := io.ReadAll(e); !errors.Is(err, boom) {
		t.Fatalf("want the source's error at a boundary, got %v", err)
	}
}

// TestRanges reads every interesting range: chunk edges, unaligned
// starts and ends, single bytes, the tail, ranges spanning batches.
func TestRanges(t *testing.T) {
	key := testKey(3)
	n := 3*batchChunks*ChunkSize/2 + 777
	plain := pattern(n)
	d := decrypter(t, encrypt(t, plain, key), key, int64(n))
	points := []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2*ChunkSize - 1, batchChunks*ChunkSize - 1, batchChunks * ChunkSize,
		batchChunks*ChunkSize + 1, n - ChunkSize, n - 2, n - 1, n}
	for range 40 {
		points = append(points, mrand.IntN(n+1))
	}
	for _, a := range points {
		for _, b := range points {
			if b < a {
				continue
			}
			got := make([]byte, b-a)
			m, err := d.ReadAt(got, int64(a))
			if m != b-a || (err != nil && !(err == io.EOF && b == n)) || !bytes.Equal(got, plain[a:b]) {
				t.Fatalf("range [%d,%d): read %d, err %v, equal %v", a, b, m, err, bytes.Equal(got[:m], plain[a:a+m]))
			}
		}
	}
	// Reading past the end returns what there is and io.EOF.
	got := make([]byte, 100)
	if m, err := d.ReadAt(got, int64(n-10)); m != 10 || err != io.EOF || !bytes.Equal(got[:10], plain[n-10:]) {
		t.Fatalf("tail read: %d %v", m, err)
	}
	if _, err := d.ReadAt(got, int64(n)); err != io.EOF {
		t.Fatalf("read at the end: %v", err)
	}
}

func readAll(d *Decrypter) error {
	_, err := io.ReadAll(io.NewSectionReader(d, 0, d.Size()))
	return err
}

func TestTamper(t *testing.T) {
	key := testKey(4)
	n := 3*ChunkSize + 100
	plain := pattern(n)
	ct := encrypt(t, plain, key)
	chunk := func(i int) []byte { return ct[HeaderSize+i*(ChunkSize+Overhead):][:ChunkSize+Overhead] }

	t.Run("wrong key", func(t *testing.T) {
		if err := readAll(decrypter(t, ct, testKey(5), int64(n))); !errors.Is(err, ErrAuth) {
			t.Fatalf("want ErrAuth, got %v", err)
		}
	})
	t.Run("flipped byte in every position class", func(t *testing.T) {
		for _, pos := range []int{HeaderSize, HeaderSize + 10, HeaderSize + ChunkSize + Overhead + 5, len(ct) - 1, len(ct) - Overhead} {
			bad := bytes.Clone(ct)
			bad[pos] ^= 1
			if err := readAll(decrypter(t, bad, key, int64(n))); !errors.Is(err, ErrAuth) {
				t.Fatalf("flip at %d: want ErrAuth, got %v", pos, err)
			}
		}
	})
	t.Run("header", func(t *testing.T) {
		for pos := 8; pos < HeaderSize-1; pos++ { // salt and nonce prefix
			bad := bytes.Clone(ct)
			bad[pos] ^= 0x80
			if err := readAll(decrypter(t, bad, key, int64(n))); !errors.Is(err, ErrAuth) {
				t.Fatalf("header byte %d: want ErrAuth, got %v", pos, err)
			}
		}
		for _, pos := range []int{0, 4, 5, 6, HeaderSize - 1} { // magic, version, chunk size, reserved
			bad := bytes.Clone(ct)
			bad[pos] ^= 1
			if _, err := NewDecrypter(bytes.NewReader(bad), int64(len(bad)), key, int64(n)); !errors.Is(err, ErrFormat) {
				t.Fatalf("header byte %d: want ErrFormat, got %v", pos, err)
			}
		}
	})
	t.Run("reordered chunks", func(t *testing.T) {
		bad := bytes.Clone(ct)
		copy(bad[HeaderSize:], chunk(1))
		copy(bad[HeaderSize+ChunkSize+Overhead:], chunk(0))
		d := decrypter(t, bad, key, int64(n))
		if _, err := d.ReadAt(make([]byte, 10), 0); !errors.Is(err, ErrAuth) {
			t.Fatalf("want ErrAuth, got %v", err)
		}
	})
	t.Run("chunk from another stream under the same data key", func(t *testing.T) {
		other := encrypt(t, pattern(n), key) // same key and plaintext, another salt
		bad := bytes.Clone(ct)
		copy(bad[HeaderSize+ChunkSize+Overhead:], other[HeaderSize+ChunkSize+Overhead:][:ChunkSize+Overhead])
		d := decrypter(t, bad, key, int64(n))
		if _, err := d.ReadAt(make([]byte, 10), ChunkSize+5); !errors.Is(err, ErrAuth) {
			t.Fatalf("want ErrAuth, got %v", err)
		}
	})
	t.Run("truncated at a chunk boundary", func(t *testing.T) {
		// The blob loses its last chunk and the record claims the
		// shorter size: the new last chunk was not sealed as last.
		short := ct[:HeaderSize+3*(ChunkSize+Overhead)]
		d, err := NewDecrypter(bytes.NewReader(short), int64(len(short)), key, 3*ChunkSize)
		if err != nil {
			t.Fatal(err)
		}
		if err := readAll(d); !errors.Is(err, ErrAuth) {
			t.Fatalf("want ErrAuth, got %v", err)
		}
	})
	t.Run("size mismatch", func(t *testing.T) {
		if _, err := NewDecrypter(bytes.NewReader(ct[:len(ct)-1]), int64(len(ct)-1), key, int64(n)); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated blob: want ErrFormat, got %v", err)
		}
		if _, err := NewDecrypter(bytes.NewReader(ct), int64(len(ct)), key, int64(n-1)); !errors.Is(err, ErrFormat) {
			t.Fatalf("shorter plaintext size: want ErrFormat, got %v", err)
		}
	})
	t.Run("extended", func(t *testing.T) {
		// An extra last chunk appended: the old last chunk is sealed as last.
		extra := append(bytes.Clone(ct[:HeaderSize+3*(ChunkSize+Overhead)+100+Overhead]), chunk(0)...)
		d, err := NewDecrypter(bytes.NewReader(extra), int64(len(extra)), key, int64(n+ChunkSize))
		if err == nil {
			err = readAll(d)
		}
		if err == nil {
			t.Fatal("extended stream read without error")
		}
	})
}

// FuzzDecrypter: arbitrary stored bytes never panic the decoder, and
// never decrypt to anything but an error (they were not sealed under the
// key), except the one valid stream the seed corpus holds.
func FuzzDecrypter(f *testing.F) {
	key := testKey(9)
	// Deterministic randomness: fuzz workers are other processes, and
	// each must build the same valid stream.
	e, err := NewEncrypter(bytes.NewReader(pattern(ChunkSize+3)), key, bytes.NewReader(make([]byte, 64)))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := io.ReadAll(e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, int64(ChunkSize+3), int64(0), 100)
	f.Add(valid[:HeaderSize], int64(0), int64(0), 1)
	f.Add([]byte("GHSE\x01\x10\x00\x00"), int64(5), int64(2), 3)
	f.Fuzz(func(t *testing.T, data []byte, size, off int64, n int) {
		d, err := NewDecrypter(bytes.NewReader(data), int64(len(data)), key, size)
		if err != nil {
			return
		}
		if n < 0 || n > 1<<20 {
			n = 1 << 10
		}
		p := make([]byte, n)
		m, err := d.ReadAt(p, off)
		if m < 0 || m > n {
			t.Fatalf("ReadAt returned %d of %d", m, n)
		}
		if err == nil && !bytes.Equal(data, valid) {
			if m > 0 || (off >= 0 && off < size && n > 0) {
				t.Fatalf("forged stream of %d bytes decrypted %d bytes", len(data), m)
			}
		}
	})
}

func BenchmarkEncrypt(b *testing.B) {
	plain := pattern(8 << 20)
	key := testKey(1)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		e, _ := NewEncrypter(bytes.NewReader(plain), key, rand.Reader)
		io.Copy(io.Discard, e)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	plain := pattern(8 << 20)
	key := testKey(1)
	ct := encrypt(b, plain, key)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		d, _ := NewDecrypter(bytes.NewReader(ct), int64(len(ct)), key, int64(len(plain)))
		for off := int64(0); off < int64(len(plain)); off += int64(len(buf)) {
			d.ReadAt(buf, off)
		}
	}
}

// sectionCopier is copyCipher over an in-memory stream, writing in
// pieces of the given size (as a backend's read-ahead does).
func sectionCopier(ct []byte, piece int) func(io.Writer, int64, int64) (int64, error) {
	return func(w io.Writer, off, n int64) (int64, error) {
		var total int64
		for total < n {
			m := min(int64(piece), n-total)
			k, err := w.Write(ct[off+total : off+total+m])
			total += int64(k)
			if err != nil {
				return total, err
			}
		}
		return total, nil
	}
}

func TestStreamTo(t *testing.T) {
	key := testKey(6)
	// A small object (one short chunk), one that fits one batch, and one
	// that needs several batches in flight (more than batchChunks chunks).
	for _, n := range []int{4096, 5*ChunkSize + 999, (2*batchChunks+3)*ChunkSize + 77} {
		plain := pattern(n)
		ct := encrypt(t, plain, key)
		d := decrypter(t, ct, key, int64(n))
		points := []int{0, 1, n / 3, n - 1, n}
		if n > ChunkSize {
			points = append(points, ChunkSize-1, ChunkSize, ChunkSize+1, 3*ChunkSize+7)
		}
		if n > batchChunks*ChunkSize {
			points = append(points, batchChunks*ChunkSize-1, batchChunks*ChunkSize+5, (batchChunks+1)*ChunkSize)
		}
		for _, piece := range []int{1, 1000, ChunkSize + Overhead, 1 << 20} {
			for _, a := range points {
				for _, b := range points {
					if b < a || (piece == 1 && b-a > 2*ChunkSize) {
						continue
					}
					var out bytes.Buffer
					m, err := d.StreamTo(&out, int64(a), int64(b-a), sectionCopier(ct, piece))
					if err != nil || m != int64(b-a) || !bytes.Equal(out.Bytes(), plain[a:b]) {
						t.Fatalf("size %d, piece %d, [%d,%d): %d bytes, %v", n, piece, a, b, m, err)
					}
				}
			}
		}
	}
	n := 5*ChunkSize + 999
	plain := pattern(n)
	ct := encrypt(t, plain, key)
	d := decrypter(t, ct, key, int64(n))
	// Tampering is detected on this path too.
	bad := bytes.Clone(ct)
	bad[HeaderSize+2*(ChunkSize+Overhead)+3] ^= 1
	db := decrypter(t, bad, key, int64(n))
	if _, err := db.StreamTo(io.Discard, 0, int64(n), sectionCopier(bad, 4096)); !errors.Is(err, ErrAuth) {
		t.Fatalf("tampered: want ErrAuth, got %v", err)
	}
	// A copier that stops short is an error, not a short success.
	short := func(w io.Writer, off, n int64) (int64, error) { return sectionCopier(ct, 4096)(w, off, n-100) }
	if _, err := d.StreamTo(io.Discard, 0, int64(n), short); err == nil {
		t.Fatal("short ciphertext read without an error")
	}
	// A writer that fails stops the copy, and its error is returned.
	boom := errors.New("client gone")
	if m, err := d.StreamTo(&failAfter{left: 100000, err: boom}, 0, int64(n), sectionCopier(ct, 4096)); !errors.Is(err, boom) || m > 100000 {
		t.Fatalf("failing writer: %d bytes, %v", m, err)
	}
	if _, err := d.StreamTo(io.Discard, 0, int64(n)+1, sectionCopier(ct, 4096)); err == nil {
		t.Fatal("range past the end accepted")
	}
}

// failAfter accepts left bytes, then fails every write.
type failAfter struct {
	left int
	err  error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		return 0, f.err
	}
	f.left -= len(p)
	return len(p), nil
}

func TestEncrypterHashes(t *testing.T) {
	for _, n := range []int{0, 5, ChunkSize, 7*ChunkSize + 3} {
		plain := pattern(n)
		h := sha256.New()
		e, err := NewEncrypter(iotest.HalfReader(bytes.NewReader(plain)), testKey(1), rand.Reader, h)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := io.ReadAll(e)
		e.Wait()
		e.Wait() // idempotent
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256(plain); !bytes.Equal(h.Sum(nil), want[:]) {
			t.Fatalf("%d bytes: the hash was not fed the plaintext", n)
		}
		d := decrypter(t, ct, testKey(1), int64(n))
		got := make([]byte, n)
		if _, err := d.ReadAt(got, 0); (err != nil && n > 0) || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: round trip with hashes: %v", n, err)
		}
	}
}

// TestSealMatchesEncrypter: Seal's stream is the one an Encrypter makes
// from the same bytes and randomness, for empty, one-chunk, exact-chunk
// and several-chunk inputs; it decrypts back.
func TestSealMatchesEncrypter(t *testing.T) {
	key := testKey(9)
	for _, n := range []int{0, 1, 4096, ChunkSize, ChunkSize + 1, 3*ChunkSize + 17} {
		plain := pattern(n)
		rnd := bytes.Repeat([]byte{7}, saltSize+prefixSize)
		got, err := Seal(plain, key, bytes.NewReader(rnd))
		if err != nil {
			t.Fatal(err)
		}
		enc, err := NewEncrypter(bytes.NewReader(plain), key, bytes.NewReader(rnd))
		if err != nil {
			t.Fatal(err)
		}
		want, err := io.ReadAll(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || int64(len(got)) != EncryptedSize(int64(n)) || cap(got) != len(got) {
			t.Fatalf("%d bytes: Seal gave %d bytes (cap %d), the Encrypter %d; equal %v", n, len(got), cap(got), len(want), bytes.Equal(got, want))
		}
		d := decrypter(t, got, key, int64(n))
		back := make([]byte, n)
		if m, err := d.ReadAt(back, 0); (err != nil && err != io.EOF) || m != n || !bytes.Equal(back, plain) {
			t.Fatalf("%d bytes: decrypted %d, %v", n, m, err)
		}
	}
}
