package main

import (
	"io"
	"testing"
)

// The copied pattern is the byte-by-byte one: 'a'+i%26 from the start of
// every Read, whatever the buffer size, and exactly left bytes in all.
func TestPatternIsTheAlphabetFromEveryRead(t *testing.T) {
	run := alphabetRun()
	if len(run)%26 != 0 {
		t.Fatalf("run of %d bytes is not whole alphabets", len(run))
	}
	for _, size := range []int{1, 25, 26, 27, 4096, len(run) - 1, len(run), len(run) + 1, 3*len(run) + 7, 1 << 20} {
		left := int64(2*size + 5)
		p := &pattern{left: left, run: run}
		buf := make([]byte, size)
		var total int64
		for {
			for i := range buf {
				buf[i] = 0xff // a Read that skips bytes leaves these
			}
			n, err := p.Read(buf)
			for i, c := range buf[:n] {
				if c != byte('a'+i%26) {
					t.Fatalf("buffer %d: byte %d is %q", size, i, c)
				}
			}
			total += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil || n == 0 {
				t.Fatalf("buffer %d: %d, %v", size, n, err)
			}
		}
		if total != left {
			t.Fatalf("buffer %d: %d bytes, want %d", size, total, left)
		}
	}
	// A pattern without a run makes one instead of looping forever.
	p := &pattern{left: 30}
	buf := make([]byte, 30)
	if n, err := p.Read(buf); n != 30 || err != nil || buf[26] != 'a' {
		t.Fatalf("pattern without a run: %d, %v, %q", n, err, buf)
	}
}
