package blobtest

import (
	"bytes"
	"context"
	"errors"
	"hash"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/faketb"
)

// The suite's own tests: the suite passes over blob/fs, directly and
// through a key-prefixing decorator; run under a recorder against blob/fs
// broken in one way at a time, the cases that check what broke must fail
// without panicking.

func openFS(t testing.TB) blob.Store {
	f, err := fs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// prefixed keeps its blobs in an inner store under a fixed key prefix: the
// keys it hands out are prefix+inner key, and a key without the prefix
// names none of its blobs. (The inner store chooses its own keys, so the
// prefix is a namespace in the keys, not in the inner store.)
type prefixed struct {
	inner  blob.Store
	prefix string
}

var _ blob.Store = prefixed{}

func (p prefixed) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	info, err := p.inner.Put(ctx, r, size, extra...)
	if err != nil {
		return blob.Info{}, err
	}
	info.Key = p.prefix + info.Key
	return info, nil
}

func (p prefixed) Open(ctx context.Context, key string) (blob.Object, error) {
	k, ok := strings.CutPrefix(key, p.prefix)
	if !ok {
		return nil, blob.ErrNotFound
	}
	return p.inner.Open(ctx, k)
}

func (p prefixed) Delete(ctx context.Context, key string) error {
	k, ok := strings.CutPrefix(key, p.prefix)
	if !ok {
		return nil // not one of ours: already absent
	}
	return p.inner.Delete(ctx, k)
}

func (p prefixed) Walk(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	return p.inner.Walk(ctx, func(k string, mod time.Time) error { return fn(p.prefix+k, mod) })
}

func TestConformanceUnderAPrefix(t *testing.T) {
	Run(t, func(t testing.TB) blob.Store { return prefixed{inner: openFS(t), prefix: "tenant-a/"} })
}

func TestPrefixedKeys(t *testing.T) {
	inner := openFS(t)
	p := prefixed{inner: inner, prefix: "tenant-a/"}
	info, err := p.Put(ctx, strings.NewReader("hello"), 5)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := strings.CutPrefix(info.Key, "tenant-a/")
	if !ok {
		t.Fatalf("key %q lacks the prefix", info.Key)
	}
	if got := readAll(t, inner, k); string(got) != "hello" {
		t.Fatalf("inner blob %q", got)
	}
	if _, err := p.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("the inner key without the prefix: %v", err)
	}
}

// run is one case against one opener, and what the recorder saw.
type run struct {
	b    *breakage
	c    testCase
	open Opener
	rec  *faketb.T
}

// runAll runs the cases, a few at a time.
func runAll(t *testing.T, runs []run) []run {
	recs := faketb.RunAll(t, len(runs), 4, func(i int) string { return runs[i].c.name },
		func(i int, tb testing.TB) { runs[i].c.fn(tb, runs[i].open) })
	for i := range runs {
		runs[i].rec = recs[i]
	}
	return runs
}

func TestSuitePassesUnderTheRecorder(t *testing.T) {
	var runs []run
	for _, c := range cases() {
		runs = append(runs, run{c: c, open: openFS})
	}
	for _, r := range runAll(t, runs) {
		if r.rec.Failed() || r.rec.Skipped() {
			t.Errorf("%s failed or skipped against blob/fs:\n%s", r.c.name, r.rec.Report())
		}
	}
}

var errBroken = errors.New("broken blob store")

// breakage is one way to break blob/fs, and the cases that must notice.
type breakage struct {
	name  string
	wrap  func(blob.Store) blob.Store
	fails []string // nil: every case
}

func breakages() []breakage {
	objects := func(wrap func(blob.Object) blob.Object) func(blob.Store) blob.Store {
		return func(s blob.Store) blob.Store { return openWraps{s, wrap} }
	}
	return []breakage{
		{name: "ReadAt returns wrong bytes", wrap: objects(func(o blob.Object) blob.Object { return corruptReads{o} }),
			fails: []string{"RoundTripSizesAndHashes", "Ranges", "UnknownSizeStream", "MissingAndDelete", "ConcurrentUniqueKeysAndWalk"}},
		{name: "ReadAt at the end does not return io.EOF", wrap: objects(func(o blob.Object) blob.Object { return noEOF{o} }),
			fails: []string{"Ranges"}},
		{name: "WriteRange returns wrong bytes", wrap: objects(func(o blob.Object) blob.Object { return corruptRanges{o, o.(blob.RangeWriter)} }),
			fails: []string{"RangeWriter"}},
		{name: "WriteRange accepts a range past the end", wrap: objects(func(o blob.Object) blob.Object { return laxRanges{o, o.(blob.RangeWriter)} }),
			fails: []string{"RangeWriter"}},
		{name: "Close fails", wrap: objects(func(o blob.Object) blob.Object { return failingClose{o} }),
			fails: []string{"RoundTripSizesAndHashes", "Ranges", "UnknownSizeStream", "MissingAndDelete", "ConcurrentUniqueKeysAndWalk"}},
		{name: "Put drops the bytes", wrap: func(s blob.Store) blob.Store { return dropsPuts{s} },
			fails: without(caseNames(), "FailedPutLeavesNothing")},
		{name: "Put reports a wrong size", wrap: func(s blob.Store) blob.Store { return wrongSize{s} },
			fails: []string{"RoundTripSizesAndHashes", "Ranges", "RangeWriter", "UnknownSizeStream", "MissingAndDelete"}},
		{name: "Put ignores the extra hashes", wrap: func(s blob.Store) blob.Store { return ignoresExtra{s} },
			fails: []string{"RoundTripSizesAndHashes"}},
		{name: "Put fails", wrap: func(s blob.Store) blob.Store { return failsPuts{s} },
			fails: without(caseNames(), "FailedPutLeavesNothing")},
		{name: "Put stores only the first 64 KiB", wrap: func(s blob.Store) blob.Store { return truncatesPuts{s} },
			fails: []string{"RoundTripSizesAndHashes", "Ranges", "RangeWriter", "UnknownSizeStream"}},
		{name: "a failed Put keeps what it read", wrap: func(s blob.Store) blob.Store { return keepsPartial{s} },
			fails: []string{"FailedPutLeavesNothing"}},
		{name: "Open of a missing blob is not ErrNotFound", wrap: func(s blob.Store) blob.Store { return sloppyMissing{s} },
			fails: []string{"MissingAndDelete"}},
		{name: "Delete of a missing blob fails", wrap: func(s blob.Store) blob.Store { return strictDelete{s} },
			fails: []string{"MissingAndDelete"}},
		{name: "Walk misses a blob", wrap: func(s blob.Store) blob.Store { return walkSkipsOne{s} },
			fails: []string{"MissingAndDelete", "ConcurrentUniqueKeysAndWalk"}},
		{name: "Walk fails", wrap: func(s blob.Store) blob.Store { return walkFails{s} },
			fails: []string{"MissingAndDelete", "FailedPutLeavesNothing", "ConcurrentUniqueKeysAndWalk"}},
	}
}

func caseNames() []string {
	var out []string
	for _, c := range cases() {
		out = append(out, c.name)
	}
	return out
}

func without(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
}

func TestSuiteFailsAgainstBrokenStores(t *testing.T) {
	var runs []run
	bs := breakages()
	for i := range bs {
		b := &bs[i]
		for _, c := range cases() {
			if b.fails == nil || slices.Contains(b.fails, c.name) {
				runs = append(runs, run{b: b, c: c, open: func(t testing.TB) blob.Store { return b.wrap(openFS(t)) }})
			}
		}
	}
	for _, r := range runAll(t, runs) {
		switch {
		case r.rec.Panicked() != "":
			t.Errorf("%s panicked instead of failing where %s:\n%s", r.c.name, r.b.name, r.rec.Report())
		case !r.rec.Failed():
			t.Errorf("%s passed (skipped: %v) against a store where %s", r.c.name, r.rec.Skipped(), r.b.name)
		default:
			t.Logf("%s, where %s: %s", r.c.name, r.b.name, firstLine(r.rec.Messages()))
		}
	}
}

func firstLine(msgs []string) string {
	if len(msgs) == 0 {
		return ""
	}
	return strings.TrimSpace(msgs[0])
}

// openWraps hands out wrapped objects.
type openWraps struct {
	blob.Store
	wrap func(blob.Object) blob.Object
}

func (s openWraps) Open(ctx context.Context, key string) (blob.Object, error) {
	o, err := s.Store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.wrap(o), nil
}

// corruptReads flips the first byte of every ReadAt (and has no
// RangeWriter).
type corruptReads struct{ blob.Object }

func (o corruptReads) ReadAt(p []byte, off int64) (int, error) {
	n, err := o.Object.ReadAt(p, off)
	if n > 0 {
		p[0] ^= 0xff
	}
	return n, err
}

type noEOF struct{ blob.Object }

func (o noEOF) ReadAt(p []byte, off int64) (int, error) {
	n, err := o.Object.ReadAt(p, off)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// corruptRanges flips the first byte of every write of WriteRange.
type corruptRanges struct {
	blob.Object
	rw blob.RangeWriter
}

func (o corruptRanges) WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error) {
	return o.rw.WriteRange(ctx, flipWriter{w}, off, n)
}

type flipWriter struct{ w io.Writer }

func (f flipWriter) Write(p []byte) (int, error) {
	q := bytes.Clone(p)
	if len(q) > 0 {
		q[0] ^= 0xff
	}
	return f.w.Write(q)
}

// laxRanges writes what there is of a range past the end without an error.
type laxRanges struct {
	blob.Object
	rw blob.RangeWriter
}

func (o laxRanges) WriteRange(ctx context.Context, w io.Writer, off, n int64) (int64, error) {
	return o.rw.WriteRange(ctx, w, off, min(n, o.Size()-off))
}

type failingClose struct{ blob.Object }

func (o failingClose) Close() error {
	o.Object.Close()
	return errBroken
}

// dropsPuts deletes every blob as soon as it is stored.
type dropsPuts struct{ blob.Store }

func (s dropsPuts) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	info, err := s.Store.Put(ctx, r, size, extra...)
	if err == nil {
		err = s.Store.Delete(ctx, info.Key)
	}
	return info, err
}

type wrongSize struct{ blob.Store }

func (s wrongSize) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	info, err := s.Store.Put(ctx, r, size, extra...)
	info.Size++
	return info, err
}

type ignoresExtra struct{ blob.Store }

func (s ignoresExtra) Put(ctx context.Context, r io.Reader, size int64, _ ...hash.Hash) (blob.Info, error) {
	return s.Store.Put(ctx, r, size)
}

type failsPuts struct{ blob.Store }

func (failsPuts) Put(context.Context, io.Reader, int64, ...hash.Hash) (blob.Info, error) {
	return blob.Info{}, errBroken
}

type truncatesPuts struct{ blob.Store }

func (s truncatesPuts) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	return s.Store.Put(ctx, io.LimitReader(r, 64<<10), size, extra...)
}

// keepsPartial stores what a failed Put had read.
type keepsPartial struct{ blob.Store }

func (s keepsPartial) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	var read bytes.Buffer
	info, err := s.Store.Put(ctx, io.TeeReader(r, &read), size, extra...)
	if err != nil {
		s.Store.Put(context.Background(), &read, int64(read.Len()))
	}
	return info, err
}

type sloppyMissing struct{ blob.Store }

func (s sloppyMissing) Open(ctx context.Context, key string) (blob.Object, error) {
	o, err := s.Store.Open(ctx, key)
	if err != nil {
		return nil, errors.New(err.Error())
	}
	return o, nil
}

type strictDelete struct{ blob.Store }

func (s strictDelete) Delete(ctx context.Context, key string) error {
	o, err := s.Store.Open(ctx, key)
	if err != nil {
		return err
	}
	o.Close()
	return s.Store.Delete(ctx, key)
}

type walkSkipsOne struct{ blob.Store }

func (s walkSkipsOne) Walk(ctx context.Context, fn func(string, time.Time) error) error {
	skipped := false
	return s.Store.Walk(ctx, func(k string, mod time.Time) error {
		if !skipped {
			skipped = true
			return nil
		}
		return fn(k, mod)
	})
}

type walkFails struct{ blob.Store }

func (walkFails) Walk(context.Context, func(string, time.Time) error) error { return errBroken }
