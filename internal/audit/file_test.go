package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// clock is a settable clock for the file sink.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	files, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		out = append(out, f.name)
	}
	return out
}

func line(n int) []byte {
	return append(bytes.Repeat([]byte("x"), n-1), '\n')
}

func TestFileRotatesBySize(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s, err := OpenFileSink(FileConfig{Dir: dir, MaxSize: 1000, MaxAge: time.Hour, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := s.Write(ctx, line(300), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := names(t, dir)
	// Three 300-byte lines fit in 1000 bytes: four files of 3, 3, 3 and 1.
	if len(got) != 4 || got[0] != "audit-20260301T100000Z-000001.jsonl" || got[3] != "audit-20260301T100000Z-000004.jsonl" {
		t.Fatalf("files: %v", got)
	}
	for i, n := range got {
		st, _ := os.Stat(filepath.Join(dir, n))
		want := int64(900)
		if i == 3 {
			want = 300
		}
		if st.Size() != want || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %d bytes, mode %v", n, st.Size(), st.Mode().Perm())
		}
	}
}

func TestFileRotatesByAge(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s, err := OpenFileSink(FileConfig{Dir: dir, MaxSize: 1 << 20, MaxAge: time.Hour, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	s.Write(ctx, line(10), 1)
	c.advance(59 * time.Minute)
	s.Write(ctx, line(10), 1)
	c.advance(time.Minute)
	s.Write(ctx, line(10), 1)
	c.advance(3 * time.Hour) // idle: the next write starts a new file
	s.Write(ctx, line(10), 1)
	s.Close(ctx)
	got := strings.Join(names(t, dir), " ")
	want := "audit-20260301T100000Z-000001.jsonl audit-20260301T110000Z-000002.jsonl audit-20260301T140000Z-000003.jsonl"
	if got != want {
		t.Fatalf("files:\n got %s\nwant %s", got, want)
	}
}

// Retention deletes files whose last event (the next file's start) is
// older than the retention, when a file is started and at open; the
// current file stays.
func TestFileRetention(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	cfg := FileConfig{Dir: dir, MaxSize: 1 << 20, MaxAge: 24 * time.Hour, Retention: 72 * time.Hour, Now: c.now}
	s, err := OpenFileSink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for day := 0; day < 6; day++ {
		if err := s.Write(ctx, line(10), 1); err != nil {
			t.Fatal(err)
		}
		c.advance(24 * time.Hour)
	}
	// The last file was started on Mar 6: Mar 1's file, whose last event
	// was before Mar 2 00:00, more than 72 h earlier, is gone; Mar 2's
	// ended exactly 72 h earlier and stays.
	got := strings.Join(names(t, dir), " ")
	want := "audit-20260302T000000Z-000002.jsonl audit-20260303T000000Z-000003.jsonl audit-20260304T000000Z-000004.jsonl audit-20260305T000000Z-000005.jsonl audit-20260306T000000Z-000006.jsonl"
	if got != want {
		t.Fatalf("files after retention:\n got %s\nwant %s", got, want)
	}
	s.Close(ctx)
	// Much later, opening the trail again sweeps all but the newest.
	c.advance(30 * 24 * time.Hour)
	s, err = OpenFileSink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if got := names(t, dir); len(got) != 1 || got[0] != "audit-20260306T000000Z-000006.jsonl" {
		t.Fatalf("files after reopening: %v", got)
	}
	// Retention 0 keeps everything.
	dir2 := t.TempDir()
	s2, _ := OpenFileSink(FileConfig{Dir: dir2, MaxAge: time.Hour, Now: c.now})
	for i := 0; i < 5; i++ {
		s2.Write(ctx, line(10), 1)
		c.advance(48 * time.Hour)
	}
	s2.Close(ctx)
	if n := len(names(t, dir2)); n != 5 {
		t.Fatalf("retention 0 kept %d of 5 files", n)
	}
}

// A restart appends to the newest file when it is young, small and ends
// with a whole line; a torn last line (a crash mid-write) starts a new one.
func TestFileReopen(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := FileConfig{Dir: dir, MaxSize: 1 << 20, MaxAge: time.Hour, Now: c.now}
	s, _ := OpenFileSink(cfg)
	s.Write(ctx, []byte("{\"a\":1}\n"), 1)
	s.Close(ctx)
	s, _ = OpenFileSink(cfg)
	s.Write(ctx, []byte("{\"a\":2}\n"), 1)
	s.Close(ctx)
	if got := names(t, dir); len(got) != 1 {
		t.Fatalf("a restart started a new file: %v", got)
	}
	// Tear the last line.
	f, _ := os.OpenFile(filepath.Join(dir, names(t, dir)[0]), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(`{"a":`))
	f.Close()
	s, _ = OpenFileSink(cfg)
	s.Write(ctx, []byte("{\"a\":3}\n"), 1)
	s.Close(ctx)
	got := names(t, dir)
	if len(got) != 2 {
		t.Fatalf("files after a torn line: %v", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, got[1]))
	if string(b) != "{\"a\":3}\n" {
		t.Fatalf("new file: %q", b)
	}
	// Readers skip the torn line.
	var n int
	readFile(filepath.Join(dir, got[0]), func([]byte) error { n++; return nil })
	if n != 2 {
		t.Fatalf("read %d whole lines of the torn file", n)
	}
}

func TestReadLinesBounds(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("short\n")
	in.Write(bytes.Repeat([]byte("y"), maxLine+10))
	in.WriteString("\nafter\nunterminated")
	var got []string
	if err := readLines(&in, func(l []byte) error { got = append(got, string(l)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "short,,after" {
		t.Fatalf("lines: %q", got)
	}
}

// fullDisk is a file whose writes fail with ENOSPC once its room is used
// up, after writing what fits (as a real full disk does).
type fullDisk struct {
	*os.File
	room *int // bytes that still fit; negative: no limit
}

func (f fullDisk) Write(b []byte) (int, error) {
	if *f.room < 0 || len(b) <= *f.room {
		if *f.room >= 0 {
			*f.room -= len(b)
		}
		return f.File.Write(b)
	}
	n, _ := f.File.Write(b[:*f.room])
	*f.room = 0
	return n, syscall.ENOSPC
}

// A full disk neither tears the trail nor multiplies its files: a write
// that fails part-way is taken back (no partial line, nothing written
// twice when the batch is retried) and the same file is written again
// once there is room — not a new file per attempt, which at a batch
// every few milliseconds would fill the directory.
func TestFileFullDisk(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s, err := OpenFileSink(FileConfig{Dir: dir, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	room := -1
	s.open = func(name string) (fileHandle, error) {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		return fullDisk{File: f, room: &room}, nil
	}
	batch := bytes.Repeat(line(100), 3)
	if err := s.Write(ctx, batch, 3); err != nil {
		t.Fatal(err)
	}
	room = 150 // the next batch fits half-way
	for i := 0; i < 20; i++ {
		c.advance(time.Second)
		if err := s.Write(ctx, batch, 3); err == nil {
			t.Fatal("a write to a full disk succeeded")
		}
		room = 0
	}
	room = -1 // room again: the failed batch is retried
	if err := s.Write(ctx, batch, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := names(t, dir)
	if len(got) != 1 {
		t.Fatalf("a full disk left %d files: %v", len(got), got)
	}
	b, err := os.ReadFile(filepath.Join(dir, got[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, append(bytes.Clone(batch), batch...)) {
		t.Fatalf("the file holds %d bytes (%d lines), want the two batches whole: %d bytes", len(b), bytes.Count(b, []byte("\n")), 2*len(batch))
	}
}
