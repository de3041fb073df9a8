package s3blob

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// copyBufSize is the buffer WriteRange streams a GET through.
const copyBufSize = 256 << 10

// errShortBlob: the upstream ended a ranged GET before the range did.
var errShortBlob = errors.New("s3blob: blob shorter than the range read")

// Open looks the blob up with a HEAD; its bytes are read with ranged GETs.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	name, ok := s.name(key)
	if !ok {
		return nil, blob.ErrNotFound
	}
	out, err := s.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &name})
	if err != nil {
		if isNotFound(err) {
			return nil, blob.ErrNotFound
		}
		return nil, upstreamErr("HeadObject", err)
	}
	return &object{s: s, ctx: ctx, name: name, size: aws.ToInt64(out.ContentLength), etag: out.ETag, sse: out.ServerSideEncryption}, nil
}

// object is an open upstream blob. ReadAt keeps the body of its last GET
// open, so that sequential reads continue it.
type object struct {
	s    *Store
	ctx  context.Context // Open's, for ReadAt
	name string
	size int64
	etag *string // of the HEAD: later GETs must read the same object
	sse  types.ServerSideEncryption

	mu      sync.Mutex
	body    io.ReadCloser // a GET's body positioned at bodyOff, or nil
	bodyOff int64
	bodyEnd int64 // end of the GET's range
	next    int64 // offset after the last ReadAt
}

var (
	_ blob.Object      = (*object)(nil)
	_ blob.RangeWriter = (*object)(nil)
)

func (o *object) Size() int64 { return o.size }

// get opens a GET of [off, end).
func (o *object) get(ctx context.Context, off, end int64) (io.ReadCloser, error) {
	out, err := o.s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.s.bucket, Key: &o.name, IfMatch: o.etag,
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, end-1))})
	if err != nil {
		if isNotFound(err) {
			return nil, blob.ErrNotFound
		}
		return nil, upstreamErr("GetObject", err)
	}
	return out.Body, nil
}

// ReadAt reads len(p) bytes at off. A read that starts where the last one
// ended continues its GET (opened to the end of the blob); any other opens
// a GET of just the bytes asked for. A GET that breaks off is resumed
// where it stopped, up to maxResumes times.
func (o *object) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("s3blob: negative offset")
	}
	if off >= o.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := min(int64(len(p)), o.size-off)
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	for resumes := 0; ; resumes++ {
		at := off + n
		if o.body == nil || o.bodyOff != at || o.bodyEnd < off+want {
			o.closeBody()
			end := off + want
			if at == o.next && at != 0 {
				end = o.size // sequential: read ahead to the end
			}
			body, err := o.get(o.ctx, at, end)
			if err != nil {
				return int(n), err
			}
			o.body, o.bodyOff, o.bodyEnd = body, at, end
		}
		m, err := io.ReadFull(o.body, p[n:want])
		n += int64(m)
		o.bodyOff += int64(m)
		o.next = off + n
		if err == nil {
			break
		}
		o.closeBody()
		if cerr := o.ctx.Err(); cerr != nil {
			return int(n), cerr
		}
		if resumes == maxResumes {
			return int(n), readErr(err)
		}
	}
	if o.bodyOff >= o.bodyEnd {
		o.closeBody()
	}
	if want < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// maxResumes is how many times a read resumes a GET that broke off.
const maxResumes = 2

// readErr is the error of a GET's body that ended early or broke.
func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errShortBlob
	}
	return upstreamErr("GetObject", err)
}

func (o *object) closeBody() {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
}

// Close releases the GET ReadAt kept open.
func (o *object) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closeBody()
	return nil
}

// WriteRange streams [off, off+n) from one ranged GET to w through a
// pooled buffer.
func (o *object) WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > o.size {
		return 0, errShortBlob
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	body, err := o.get(ctx, off, off+n)
	if err != nil {
		return 0, err
	}
	defer func() {
		if body != nil {
			body.Close()
		}
	}()
	bp := o.s.copyBufs.Get().(*[]byte)
	defer o.s.copyBufs.Put(bp)
	var total int64
	for resumes := 0; total < n; {
		buf := (*bp)[:min(int64(len(*bp)), n-total)]
		m, rerr := io.ReadFull(body, buf)
		if m > 0 {
			k, werr := w.Write(buf[:m])
			total += int64(k)
			if werr != nil {
				return total, werr
			}
		}
		if rerr == nil {
			continue
		}
		if cerr := ctx.Err(); cerr != nil {
			return total, cerr
		}
		if resumes == maxResumes {
			return total, readErr(rerr)
		}
		// The GET broke off: resume where it stopped.
		resumes++
		body.Close()
		if body, err = o.get(ctx, off+total, off+n); err != nil {
			return total, err
		}
	}
	return total, nil
}

// ContentMD5 is the MD5 of the blob's bytes when the upstream's ETag is
// one: the object was stored by one PutObject (not a multipart upload,
// whose ETag is "HASH-N") and the upstream does not encrypt it with a KMS
// key (whose ETags are not MD5s). ok is false when the MD5 is not known.
func (o *object) ContentMD5() (sum [16]byte, ok bool) {
	if o.sse == types.ServerSideEncryptionAwsKms || o.sse == types.ServerSideEncryptionAwsKmsDsse {
		return sum, false
	}
	etag := strings.Trim(aws.ToString(o.etag), `"`)
	if len(etag) != 2*len(sum) {
		return sum, false
	}
	if _, err := hex.Decode(sum[:], []byte(etag)); err != nil {
		return sum, false
	}
	return sum, true
}
