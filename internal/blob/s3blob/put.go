package s3blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// Put streams r to a new upstream object (see the package doc for how).
func (s *Store) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	key, err := newKey()
	if err != nil {
		return blob.Info{}, err
	}
	return s.write(ctx, key, r, size, extra, true)
}

// PutUnhashed is Put without the MD5 (blob.UnhashedPutter).
func (s *Store) PutUnhashed(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	key, err := newKey()
	if err != nil {
		return blob.Info{}, err
	}
	return s.write(ctx, key, r, size, extra, false)
}

// Import stores r under key (a restore), replacing an object of that name.
func (s *Store) Import(ctx context.Context, key string, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	if !validKey(key) {
		return blob.Info{}, blob.ErrBadKey
	}
	return s.write(ctx, key, r, size, extra, true)
}

// write stores r under key: one streaming PutObject when the declared size
// is small enough, a multipart upload otherwise.
func (s *Store) write(ctx context.Context, key string, r io.Reader, size int64, extra []hash.Hash, withMD5 bool) (blob.Info, error) {
	name, _ := s.name(key)
	hashes := extra
	var sum hash.Hash
	if withMD5 {
		sum = md5.New()
		hashes = append([]hash.Hash{sum}, extra...)
	}
	var n int64
	var err error
	if size >= 0 && size <= s.singleMax {
		n, err = s.putSingle(ctx, name, r, size, hashes)
	} else {
		n, err = s.putMultipart(ctx, name, r, size, hashes)
	}
	if err != nil {
		return blob.Info{}, err
	}
	info := blob.Info{Key: key, Size: n}
	if sum != nil {
		copy(info.MD5[:], sum.Sum(nil))
	}
	return info, nil
}

// noRetry turns the SDK's retries off for a request whose body is the
// caller's stream: it cannot be rewound, and a retry would hide the
// upstream's answer behind a rewind failure.
func noRetry(o *s3.Options) { o.RetryMaxAttempts = 1 }

// streamReader feeds the caller's bytes to the upstream request, hashing
// them, stopping at the declared size and failing a short stream.
type streamReader struct {
	ctx    context.Context
	r      io.Reader
	hashes []hash.Hash
	n      int64
	limit  int64
	eof    bool  // the source said EOF
	err    error // the source's failure (or the context's), if any
}

func (h *streamReader) Read(p []byte) (int, error) {
	if err := h.ctx.Err(); err != nil {
		h.err = err
		return 0, err
	}
	if rem := h.limit - h.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	if len(p) == 0 {
		return 0, io.EOF // the declared bytes are read; finish checks for more
	}
	n, err := h.r.Read(p)
	for _, x := range h.hashes {
		x.Write(p[:n])
	}
	h.n += int64(n)
	switch {
	case err == io.EOF && h.n < h.limit:
		h.eof = true
		h.err = fmt.Errorf("%w: the body ended after %d of a declared %d bytes", blob.ErrSizeMismatch, h.n, h.limit)
		return n, h.err
	case err == io.EOF:
		h.eof = true
	case err != nil:
		h.err = err
	}
	return n, err
}

// finish checks that the source has nothing beyond the declared size.
func (h *streamReader) finish() error {
	if h.eof {
		return nil
	}
	var one [1]byte
	for {
		n, err := h.r.Read(one[:])
		if n > 0 {
			return fmt.Errorf("%w: the body is longer than the declared %d bytes", blob.ErrSizeMismatch, h.limit)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// putSingle streams r, of the declared size, as one PutObject. A failure
// deletes what the upstream may have stored.
func (s *Store) putSingle(ctx context.Context, name string, r io.Reader, size int64, hashes []hash.Hash) (int64, error) {
	src := &streamReader{ctx: ctx, r: r, hashes: hashes, limit: size}
	_, err := s.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &name, Body: src, ContentLength: aws.Int64(size)}, noRetry)
	if err == nil {
		if err = src.finish(); err == nil {
			return src.n, nil
		}
	} else {
		switch {
		case src.err != nil:
			err = src.err
		case ctx.Err() != nil:
			err = ctx.Err()
		default:
			err = upstreamErr("PutObject", err)
		}
	}
	s.cleanup(ctx, name, "")
	return 0, err
}

// cleanup deletes the object a failed Put may have stored and aborts its
// multipart upload (uploadID != ""), even when ctx was cancelled.
func (s *Store) cleanup(ctx context.Context, name, uploadID string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if uploadID != "" {
		_, _ = s.c.AbortMultipartUpload(cctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &name, UploadId: &uploadID})
	}
	_, _ = s.c.DeleteObject(cctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &name})
}

// partSizeFor is the part size of an upload of the declared size: the
// configured one, or larger (whole MiB) when that would need more than
// S3's 10,000 parts.
func (s *Store) partSizeFor(size int64) int64 {
	if size < 0 || size <= s.partSize*maxParts {
		return s.partSize
	}
	p := (size + maxParts - 1) / maxParts
	return (p + 1<<20 - 1) &^ (1<<20 - 1)
}

// getBuf takes a part buffer of n bytes (pooled when of the configured
// part size), counting it.
func (s *Store) getBuf(n int64) *[]byte {
	live := s.bufsLive.Add(1)
	for {
		p := s.bufsPeak.Load()
		if live <= p || s.bufsPeak.CompareAndSwap(p, live) {
			break
		}
	}
	if n == s.partSize {
		return s.parts.Get().(*[]byte)
	}
	b := make([]byte, n)
	return &b
}

func (s *Store) putBuf(b *[]byte) {
	s.bufsLive.Add(-1)
	if int64(len(*b)) == s.partSize {
		s.parts.Put(b)
	}
}

// fill reads r into buf until buf is full or r ends (eof), feeding the
// bytes to the hashes.
func fill(ctx context.Context, r io.Reader, buf []byte, hashes []hash.Hash) (n int, eof bool, err error) {
	defer func() {
		for _, h := range hashes {
			h.Write(buf[:n])
		}
	}()
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}

// part is a filled buffer on its way to UploadPart.
type part struct {
	buf    *[]byte
	n      int
	number int32
}

// putMultipart stores r, larger than a single put or of unknown size, as
// a multipart upload, reading the next part while the last one is sent.
// A stream that ends within its first part (unknown size) is sent as one
// PutObject instead. Any failure aborts the upload.
func (s *Store) putMultipart(ctx context.Context, name string, r io.Reader, size int64, hashes []hash.Hash) (int64, error) {
	if size >= 0 {
		r = io.LimitReader(r, size+1) // one byte more tells a longer body
	}
	psize := s.partSizeFor(size)
	first := s.getBuf(psize)
	n, eof, err := fill(ctx, r, *first, hashes)
	if err != nil {
		s.putBuf(first)
		return 0, err
	}
	if eof {
		defer s.putBuf(first)
		if size >= 0 && int64(n) != size {
			return 0, fmt.Errorf("%w: the body has %d bytes, %d declared", blob.ErrSizeMismatch, n, size)
		}
		_, err := s.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &name,
			Body: bytes.NewReader((*first)[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			s.cleanup(ctx, name, "")
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, upstreamErr("PutObject", err)
		}
		return int64(n), nil
	}
	created, err := s.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &name})
	if err != nil {
		s.putBuf(first)
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, upstreamErr("CreateMultipartUpload", err)
	}
	uploadID := aws.ToString(created.UploadId)
	total, completed, err := s.sendParts(ctx, name, uploadID, r, part{buf: first, n: n, number: 1}, psize, hashes)
	if err == nil && size >= 0 && total != size {
		err = fmt.Errorf("%w: the body has more than the %d bytes declared", blob.ErrSizeMismatch, size)
	}
	if err == nil {
		_, err = s.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: &name, UploadId: &uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
		if err != nil {
			err = upstreamErr("CompleteMultipartUpload", err)
		}
	}
	if err != nil {
		s.cleanup(ctx, name, uploadID)
		if cerr := ctx.Err(); cerr != nil {
			return 0, cerr
		}
		return 0, err
	}
	return total, nil
}

// sendParts uploads first and the rest of r as parts of uploadID: this
// goroutine reads and hashes the next part while another sends the last
// one, so at most two part buffers are in use.
func (s *Store) sendParts(ctx context.Context, name, uploadID string, r io.Reader, first part, psize int64, hashes []hash.Hash) (int64, []types.CompletedPart, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	toSend := make(chan part)
	var completed []types.CompletedPart
	var sendErr error
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for p := range toSend {
			if sendErr == nil {
				out, err := s.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.bucket, Key: &name, UploadId: &uploadID,
					PartNumber: aws.Int32(p.number), Body: bytes.NewReader((*p.buf)[:p.n]), ContentLength: aws.Int64(int64(p.n))})
				if err != nil {
					sendErr = upstreamErr("UploadPart", err)
					cancel()
				} else {
					completed = append(completed, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(p.number)})
				}
			}
			s.putBuf(p.buf)
		}
	}()
	total := int64(first.n)
	readErr := func() error {
		p := first
		for {
			select {
			case toSend <- p:
			case <-ctx.Done():
				s.putBuf(p.buf)
				return ctx.Err()
			}
			buf := s.getBuf(psize)
			n, eof, err := fill(ctx, r, *buf, hashes)
			total += int64(n)
			if err != nil || n == 0 {
				s.putBuf(buf)
				return err
			}
			if p.number == maxParts {
				s.putBuf(buf)
				return errors.New("s3blob: the body needs more than 10,000 upstream parts")
			}
			p = part{buf: buf, n: n, number: p.number + 1}
			if eof {
				select {
				case toSend <- p:
				case <-ctx.Done():
					s.putBuf(p.buf)
					return ctx.Err()
				}
				return nil
			}
		}
	}()
	if readErr != nil {
		cancel() // stop the part in flight: the upload is aborted anyway
	}
	close(toSend)
	<-sent
	// The first failure wins: the source's (the sender was then stopped),
	// else the sender's (the reader was then stopped, seeing Canceled).
	if readErr != nil && !errors.Is(readErr, context.Canceled) {
		return 0, nil, readErr
	}
	if sendErr != nil {
		return 0, nil, sendErr
	}
	if readErr != nil {
		return 0, nil, readErr
	}
	return total, completed, nil
}
