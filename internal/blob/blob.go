// Package blob stores object bytes, apart from object metadata (which lives
// in package store).
//
// Contract for every implementation (checked by blobtest):
//   - Put streams a reader to durable storage under a fresh, unique key that
//     is never reused, and returns only once the bytes are durable. Size and
//     MD5 (and any extra hashes the caller passes) are computed while
//     streaming; nothing proportional to the object is held in memory.
//   - The caller declares the size it knows (a request's Content-Length),
//     or -1 when it knows none: a backend may choose how to store by it (an
//     S3 upstream: one PutObject or a multipart upload). A reader that
//     yields another number of bytes than declared either fails the Put
//     with ErrSizeMismatch (leaving nothing) or is stored as read; never
//     is a blob stored whose Info.Size differs from its bytes.
//   - A Put that fails or whose context is cancelled leaves nothing visible:
//     Open and Walk never see partial bytes.
//   - Open returns ErrNotFound for a missing key; the returned Object reads
//     any range (io.ReaderAt) and must be closed.
//   - Delete is idempotent. Walk visits every stored key (for the orphan
//     sweeper, which deletes blobs no object record references).
//   - A backend that depends on a remote service reports its temporary
//     unavailability (overload, throttling) as ErrUnavailable, which the
//     S3 front end answers 503 SlowDown so that clients retry.
//
// An S3 object is the concatenation of one or more blobs (a multipart
// object keeps one blob per part), so no implementation needs to copy bytes
// to complete an upload.
package blob

import (
	"context"
	"errors"
	"hash"
	"io"
	"time"
)

// ErrNotFound: no blob has the key.
var ErrNotFound = errors.New("blob: not found")

// ErrUnavailable: the backend is temporarily unable to serve (a remote
// store answered 503, throttled, or could not be reached); the operation
// may succeed if retried later.
var ErrUnavailable = errors.New("blob: backend temporarily unavailable")

// ErrSizeMismatch: the reader of a Put yielded another number of bytes
// than the size its caller declared.
var ErrSizeMismatch = errors.New("blob: body size differs from the declared size")

// UnknownSize is the size a caller declares when it knows none.
const UnknownSize int64 = -1

// Info describes a stored blob.
type Info struct {
	Key  string
	Size int64
	MD5  [16]byte
}

// Object is an open blob.
type Object interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// RangeWriter is an optional capability of an Object: WriteRange copies the
// n bytes at off to w as fast as the backend streams them (read-ahead,
// direct I/O), stopping at the first error. It returns the bytes written; a
// blob shorter than off+n is an error. Readers without it use ReadAt.
type RangeWriter interface {
	WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error)
}

// Importer is an optional capability of a Store: Import stores r under the
// given key, which came from another store of the same kind (restoring a
// backup), with Put's durability and all-or-nothing visibility, replacing a
// blob of that key. A key the backend could not have made is refused with
// ErrBadKey. size is r's length as for Put (-1: unknown). Extra hashes are
// fed the same bytes.
type Importer interface {
	Import(ctx context.Context, key string, r io.Reader, size int64, extra ...hash.Hash) (Info, error)
}

// UnhashedPutter is an optional capability of a Store: PutUnhashed is Put
// without the MD5 of the stored bytes (Info.MD5 is zero; extra hashes are
// still fed), for callers that hash the bytes before transforming them for
// storage: package sse encrypts them, and S3's ETag is the plaintext's
// MD5, so an MD5 of the ciphertext would be work for nothing.
type UnhashedPutter interface {
	PutUnhashed(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (Info, error)
}

// ErrBadKey: a key the backend could not have made (Import).
var ErrBadKey = errors.New("blob: malformed key")

// Store is a blob backend.
type Store interface {
	// Put stores r under a new key. size is the number of bytes r yields
	// as far as the caller knows (-1, UnknownSize: not known). Extra
	// hashes are fed the same bytes.
	Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (Info, error)
	Open(ctx context.Context, key string) (Object, error)
	Delete(ctx context.Context, key string) error
	// Walk calls fn for every stored blob with its modification time.
	Walk(ctx context.Context, fn func(key string, modTime time.Time) error) error
}
