package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// referenced is the query of every blob key a row references: object
// versions (current or not) and the parts of uploads, through blob_refs.
const referenced = `SELECT DISTINCT blob_key FROM blob_refs ORDER BY blob_key`

// progressEvery is how many blobs pass between progress lines.
const progressEvery = 1000

// md5er is an upstream blob that may know the MD5 of its bytes (s3blob's,
// from its ETag).
type md5er interface {
	ContentMD5() (sum [16]byte, ok bool)
}

// copyBlobs copies every blob the source references to c.To (or, without
// one, only counts them).
func copyBlobs(ctx context.Context, c Config, s *Summary) error {
	var mu sync.Mutex
	return c.Source.ReadRaw(ctx, func(src *sql.Tx) error {
		return eachKey(ctx, src, c.Workers, func(ctx context.Context, key string) error {
			size, copied, err := copyBlob(ctx, c, key)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			s.Blobs++
			s.Bytes += size
			switch {
			case copied:
				s.Copied++
				s.CopiedBytes += size
			case c.To != nil:
				s.Skipped++
			}
			if c.To != nil && s.Blobs%progressEvery == 0 {
				c.progress("blobs: %d so far (%d bytes), %d copied, %d already upstream", s.Blobs, s.Bytes, s.Copied, s.Skipped)
			}
			return nil
		})
	})
}

// copyBlob copies one blob unless it is upstream already with its size,
// and checks the copy. It returns the blob's size and whether it copied.
func copyBlob(ctx context.Context, c Config, key string) (size int64, copied bool, err error) {
	if c.From == nil {
		if c.To != nil {
			return 0, false, fmt.Errorf("%w: blob %s is referenced by the store, and the source has no blob store", ErrBlobMissing, key)
		}
		return 0, false, nil
	}
	src, err := c.From.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return 0, false, fmt.Errorf("%w: blob %s is referenced by the store but not in the data directory's blobs", ErrBlobMissing, key)
	}
	if err != nil {
		return 0, false, fmt.Errorf("migrate: open blob %s: %w", key, err)
	}
	defer src.Close()
	size = src.Size()
	if c.To == nil {
		return size, false, nil
	}
	if have, err := upstreamSize(ctx, c.To, key); err != nil {
		return 0, false, err
	} else if have == size {
		return size, false, nil // an earlier run copied it
	}
	info, err := c.To.Import(ctx, key, io.NewSectionReader(src, 0, size), size)
	if err != nil {
		return 0, false, fmt.Errorf("migrate: copy blob %s: %w", key, err)
	}
	if info.Size != size {
		return 0, false, fmt.Errorf("%w: blob %s: %d bytes sent of %d", ErrBlobMismatch, key, info.Size, size)
	}
	up, err := c.To.Open(ctx, key)
	if err != nil {
		return 0, false, fmt.Errorf("%w: blob %s is not upstream after its copy: %v", ErrBlobMismatch, key, err)
	}
	defer up.Close()
	if up.Size() != size {
		return 0, false, fmt.Errorf("%w: blob %s has %d bytes upstream, %d in the source", ErrBlobMismatch, key, up.Size(), size)
	}
	if m, ok := up.(md5er); ok {
		if sum, known := m.ContentMD5(); known && sum != info.MD5 {
			return 0, false, fmt.Errorf("%w: blob %s: the upstream's MD5 %x is not that of the bytes sent, %x", ErrBlobMismatch, key, sum, info.MD5)
		}
	}
	return size, true, nil
}

// upstreamSize is the size of key upstream, -1 when it is not there.
func upstreamSize(ctx context.Context, to BlobTarget, key string) (int64, error) {
	up, err := to.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("migrate: look up blob %s upstream: %w", key, err)
	}
	defer up.Close()
	return up.Size(), nil
}

// verifyBlobs looks up upstream every blob the target's rows reference.
func verifyBlobs(ctx context.Context, c Config, s *Summary) error {
	var mu sync.Mutex
	return c.Target.WriteRaw(ctx, func(dst *sql.Tx) error {
		return eachKey(ctx, dst, c.Workers, func(ctx context.Context, key string) error {
			n, err := upstreamSize(ctx, c.To, key)
			if err != nil {
				return err
			}
			if n < 0 {
				return fmt.Errorf("%w: blob %s is referenced by the target's rows but not upstream (was the source written to during the "+
					"migration?); the rows are committed: drop and recreate the database before running migrate again", ErrBlobMissing, key)
			}
			mu.Lock()
			s.Verified++
			mu.Unlock()
			return nil
		})
	})
}

// eachKey calls fn for every referenced blob key of tx, from workers
// goroutines, stopping at the first error.
func eachKey(ctx context.Context, tx *sql.Tx, workers int, fn func(ctx context.Context, key string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	keys := make(chan string)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() { first = err; cancel() })
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if err := fn(ctx, k); err != nil {
					fail(err)
				}
			}
		}()
	}
	err := func() error {
		rows, err := tx.QueryContext(ctx, referenced)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			select {
			case keys <- k:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return rows.Err()
	}()
	close(keys)
	wg.Wait()
	if first != nil {
		return first
	}
	return err
}
