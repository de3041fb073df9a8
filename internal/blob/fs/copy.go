package fs

import (
	"context"
	"hash"
	"io"
	"os"
)

// Pipeline geometry: chunks in flight per Put, and the size of each.
const (
	pipeDepth = 4
	pipeChunk = 256 << 10
	// writebackEvery is how many bytes a large blob writes before asking
	// the kernel to start flushing them.
	writebackEvery = 8 << 20
)

// copyHashed writes r to dst while feeding every byte to the hashes. A body
// that fits in one buffer is copied inline; a larger one goes through a
// three-stage pipeline (read → hash → write), so that hashing one chunk
// overlaps reading the next and writing the previous: MD5 alone runs at
// about the disk's speed, and in series the two would halve throughput.
func (f *FS) copyHashed(ctx context.Context, dst *os.File, r io.Reader, hashes []hash.Hash) (int64, error) {
	bp := f.bufs.Get().(*[]byte)
	first := (*bp)[:pipeChunk]
	n, err := io.ReadFull(ctxReader{ctx, r}, first)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		defer f.bufs.Put(bp)
		for _, h := range hashes {
			h.Write(first[:n])
		}
		_, werr := dst.Write(first[:n])
		return int64(n), werr
	}
	if err != nil {
		f.bufs.Put(bp)
		return 0, err
	}
	return f.pipeline(ctx, dst, r, hashes, bp, n)
}

type chunk struct {
	bp *[]byte
	n  int
}

func (f *FS) pipeline(ctx context.Context, dst *os.File, r io.Reader, hashes []hash.Hash, firstBuf *[]byte, firstN int) (int64, error) {
	free := make(chan *[]byte, pipeDepth)
	free <- firstBuf
	for i := 1; i < pipeDepth; i++ {
		free <- f.bufs.Get().(*[]byte)
	}
	toHash := make(chan chunk, pipeDepth)
	toWrite := make(chan chunk, pipeDepth)
	writeErr := make(chan error, 1)
	stop := make(chan struct{}) // closed when the writer fails
	go func() {
		defer close(toWrite)
		for c := range toHash {
			for _, h := range hashes {
				h.Write((*c.bp)[:c.n])
			}
			toWrite <- c
		}
	}()
	go func() {
		var err error
		var written, flushed int64
		for c := range toWrite {
			if err == nil {
				if _, err = dst.Write((*c.bp)[:c.n]); err != nil {
					close(stop)
				}
				written += int64(c.n)
				if written-flushed >= writebackEvery {
					startWriteback(dst, flushed, written-flushed)
					flushed = written
				}
			}
			free <- c.bp
		}
		writeErr <- err
	}()
	total := int64(0)
	var readErr error
	bp := <-free
	n := firstN
	for {
		total += int64(n)
		toHash <- chunk{bp, n}
		if readErr != nil {
			break
		}
		select {
		case bp = <-free:
		case <-stop:
			readErr = io.ErrClosedPipe
		}
		if readErr != nil {
			break
		}
		n, readErr = io.ReadFull(ctxReader{ctx, r}, (*bp)[:pipeChunk])
		if readErr == io.EOF || readErr == io.ErrUnexpectedEOF {
			readErr = io.EOF
			if n == 0 {
				free <- bp
				break
			}
		}
	}
	close(toHash)
	werr := <-writeErr
	for i := 0; i < pipeDepth; i++ {
		f.bufs.Put(<-free)
	}
	if werr != nil {
		return total, werr
	}
	if readErr != nil && readErr != io.EOF {
		return total, readErr
	}
	return total, nil
}
