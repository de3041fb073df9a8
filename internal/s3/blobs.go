package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/sse"
	"github.com/gatehouse/gatehouse/internal/store"
)

// copyBufSize is the size of the buffers object bytes are copied through.
const copyBufSize = 256 << 10

func newCopyBufs() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}
}

// leases keeps blobs that a read is using from being deleted when their
// object is overwritten or removed mid-read: freeBlobs defers the deletion
// of a leased blob until its last reader lets go. (Within one process; the
// freeing is in-process too.)
type leases struct {
	mu      sync.Mutex
	readers map[string]int
	pending map[string]bool
}

func newLeases() *leases {
	return &leases{readers: map[string]int{}, pending: map[string]bool{}}
}

func (l *leases) take(refs []store.BlobRef) {
	refs = stored(refs)
	l.mu.Lock()
	for _, b := range refs {
		l.readers[b.Key]++
	}
	l.mu.Unlock()
}

// release returns the blobs whose deletion waited for this reader.
func (l *leases) release(refs []store.BlobRef) []store.BlobRef {
	var due []store.BlobRef
	refs = stored(refs)
	l.mu.Lock()
	for _, b := range refs {
		if l.readers[b.Key]--; l.readers[b.Key] > 0 {
			continue
		}
		delete(l.readers, b.Key)
		if l.pending[b.Key] {
			delete(l.pending, b.Key)
			due = append(due, b)
		}
	}
	l.mu.Unlock()
	return due
}

// deferIfLeased marks a leased blob for deletion at release and reports
// whether it did.
func (l *leases) deferIfLeased(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.readers[key] > 0 {
		l.pending[key] = true
		return true
	}
	return false
}

// objectReader reads a byte range of an object across its blobs, opening
// each blob only when the range reaches it. It leases the object's blobs
// for its lifetime.
type objectReader struct {
	ctx  context.Context
	s    *Service
	o    *store.Object
	key  []byte // data key of an encrypted object (nil: stored in clear)
	off  int64  // next offset in the object
	left int64  // bytes still to read
	idx  int    // current blob index
	base int64  // object offset of blob idx
	cur  blob.Object
	// released: the lease on o's blobs was given back (Close).
	released bool
}

// newObjectReader reads n bytes at off of o; key is o's data key when o
// is encrypted (its blobs are then decrypted chunk by chunk).
func (s *Service) newObjectReader(ctx context.Context, o *store.Object, key []byte, off, n int64) *objectReader {
	s.leases.take(o.Blobs)
	return &objectReader{ctx: ctx, s: s, o: o, key: key, off: off, left: n}
}

// decryptedBlob is an encrypted blob as the plaintext it holds.
type decryptedBlob struct {
	*sse.Decrypter
	blob blob.Object
}

func (d *decryptedBlob) Close() error { return d.blob.Close() }

// WriteRange decrypts the plaintext range chunk by chunk as the
// ciphertext streams from the backend (its RangeWriter's read-ahead, or
// sequential reads through one copy buffer).
func (d *decryptedBlob) WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error) {
	return d.StreamTo(w, off, n, func(cw io.Writer, coff, cn int64) (int64, error) {
		if rw, ok := d.blob.(blob.RangeWriter); ok {
			return rw.WriteRange(ctx, cw, coff, cn)
		}
		return io.CopyBuffer(cw, io.NewSectionReader(d.blob, coff, cn), make([]byte, copyBufSize))
	})
}

var (
	_ blob.Object      = (*decryptedBlob)(nil)
	_ blob.RangeWriter = (*decryptedBlob)(nil)
)

// open positions the reader and opens the blob holding the first byte.
func (r *objectReader) open() error {
	for r.idx < len(r.o.Blobs) && r.base+r.o.Blobs[r.idx].Size <= r.off {
		r.base += r.o.Blobs[r.idx].Size
		r.idx++
	}
	if r.left == 0 || r.idx >= len(r.o.Blobs) {
		return nil
	}
	ref := r.o.Blobs[r.idx]
	var b blob.Object
	if ref.Inline() {
		b = inlineBlob{Reader: bytes.NewReader(ref.Data), data: ref.Data}
	} else {
		var err error
		if b, err = r.s.blobs.Open(r.ctx, ref.Key); err != nil {
			return blobErr(err)
		}
	}
	if r.o.Encryption != nil {
		if r.key == nil {
			b.Close()
			return errors.New("s3: reading an encrypted object without its data key")
		}
		d, err := sse.NewDecrypter(b, b.Size(), r.key, ref.Size)
		if err != nil {
			b.Close()
			return fmt.Errorf("s3: blob %s: %w", ref.Key, err)
		}
		r.cur = &decryptedBlob{Decrypter: d, blob: b}
		return nil
	}
	r.cur = b
	return nil
}

func (r *objectReader) Read(p []byte) (int, error) {
	for {
		if r.left == 0 {
			return 0, io.EOF
		}
		if r.cur == nil {
			if err := r.open(); err != nil {
				return 0, err
			}
			if r.cur == nil {
				return 0, io.ErrUnexpectedEOF
			}
		}
		ref := r.o.Blobs[r.idx]
		inBlob := r.off - r.base
		avail := min(ref.Size-inBlob, r.left)
		if avail <= 0 {
			r.cur.Close()
			r.cur = nil
			r.base += ref.Size
			r.idx++
			continue
		}
		if int64(len(p)) > avail {
			p = p[:avail]
		}
		n, err := r.cur.ReadAt(p, inBlob)
		r.off += int64(n)
		r.left -= int64(n)
		if err == io.EOF && n > 0 {
			err = nil
		}
		if err == io.EOF {
			return n, io.ErrUnexpectedEOF
		}
		return n, err
	}
}

// WriteTo copies the range to w: blob by blob through the backend's
// RangeWriter where it has one, otherwise through a pooled buffer.
func (r *objectReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	var bp *[]byte
	defer func() {
		if bp != nil {
			r.s.copyBufs.Put(bp)
		}
	}()
	for r.left > 0 {
		if r.cur == nil {
			if err := r.open(); err != nil {
				return total, err
			}
			if r.cur == nil {
				return total, io.ErrUnexpectedEOF
			}
		}
		if rw, ok := r.cur.(blob.RangeWriter); ok {
			ref := r.o.Blobs[r.idx]
			inBlob := r.off - r.base
			if avail := min(ref.Size-inBlob, r.left); avail > 0 {
				n, err := rw.WriteRange(r.ctx, w, inBlob, avail)
				r.off += n
				r.left -= n
				total += n
				if err != nil {
					return total, err
				}
				if n == 0 {
					return total, io.ErrUnexpectedEOF
				}
			}
			if r.off-r.base >= ref.Size {
				r.cur.Close()
				r.cur = nil
				r.base += ref.Size
				r.idx++
			}
			continue
		}
		if bp == nil {
			bp = r.s.copyBufs.Get().(*[]byte)
		}
		n, err := r.Read(*bp)
		if n > 0 {
			m, werr := w.Write((*bp)[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close releases the open blob and the lease, deleting blobs whose
// freeing waited for this read.
func (r *objectReader) Close() error {
	var err error
	if r.cur != nil {
		err = r.cur.Close()
		r.cur = nil
	}
	if !r.released {
		r.released = true
		r.s.deleteBlobs(context.WithoutCancel(r.ctx), r.s.leases.release(r.o.Blobs))
	}
	return err
}

// putBlob stores r's bytes as a new blob, encrypted under k when k is
// set. size is the number of bytes r yields when the caller knows it (-1
// otherwise); the blob store is told the size it will store (the
// ciphertext's, for an encrypted blob). ref.Size is the plaintext size and
// plainMD5 the MD5 of r's bytes. Extra hashes are fed r's bytes. An
// encrypted blob is stored without the backend's MD5
// (blob.UnhashedPutter) where it can be: nothing needs the ciphertext's.
func (s *Service) putBlob(ctx context.Context, r io.Reader, size int64, k *objectKey, extra ...hash.Hash) (ref store.BlobRef, plainMD5 [16]byte, err error) {
	if !k.encrypted() {
		info, err := s.blobs.Put(ctx, r, size, extra...)
		if err != nil {
			return ref, plainMD5, err
		}
		return store.BlobRef{Key: info.Key, Size: info.Size}, info.MD5, nil
	}
	sum := md5.New()
	enc, err := sse.NewEncrypter(r, k.key, rand.Reader, append(extra, sum)...)
	if err != nil {
		return ref, plainMD5, err
	}
	defer enc.Wait()
	put := s.blobs.Put
	if up, ok := s.blobs.(blob.UnhashedPutter); ok {
		put = up.PutUnhashed
	}
	stored := blob.UnknownSize
	if size >= 0 {
		stored = sse.EncryptedSize(size)
	}
	info, err := put(ctx, enc, stored)
	if err != nil {
		if serr := enc.Err(); serr != nil {
			// The source failed first; the store saw a short stream.
			return ref, plainMD5, serr
		}
		return ref, plainMD5, err
	}
	ref = store.BlobRef{Key: info.Key, Size: enc.PlainSize()}
	if err := enc.Err(); err != nil {
		// The store took the source's failure for the end of its bytes.
		s.deleteBlobs(context.WithoutCancel(ctx), []store.BlobRef{ref})
		return store.BlobRef{}, plainMD5, err
	}
	if info.Size != sse.EncryptedSize(ref.Size) {
		s.deleteBlobs(context.WithoutCancel(ctx), []store.BlobRef{ref})
		return store.BlobRef{}, plainMD5, fmt.Errorf("s3: encrypted blob of %d bytes for %d plaintext bytes", info.Size, ref.Size)
	}
	enc.Wait()
	copy(plainMD5[:], sum.Sum(nil))
	return ref, plainMD5, nil
}

// deleteBlobs deletes blobs that no record refers to (never committed).
func (s *Service) deleteBlobs(ctx context.Context, refs []store.BlobRef) {
	for _, b := range stored(refs) {
		if err := s.blobs.Delete(ctx, b.Key); err != nil {
			s.log.Warn("delete blob failed; the sweeper will retry", "blob", b.Key, "err", err)
		}
	}
}

// freeBlobs deletes the blobs of a record that was just replaced or
// removed, unless another record (a copy) still refers to them — at once
// when this process's read leases are all there is, or, with several nodes
// (Config.FreeDelay), by recording them as freed for the sweeper to delete
// once no read on any node can still be using them. Blobs left behind by a
// crash here are the sweeper's.
// (The references are checked in one read transaction.)
func (s *Service) freeBlobs(ctx context.Context, refs []store.BlobRef) {
	refs = stored(refs)
	if len(refs) == 0 {
		return
	}
	used := make([]bool, len(refs))
	err := s.store.View(ctx, func(tx store.Tx) error {
		for i, b := range refs {
			var err error
			if used[i], err = tx.BlobReferenced(ctx, b.Key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return // the sweeper will find them
	}
	if s.freeDelay > 0 {
		// Other nodes may be reading them: the sweeper deletes them once
		// they have been free for freeDelay.
		var keys []string
		for i, b := range refs {
			if !used[i] {
				keys = append(keys, b.Key)
			}
		}
		if len(keys) > 0 {
			if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.AddFreedBlobs(ctx, keys, s.now()) }); err != nil {
				s.log.Warn("recording freed blobs failed; the sweeper will find them", "err", err)
			}
		}
		return
	}
	for i, b := range refs {
		if used[i] || s.leases.deferIfLeased(b.Key) {
			continue
		}
		if err := s.blobs.Delete(ctx, b.Key); err != nil {
			s.log.Warn("delete blob failed; the sweeper will retry", "blob", b.Key, "err", err)
		}
	}
}

// Sweeper deletes orphaned blobs: blobs no object or part refers to, left by
// crashes between writing bytes and committing a record, or between
// committing a delete and freeing the bytes. A blob younger than Grace is
// never touched, since its upload may still be about to commit.
//
// With several nodes (FreeDelay > 0) no blob is deleted the moment it is
// found unreferenced: another node may be streaming it to a client. Such a
// blob is recorded as freed (store.FreedBlobs), as the service's freeBlobs
// records what its overwrites and deletes release, and deleted by a later
// pass once it has been free for FreeDelay and is still unreferenced. One
// node sweeps at a time: a pass holds the store lease "blob-sweeper"
// (Holder names this process) and answers ErrLeaseHeld when another has it.
type Sweeper struct {
	Store     store.Store
	Blobs     blob.Store
	Grace     time.Duration
	Now       func() time.Time
	FreeDelay time.Duration
	Holder    string
}

// TempCleaner is the optional capability of blob stores that keep what
// interrupted writes leave behind: blob/fs's temp files, blob/s3blob's
// upstream multipart uploads of a node that crashed mid-Put.
type TempCleaner interface {
	CleanTemp(ctx context.Context, before time.Time) (int, error)
}

// SweepResult counts what one pass removed.
type SweepResult struct {
	Blobs int // unreferenced blobs deleted
	Temp  int // temp files (uploads) of interrupted writes deleted (aborted)
}

// Sweep runs one pass; ErrLeaseHeld when another node is sweeping.
func (w *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	holder := w.Holder
	if holder == "" {
		holder = NewNodeID("sweeper")
	}
	lease := &passLease{st: w.Store, name: leaseSweeper, holder: holder, now: w.Now}
	if err := lease.hold(ctx); err != nil {
		return res, err
	}
	defer lease.release(ctx)
	cutoff := w.Now().Add(-w.Grace)
	if err := w.deleteFreed(ctx, lease, &res); err != nil {
		return res, err
	}
	if tc, ok := w.Blobs.(TempCleaner); ok {
		n, err := tc.CleanTemp(ctx, cutoff)
		res.Temp = n
		if err != nil {
			return res, err
		}
	}
	seen := 0
	err := w.Blobs.Walk(ctx, func(key string, mod time.Time) error {
		if !mod.Before(cutoff) {
			return nil
		}
		var used bool
		if err := w.Store.View(ctx, func(tx store.Tx) error {
			var err error
			used, err = tx.BlobReferenced(ctx, key)
			return err
		}); err != nil {
			return err
		}
		if used {
			return nil
		}
		if seen++; seen%sweepPage == 0 {
			if err := lease.hold(ctx); err != nil {
				return err
			}
		}
		if w.FreeDelay > 0 {
			// Another node may be reading it: deleted by a later pass.
			return w.Store.Update(ctx, func(tx store.Tx) error { return tx.AddFreedBlobs(ctx, []string{key}, w.Now()) })
		}
		if err := w.Blobs.Delete(ctx, key); err != nil {
			return err
		}
		res.Blobs++
		return nil
	})
	return res, err
}

// sweepPage is how many blobs a sweep handles between lease renewals.
const sweepPage = 500

// deleteFreed deletes the blobs recorded as freed at least FreeDelay ago
// that nothing references (a blob found referenced again is forgotten, not
// deleted), a page at a time, renewing the lease at each page.
func (w *Sweeper) deleteFreed(ctx context.Context, lease *passLease, res *SweepResult) error {
	before := w.Now().Add(-w.FreeDelay)
	for {
		var keys []string
		used := map[string]bool{}
		if err := w.Store.View(ctx, func(tx store.Tx) error {
			var err error
			if keys, err = tx.ListFreedBlobs(ctx, before, sweepPage); err != nil {
				return err
			}
			for _, k := range keys {
				if used[k], err = tx.BlobReferenced(ctx, k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil || len(keys) == 0 {
			return err
		}
		for _, k := range keys {
			if used[k] {
				continue
			}
			if err := w.Blobs.Delete(ctx, k); err != nil {
				return err
			}
			res.Blobs++
		}
		if err := w.Store.Update(ctx, func(tx store.Tx) error { return tx.DropFreedBlobs(ctx, keys) }); err != nil {
			return err
		}
		if len(keys) < sweepPage {
			return nil
		}
		if err := lease.hold(ctx); err != nil {
			return err
		}
	}
}

// Run sweeps every interval until ctx ends.
func (w *Sweeper) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	runEvery(ctx, interval, func() error {
		_, err := w.Sweep(ctx)
		if err != nil && ctx.Err() == nil && !errors.Is(err, ErrLeaseHeld) && onErr != nil {
			onErr(err)
		}
		return err
	})
}

// stored returns the runs of refs that are blobs in the blob store (not
// inline in their record), refs itself when all are.
func stored(refs []store.BlobRef) []store.BlobRef {
	for i, b := range refs {
		if b.Inline() {
			out := append([]store.BlobRef(nil), refs[:i]...)
			for _, b := range refs[i+1:] {
				if !b.Inline() {
					out = append(out, b)
				}
			}
			return out
		}
	}
	return refs
}

// inlineBlob is a run kept in its record, read as a blob.
type inlineBlob struct {
	*bytes.Reader
	data []byte
}

func (inlineBlob) Close() error { return nil }

// WriteRange writes the n bytes at off straight from the record's bytes
// (no copy buffer).
func (b inlineBlob) WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > b.Size() {
		return 0, errors.New("s3: range outside an inline run")
	}
	m, err := w.Write(b.data[off : off+n])
	return int64(m), err
}

var (
	_ blob.Object      = inlineBlob{}
	_ blob.RangeWriter = inlineBlob{}
)

// putObjectBytes stores an object's size bytes from r: inline in its record
// when size is known and at most Config.InlineMax, in a blob otherwise
// (putBlob).
func (s *Service) putObjectBytes(ctx context.Context, r io.Reader, size int64, k *objectKey, extra ...hash.Hash) (store.BlobRef, [16]byte, error) {
	if size >= 0 && size <= s.inlineMax {
		return s.putInline(r, size, k, extra...)
	}
	return s.putBlob(ctx, r, size, k, extra...)
}

// putInline stores r's size bytes inline (store.BlobRef.Data), encrypted
// under k as putBlob would store them in a blob: read whole (size is at most
// Config.InlineMax), then to the end of r, so that a streaming signature's
// final check runs. A body of another length is blob.ErrSizeMismatch.
func (s *Service) putInline(r io.Reader, size int64, k *objectKey, extra ...hash.Hash) (ref store.BlobRef, plainMD5 [16]byte, err error) {
	data := make([]byte, size+1)
	n, err := io.ReadFull(r, data)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		err = nil // the body ended: n is its length
	case err == nil:
		n++ // more than size: a mismatch, whatever follows
	}
	if err != nil {
		return ref, plainMD5, err
	}
	if int64(n) != size {
		return ref, plainMD5, blob.ErrSizeMismatch
	}
	data = data[:size:size]
	plainMD5 = md5.Sum(data)
	for _, h := range extra {
		h.Write(data)
	}
	if k.encrypted() {
		if data, err = sse.Seal(data, k.key, rand.Reader); err != nil {
			return ref, plainMD5, err
		}
	}
	return store.BlobRef{Size: size, Data: data}, plainMD5, nil
}
