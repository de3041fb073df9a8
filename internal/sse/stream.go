package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"sync"
)

// Stream format constants (version 1).
const (
	// ChunkSize is the plaintext size of every chunk but the last.
	ChunkSize = 1 << chunkLog
	// HeaderSize is the size of a stream's header.
	HeaderSize = 48
	// Overhead is the bytes each chunk adds (its GCM tag).
	Overhead = 16

	chunkLog   = 16
	version1   = 1
	saltSize   = 32
	prefixSize = 7
	// batchChunks bounds the chunks one ReadAt reads from the blob at once
	// (a ~1 MiB buffer per Decrypter).
	batchChunks = 16
	streamInfo  = "gatehouse/sse/stream/v1"
)

var magic = [4]byte{'G', 'H', 'S', 'E'}

// Errors of the stream format. Neither says anything about the key.
var (
	// ErrFormat: the bytes are not a stream of a known format (or its
	// size does not match the plaintext size it should hold).
	ErrFormat = errors.New("sse: not an encrypted stream of a known format")
	// ErrAuth: a chunk failed authentication (wrong key, tampering,
	// truncation, reordering).
	ErrAuth = errors.New("sse: encrypted stream failed authentication")
	// errTooLong: a stream beyond 2^32 chunks (256 TiB).
	errTooLong = errors.New("sse: stream too long")
)

// EncryptedSize is the size of the stream that holds n plaintext bytes.
func EncryptedSize(n int64) int64 {
	chunks := max(1, (n+ChunkSize-1)/ChunkSize)
	return HeaderSize + chunks*Overhead + n
}

// chunkCount is the number of chunks of a stream of n plaintext bytes.
func chunkCount(n int64) int64 { return max(1, (n+ChunkSize-1)/ChunkSize) }

// streamAEAD derives a stream's key from the data key and the header's salt.
func streamAEAD(dataKey, salt []byte) (cipher.AEAD, error) {
	if len(dataKey) != DataKeySize {
		return nil, errors.New("sse: data key must be 32 bytes")
	}
	k, err := hkdf.Key(sha256.New, dataKey, salt, streamInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// nonce is prefix | index (big-endian uint32) | last flag.
func nonce(dst *[12]byte, prefix []byte, i uint32, last bool) []byte {
	copy(dst[:prefixSize], prefix)
	binary.BigEndian.PutUint32(dst[prefixSize:], i)
	dst[11] = 0
	if last {
		dst[11] = 1
	}
	return dst[:]
}

// Encrypter is an io.Reader of the encrypted stream of its source's bytes.
// It holds two chunks of memory whatever the source's length (and
// hashDepth more with plaintext hashes). Errors of the source are returned
// as they are.
type Encrypter struct {
	src    io.Reader
	aead   cipher.AEAD
	header [HeaderSize]byte
	idx    uint32
	pt     []byte
	// With plaintext hashes, chunks go round a ring of buffers: a
	// goroutine hashes each chunk while the next ones are encrypted.
	hashTodo chan []byte
	hashFree chan []byte
	hashDone chan struct{}
	waited   bool
	carry    byte
	hasCarry bool
	sealed   []byte
	out      []byte
	done     bool
	err      error
	n        int64
}

// hashDepth is the number of plaintext chunks waiting for the hashes.
const hashDepth = 4

// NewEncrypter encrypts src under dataKey; rnd supplies the header's salt
// and nonce prefix (crypto/rand.Reader outside tests). The hashes are fed
// src's bytes on a goroutine of their own; with any, the caller must call
// Wait once it is done with the Encrypter (and before reading them).
func NewEncrypter(src io.Reader, dataKey []byte, rnd io.Reader, hashes ...hash.Hash) (*Encrypter, error) {
	e := &Encrypter{src: src}
	copy(e.header[:4], magic[:])
	e.header[4], e.header[5] = version1, chunkLog
	if _, err := io.ReadFull(rnd, e.header[8:8+saltSize+prefixSize]); err != nil {
		return nil, err
	}
	var err error
	if e.aead, err = streamAEAD(dataKey, e.header[8:8+saltSize]); err != nil {
		return nil, err
	}
	e.pt = make([]byte, ChunkSize)
	e.sealed = make([]byte, 0, ChunkSize+Overhead)
	e.out = e.header[:]
	if len(hashes) > 0 {
		e.hashTodo, e.hashFree, e.hashDone = make(chan []byte, hashDepth), make(chan []byte, hashDepth+1), make(chan struct{})
		for range hashDepth {
			e.hashFree <- make([]byte, ChunkSize)
		}
		go func() {
			defer close(e.hashDone)
			for b := range e.hashTodo {
				for _, h := range hashes {
					h.Write(b)
				}
				e.hashFree <- b[:ChunkSize]
			}
		}()
		e.pt = <-e.hashFree
	}
	return e, nil
}

// Wait lets the plaintext hashes catch up: after it they hold every byte
// encrypted. It stops their goroutine; the Encrypter must not be read
// after it.
func (e *Encrypter) Wait() {
	if e.hashTodo == nil || e.waited {
		return
	}
	e.waited = true
	close(e.hashTodo)
	<-e.hashDone
}

// Err is the source's error that ended the stream (nil: none yet, or a
// clean end). A consumer that treats some errors as an end of input (an
// io.ErrUnexpectedEOF taken for a short last read) must check it.
func (e *Encrypter) Err() error { return e.err }

// PlainSize is the number of source bytes encrypted so far.
func (e *Encrypter) PlainSize() int64 { return e.n }

func (e *Encrypter) Read(p []byte) (int, error) {
	n := 0
	for {
		if len(e.out) > 0 {
			m := copy(p[n:], e.out)
			e.out, n = e.out[m:], n+m
		}
		if len(e.out) > 0 || n == len(p) {
			return n, nil
		}
		// The source's error goes out with the bytes before it, in this
		// call: a caller may not call again (its context is gone).
		if e.err != nil {
			return n, e.err
		}
		if e.done {
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		}
		// Seal straight into p when a whole chunk fits (no copy).
		if len(p)-n >= ChunkSize+Overhead {
			e.next(p[n:n])
			n += len(e.out)
			e.out = nil
			continue
		}
		e.next(e.sealed[:0])
	}
}

// next reads one chunk and seals it into dst (e.out); to know whether it
// is the last, it reads one byte ahead.
func (e *Encrypter) next(dst []byte) {
	fill := 0
	if e.hasCarry {
		e.pt[0], fill, e.hasCarry = e.carry, 1, false
	}
	n, err := fillFrom(e.src, e.pt[fill:])
	fill += n
	last := false
	switch {
	case err == io.EOF:
		last = true
	case err != nil:
		e.err = err
		return
	default:
		var b [1]byte
		m, perr := fillFrom(e.src, b[:])
		switch {
		case m == 1:
			e.carry, e.hasCarry = b[0], true
		case perr == io.EOF:
			last = true
		default:
			e.err = perr
			return
		}
	}
	if !last && e.idx == ^uint32(0) {
		e.err = errTooLong
		return
	}
	var nb [12]byte
	e.out = e.aead.Seal(dst, nonce(&nb, e.header[8+saltSize:8+saltSize+prefixSize], e.idx, last), e.pt[:fill], e.header[:])
	e.idx++
	e.n += int64(fill)
	e.done = last
	if e.hashTodo != nil {
		e.hashTodo <- e.pt[:fill]
		e.pt = <-e.hashFree
	}
}

// fillFrom reads until p is full (nil error) or the source ends (io.EOF,
// with the bytes read) or fails (its error as it is: an
// io.ErrUnexpectedEOF of the source is not a clean end).
func fillFrom(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Decrypter reads plaintext ranges of an encrypted stream, decrypting
// only the chunks a range touches. It is safe for concurrent use.
type Decrypter struct {
	ra     io.ReaderAt
	aead   cipher.AEAD
	header [HeaderSize]byte
	size   int64 // plaintext
	chunks int64

	mu  sync.Mutex
	buf []byte
}

// NewDecrypter opens the stream in ra (blobSize bytes) that must hold
// plainSize bytes under dataKey. A blob of another size is ErrFormat
// (truncated or extended); a header that is not version 1 is ErrFormat.
func NewDecrypter(ra io.ReaderAt, blobSize int64, dataKey []byte, plainSize int64) (*Decrypter, error) {
	if plainSize < 0 || blobSize != EncryptedSize(plainSize) {
		return nil, ErrFormat
	}
	d := &Decrypter{ra: ra, size: plainSize, chunks: chunkCount(plainSize)}
	if d.chunks > 1<<32 {
		return nil, errTooLong
	}
	if _, err := ra.ReadAt(d.header[:], 0); err != nil {
		if err == io.EOF {
			return nil, ErrFormat
		}
		return nil, err
	}
	if err := checkHeader(d.header[:]); err != nil {
		return nil, err
	}
	var err error
	if d.aead, err = streamAEAD(dataKey, d.header[8:8+saltSize]); err != nil {
		return nil, err
	}
	return d, nil
}

func checkHeader(h []byte) error {
	if len(h) < HeaderSize || [4]byte(h[:4]) != magic || h[4] != version1 || h[5] != chunkLog || h[6] != 0 || h[7] != 0 || h[HeaderSize-1] != 0 {
		return ErrFormat
	}
	return nil
}

// Size is the plaintext size.
func (d *Decrypter) Size() int64 { return d.size }

// ReadAt reads plaintext bytes at off, as io.ReaderAt.
func (d *Decrypter) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("sse: negative offset")
	}
	if off >= d.size {
		return 0, io.EOF
	}
	end := off + min(int64(len(p)), d.size-off) // exclusive
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.buf == nil {
		d.buf = make([]byte, batchChunks*(ChunkSize+Overhead))
	}
	n := 0
	var nb [12]byte
	prefix := d.header[8+saltSize : 8+saltSize+prefixSize]
	for pos := off; pos < end; {
		first := pos / ChunkSize
		lastNeeded := (end - 1) / ChunkSize
		last := min(lastNeeded, first+batchChunks-1)
		plainEnd := min((last+1)*ChunkSize, d.size)
		cLen := plainEnd - first*ChunkSize + (last-first+1)*Overhead
		buf := d.buf[:cLen]
		if m, err := d.ra.ReadAt(buf, HeaderSize+first*(ChunkSize+Overhead)); m < len(buf) {
			if err == nil || err == io.EOF {
				err = ErrFormat
			}
			return n, err
		}
		for k := first; k <= last; k++ {
			ptLen := min(int64(ChunkSize), d.size-k*ChunkSize)
			ct := buf[(k-first)*(ChunkSize+Overhead):][:ptLen+Overhead]
			pt, err := d.aead.Open(ct[:0], nonce(&nb, prefix, uint32(k), k == d.chunks-1), ct, d.header[:])
			if err != nil {
				return n, ErrAuth
			}
			lo, hi := max(pos, k*ChunkSize), min(end, k*ChunkSize+ptLen)
			n += copy(p[n:], pt[lo-k*ChunkSize:hi-k*ChunkSize])
			pos = hi
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// StreamTo writes the n plaintext bytes at off to w. It reads the
// ciphertext of the chunks they touch in one sequential pass through
// copyCipher, which must write the cn bytes at coff of the stream to the
// writer it is given (as blob.RangeWriter does), and decrypts chunk by
// chunk as they arrive; a goroutine writes the plaintext to w, so that
// decrypting the next chunks overlaps writing the last ones, in writes of
// up to batchChunks chunks. It holds streamDepth such batches and one
// chunk. It returns the plaintext bytes written to w.
func (d *Decrypter) StreamTo(w io.Writer, off, n int64, copyCipher func(w io.Writer, coff, cn int64) (int64, error)) (int64, error) {
	if off < 0 || n < 0 || off+n > d.size {
		return 0, errors.New("sse: range outside the stream")
	}
	if n == 0 {
		return 0, nil
	}
	first, last := off/ChunkSize, (off+n-1)/ChunkSize
	// The batches are as large as the plaintext of the chunks touched, up
	// to batchChunks chunks: a small object's GET allocates its size, not
	// the batches a large one needs.
	span := min((last+1)*ChunkSize, d.size) - first*ChunkSize
	batch := min(span, batchChunks*ChunkSize)
	batches := min(streamDepth, (span+batch-1)/batch)
	cw := &chunkWriter{d: d, k: first, last: last, lo: off, hi: off + n,
		out: make(chan plainPiece, streamDepth), free: make(chan []byte, batches), stop: make(chan struct{})}
	for range batches {
		cw.free <- make([]byte, 0, batch)
	}
	var written int64
	var werr error
	write := func(pc plainPiece) {
		if werr == nil {
			m, err := w.Write(pc.buf[pc.lo:pc.hi])
			written += int64(m)
			if err != nil {
				werr = err
				close(cw.stop)
			}
		}
	}
	cStart := HeaderSize + first*(ChunkSize+Overhead)
	cEnd := HeaderSize + last*(ChunkSize+Overhead) + min(int64(ChunkSize), d.size-last*ChunkSize) + Overhead
	var err error
	if span <= batch {
		// One batch holds it all: decrypt, then write, with no goroutine.
		_, err = copyCipher(cw, cStart, cEnd-cStart)
		cw.flush()
		close(cw.out)
		for pc := range cw.out {
			write(pc)
		}
	} else {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for pc := range cw.out {
				write(pc)
				cw.free <- pc.buf[:0]
			}
		}()
		_, err = copyCipher(cw, cStart, cEnd-cStart)
		cw.flush()
		close(cw.out)
		<-done
	}
	switch {
	case werr != nil:
		return written, werr
	case cw.err != nil:
		return written, cw.err
	case err != nil:
		return written, err
	case cw.k <= last:
		return written, ErrFormat
	}
	return written, nil
}

// streamDepth is the number of decrypted batches StreamTo keeps in flight.
const streamDepth = 2

// plainPiece is a decrypted chunk and the part of it to write.
type plainPiece struct {
	buf    []byte
	lo, hi int
}

// errStopped: StreamTo's writer failed (its error is returned instead).
var errStopped = errors.New("sse: the plaintext writer stopped")

// chunkWriter collects ciphertext chunk by chunk for StreamTo.
type chunkWriter struct {
	d       *Decrypter
	k, last int64 // chunk being collected, last chunk wanted
	lo, hi  int64 // plaintext window
	buf     []byte
	nb      [12]byte
	out     chan plainPiece
	free    chan []byte
	stop    chan struct{}
	err     error
	// cur is the batch being filled with the plaintext of chunks from
	// curBase on (nil: none).
	cur     []byte
	curBase int64
}

// flush sends the batch being filled to the writer.
func (c *chunkWriter) flush() {
	if c.cur == nil {
		return
	}
	end := c.curBase + int64(len(c.cur))
	lo, hi := max(c.lo, c.curBase), min(c.hi, end)
	c.out <- plainPiece{buf: c.cur, lo: int(lo - c.curBase), hi: int(hi - c.curBase)}
	c.cur = nil
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	consumed := 0
	for len(p) > 0 {
		if c.err != nil {
			return consumed, c.err
		}
		if c.k > c.last {
			c.err = ErrFormat
			return consumed, c.err
		}
		ptLen := min(int64(ChunkSize), c.d.size-c.k*ChunkSize)
		need := int(ptLen + Overhead)
		var ct []byte
		if len(c.buf) == 0 && len(p) >= need {
			// A whole chunk in p: decrypt from it directly.
			ct, p, consumed = p[:need], p[need:], consumed+need
		} else {
			if c.buf == nil {
				c.buf = make([]byte, 0, need)
			}
			take := min(need-len(c.buf), len(p))
			c.buf = append(c.buf, p[:take]...)
			p, consumed = p[take:], consumed+take
			if len(c.buf) < need {
				break
			}
			ct = c.buf
		}
		if c.cur == nil {
			select {
			case c.cur = <-c.free:
			case <-c.stop:
				c.err = errStopped
				return consumed, c.err
			}
			c.curBase = c.k * ChunkSize
		}
		prefix := c.d.header[8+saltSize : 8+saltSize+prefixSize]
		pt, err := c.d.aead.Open(c.cur[len(c.cur):], nonce(&c.nb, prefix, uint32(c.k), c.k == c.d.chunks-1), ct, c.d.header[:])
		if err != nil {
			c.err = ErrAuth
			return consumed, c.err
		}
		c.cur = c.cur[:len(c.cur)+len(pt)]
		if next := min(int64(ChunkSize), c.d.size-(c.k+1)*ChunkSize); c.k == c.last || int64(cap(c.cur)-len(c.cur)) < next {
			c.flush()
		}
		c.k++
		c.buf = c.buf[:0]
	}
	return consumed, nil
}

// Seal encrypts plain, held whole in memory, into one stream of exactly
// EncryptedSize(len(plain)) bytes — what an Encrypter reading plain
// yields, with no chunk buffers of its own (small objects kept inline).
func Seal(plain, dataKey []byte, rnd io.Reader) ([]byte, error) {
	out := make([]byte, HeaderSize, EncryptedSize(int64(len(plain))))
	copy(out[:4], magic[:])
	out[4], out[5] = version1, chunkLog
	if _, err := io.ReadFull(rnd, out[8:8+saltSize+prefixSize]); err != nil {
		return nil, err
	}
	aead, err := streamAEAD(dataKey, out[8:8+saltSize])
	if err != nil {
		return nil, err
	}
	header := out[:HeaderSize:HeaderSize]
	prefix := header[8+saltSize : 8+saltSize+prefixSize]
	var nb [12]byte
	chunks := chunkCount(int64(len(plain)))
	if chunks > int64(^uint32(0)) {
		return nil, errTooLong
	}
	for k := int64(0); k < chunks; k++ {
		pt := plain[k*ChunkSize : min(int64(len(plain)), (k+1)*ChunkSize)]
		out = aead.Seal(out, nonce(&nb, prefix, uint32(k), k == chunks-1), pt, header)
	}
	return out, nil
}
