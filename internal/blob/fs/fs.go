// Package fs is the local-disk blob backend: each blob is one file under a
// two-level fan-out of its random key. A Put writes a temp file in the same
// file system, fsyncs it, renames it into place and fsyncs the directory,
// so an acknowledged blob survives a crash and a crashed Put leaves only a
// temp file, which CleanTemp removes.
package fs

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// FS stores blobs under a root directory.
type FS struct {
	root       string
	bufs       sync.Pool // *[]byte, pipeChunk long, aligned for direct I/O
	streamBufs sync.Pool // *[]byte, streamChunk long, aligned for direct I/O
	readBufs   sync.Pool // *[]byte, readChunk long, aligned for direct I/O
	recent     recentReads
	reads      readStats
}

var (
	_ blob.Store    = (*FS)(nil)
	_ blob.Importer = (*FS)(nil)
)

const tmpDir = "tmp"

// Open prepares root (created with mode 0700 when missing).
func Open(root string) (*FS, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o700); err != nil {
		return nil, err
	}
	f := &FS{root: root}
	f.bufs.New = func() any { return alignedBuffer(pipeChunk) }
	f.streamBufs.New = func() any { return alignedBuffer(streamChunk) }
	f.readBufs.New = func() any { return alignedBuffer(readChunk) }
	return f, nil
}

// path is root/ab/cd/key.
func (f *FS) path(key string) (string, error) {
	if len(key) != 32 {
		return "", blob.ErrNotFound
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", blob.ErrNotFound
		}
	}
	return filepath.Join(f.root, key[:2], key[2:4], key), nil
}

func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Put streams r to a new durable file. The declared size is not needed: a
// file takes whatever r yields (Info.Size is what was read).
func (f *FS) Put(ctx context.Context, r io.Reader, _ int64, extra ...hash.Hash) (info blob.Info, err error) {
	key, err := newKey()
	if err != nil {
		return info, err
	}
	return f.write(ctx, key, r, extra, true)
}

// PutUnhashed is Put without the MD5 (blob.UnhashedPutter).
func (f *FS) PutUnhashed(ctx context.Context, r io.Reader, _ int64, extra ...hash.Hash) (blob.Info, error) {
	key, err := newKey()
	if err != nil {
		return blob.Info{}, err
	}
	return f.write(ctx, key, r, extra, false)
}

// Import streams r to a durable file under key (a restore), replacing one
// of that key.
func (f *FS) Import(ctx context.Context, key string, r io.Reader, _ int64, extra ...hash.Hash) (blob.Info, error) {
	if _, err := f.path(key); err != nil {
		return blob.Info{}, blob.ErrBadKey
	}
	return f.write(ctx, key, r, extra, true)
}

// write streams r to a temp file, syncs it and renames it to key's path;
// withMD5 computes Info.MD5.
func (f *FS) write(ctx context.Context, key string, r io.Reader, extra []hash.Hash, withMD5 bool) (info blob.Info, err error) {
	final, _ := f.path(key)
	tmp, err := os.CreateTemp(filepath.Join(f.root, tmpDir), key+".*")
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hashes := extra
	var sum hash.Hash
	if withMD5 {
		sum = md5.New()
		hashes = append([]hash.Hash{sum}, extra...)
	}
	n, err := f.copyHashed(ctx, tmp, r, hashes)
	if err != nil {
		return info, err
	}
	if err = tmp.Sync(); err != nil {
		return info, err
	}
	if err = tmp.Close(); err != nil {
		return info, err
	}
	dir := filepath.Dir(final)
	if err = os.MkdirAll(dir, 0o700); err != nil {
		return info, err
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return info, err
	}
	if err = syncDir(dir); err != nil {
		return info, err
	}
	info = blob.Info{Key: key, Size: n}
	if sum != nil {
		copy(info.MD5[:], sum.Sum(nil))
	}
	return info, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open opens a stored blob.
func (f *FS) Open(ctx context.Context, key string) (blob.Object, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return object{File: file, key: key, size: st.Size(), fs: f}, nil
}

// Delete removes a blob; a missing one is not an error.
func (f *FS) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk visits every stored blob (not temp files).
func (f *FS) Walk(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	return filepath.WalkDir(f.root, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != f.root && d.Name() == tmpDir && filepath.Dir(p) == f.root {
				return filepath.SkipDir
			}
			return nil
		}
		if _, perr := f.path(d.Name()); perr != nil {
			return nil // not a blob
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(d.Name(), info.ModTime())
	})
}

// CleanTemp removes temp files (left by crashed Puts) older than before
// (s3.TempCleaner; a pass over one local directory, not cancelled).
func (f *FS) CleanTemp(_ context.Context, before time.Time) (int, error) {
	entries, err := os.ReadDir(filepath.Join(f.root, tmpDir))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(f.root, tmpDir, e.Name())); err == nil {
			n++
		} else if !errors.Is(err, iofs.ErrNotExist) {
			return n, fmt.Errorf("clean temp: %w", err)
		}
	}
	return n, nil
}
