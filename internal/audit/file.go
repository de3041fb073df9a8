package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// FileConfig configures a FileSink.
type FileConfig struct {
	Dir string
	// MaxSize starts a new file before one would grow past it (0: 100 MiB).
	MaxSize int64
	// MaxAge starts a new file at the first write after a file is this old
	// (0: 24 hours).
	MaxAge time.Duration
	// Retention deletes files whose last event is older than this, checked
	// whenever a new file is started and at open (0: keep every file).
	Retention time.Duration
	// SyncInterval is how often the current file is fsync'd while events
	// are written (0: every second; negative: only when it is closed), so
	// that a machine crash loses at most that much of the trail.
	SyncInterval time.Duration
	// Now is the clock of rotation, retention and syncing (nil: time.Now).
	Now func() time.Time
}

// FileSink writes the trail as JSON-lines files in one directory, named
// audit-START-SEQ.jsonl (START the file's first write, UTC; SEQ counting
// files), the newest being the one written. Files are 0600 in a 0700
// directory; the current file is fsync'd every SyncInterval while written
// and when it is closed.
type FileSink struct {
	cfg FileConfig

	mu     sync.Mutex
	f      fileHandle
	name   string
	size   int64
	opened time.Time
	synced time.Time // last fsync of the current file
	seq    int
	closed bool
	// open creates a new trail file (tests replace it).
	open func(path string) (fileHandle, error)
}

// fileHandle is an open trail file: *os.File.
type fileHandle interface {
	Write(b []byte) (int, error)
	Truncate(size int64) error
	Sync() error
	Close() error
}

var _ Sink = (*FileSink)(nil)

// createFile creates a new trail file, 0600, for appending.
func createFile(path string) (fileHandle, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
}

// fileName matches the trail's file names.
var fileName = regexp.MustCompile(`^audit-(\d{8}T\d{6}Z)-(\d{6,})\.jsonl$`)

const fileTimeFormat = "20060102T150405Z"

// OpenFileSink opens the directory's newest file to append to, or starts
// one when there is none, it is too big or too old, or its last line is
// incomplete (a crash in the middle of a write).
func OpenFileSink(cfg FileConfig) (*FileSink, error) {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 100 << 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SyncInterval == 0 {
		cfg.SyncInterval = time.Second
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit dir: %w", err)
	}
	s := &FileSink{cfg: cfg, open: createFile}
	files, err := listFiles(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if len(files) > 0 {
		last := files[len(files)-1]
		s.seq = last.seq
		if ok, size := appendable(filepath.Join(cfg.Dir, last.name)); ok && size < cfg.MaxSize && cfg.Now().Sub(last.start) < cfg.MaxAge {
			f, err := os.OpenFile(filepath.Join(cfg.Dir, last.name), os.O_WRONLY|os.O_APPEND, 0o600)
			if err == nil {
				s.f, s.name, s.size, s.opened = f, last.name, size, last.start
			}
		}
	}
	s.sweep(cfg.Now())
	return s, nil
}

// appendable reports whether a file ends with a complete line (or is
// empty), and its size.
func appendable(path string) (bool, int64) {
	f, err := os.Open(path)
	if err != nil {
		return false, 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, 0
	}
	if st.Size() == 0 {
		return true, 0
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], st.Size()-1); err != nil {
		return false, 0
	}
	return b[0] == '\n', st.Size()
}

// trailFile is one file of the trail.
type trailFile struct {
	name  string
	start time.Time
	seq   int
}

// listFiles returns the trail's files, oldest first.
func listFiles(dir string) ([]trailFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []trailFile
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		t, err := time.Parse(fileTimeFormat, m[1])
		if err != nil {
			continue
		}
		seq, err := strconv.Atoi(m[2])
		if err != nil {
			continue
		}
		out = append(out, trailFile{name: e.Name(), start: t, seq: seq})
	}
	slices.SortFunc(out, func(a, b trailFile) int {
		if a.seq != b.seq {
			return a.seq - b.seq
		}
		return a.start.Compare(b.start)
	})
	return out, nil
}

// Write appends the lines to the current file, first starting a new one
// when the current is too old or the lines would take it past MaxSize.
func (s *FileSink) Write(_ context.Context, lines []byte, _ int) error {
	if len(lines) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	now := s.cfg.Now()
	if s.f == nil || (s.size > 0 && (s.size+int64(len(lines)) > s.cfg.MaxSize || now.Sub(s.opened) >= s.cfg.MaxAge)) {
		if err := s.rotate(now); err != nil {
			return err
		}
	}
	before := s.size
	n, err := s.f.Write(lines)
	s.size += int64(n)
	if err == nil && s.cfg.SyncInterval > 0 && now.Sub(s.synced) >= s.cfg.SyncInterval {
		err = s.f.Sync()
		s.synced = now
	}
	if err != nil {
		// Take the batch back (a full disk writes part of it): the file
		// keeps whole lines only, a retried batch is not written twice,
		// and the file stays the one written — a new file per failed
		// attempt would fill the directory while the disk is full.
		if terr := s.f.Truncate(before); terr == nil {
			s.size = before
		} else {
			// A partial line may be in the file: the next write starts a
			// new one (readers skip the broken line).
			s.closeFile()
		}
		return fmt.Errorf("audit file %s: %w", s.name, err)
	}
	return nil
}

// rotate closes the current file and starts the next, then applies
// retention.
func (s *FileSink) rotate(now time.Time) error {
	if err := s.closeFile(); err != nil {
		return err
	}
	s.seq++
	name := fmt.Sprintf("audit-%s-%06d.jsonl", now.UTC().Format(fileTimeFormat), s.seq)
	f, err := s.open(filepath.Join(s.cfg.Dir, name))
	if err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	// The new name must survive a crash with the events in it.
	if d, err := os.Open(s.cfg.Dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	s.f, s.name, s.size, s.opened = f, name, 0, now
	s.sweep(now)
	return nil
}

// closeFile syncs and closes the current file.
func (s *FileSink) closeFile() error {
	if s.f == nil {
		return nil
	}
	err := errors.Join(s.f.Sync(), s.f.Close())
	s.f = nil
	if err != nil {
		return fmt.Errorf("audit file %s: %w", s.name, err)
	}
	return nil
}

// sweep deletes the files whose last event is older than the retention:
// a file's last event is no later than the start of the file after it.
// The current file is never deleted.
func (s *FileSink) sweep(now time.Time) {
	if s.cfg.Retention <= 0 {
		return
	}
	files, err := listFiles(s.cfg.Dir)
	if err != nil {
		return
	}
	for i := 0; i+1 < len(files); i++ {
		if files[i].name == s.name {
			continue
		}
		if now.Sub(files[i+1].start) > s.cfg.Retention {
			_ = os.Remove(filepath.Join(s.cfg.Dir, files[i].name))
		}
	}
}

// Current is the name of the file being written ("" before the first).
func (s *FileSink) Current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// Close syncs and closes the current file.
func (s *FileSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.closeFile()
}

// WriterSink writes events to an io.Writer (stdout), one line each.
type WriterSink struct {
	mu sync.Mutex
	w  io.Writer
}

var _ Sink = (*WriterSink)(nil)

// NewWriterSink writes to w (nil: discarded).
func NewWriterSink(w io.Writer) *WriterSink {
	if w == nil {
		w = io.Discard
	}
	return &WriterSink{w: w}
}

// Write writes the lines.
func (s *WriterSink) Write(_ context.Context, lines []byte, _ int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.Write(lines)
	return err
}

// Close does nothing: the writer belongs to the caller.
func (s *WriterSink) Close(context.Context) error { return nil }
