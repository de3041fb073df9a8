//go:build !linux

package fs

import (
	"errors"
	"os"
)

// startWriteback is a no-op where sync_file_range does not exist; the final
// fsync does all the work.
func startWriteback(f *os.File, off, n int64) {}

// setDirect is refused where O_DIRECT is not available through fcntl; large
// blobs are then written through the page cache.
func setDirect(f *os.File, on bool) error { return errors.ErrUnsupported }

// preadFull is never reached here (setDirect always fails); it reads
// through the file like any other read.
func preadFull(f *os.File, buf []byte, pos int64) (int, error) {
	return f.ReadAt(buf, pos)
}

// preadCached cannot tell what is cached here: nothing is.
func preadCached(f *os.File, buf []byte, pos int64) int { return 0 }

// adviseSequential has no equivalent here.
func adviseSequential(f *os.File, off, n int64) {}
