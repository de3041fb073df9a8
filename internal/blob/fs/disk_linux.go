package fs

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk
// now, without waiting. Issued as a large blob is written through the page
// cache, it keeps dirty pages from piling up, so the final fsync is short and
// the writer is not throttled by the page cache's dirty limits.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// setDirect turns O_DIRECT on or off for f. With it on, a write goes from
// the caller's buffer to the device without a copy into the page cache;
// buffer, length and file offset must then be multiples of directAlign.
// File systems without direct I/O (some tmpfs, network file systems) refuse
// it, and the caller keeps writing through the page cache.
func setDirect(f *os.File, on bool) error {
	fd := f.Fd()
	flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
	if err != nil {
		return err
	}
	if on {
		flags |= unix.O_DIRECT
	} else {
		flags &^= unix.O_DIRECT
	}
	_, err = unix.FcntlInt(fd, unix.F_SETFL, flags)
	return err
}

// preadFull fills buf from pos with direct reads (aligned offsets and
// lengths). A short read means the end of the file: it returns io.EOF with
// the bytes read, since the next offset would not be aligned.
func preadFull(f *os.File, buf []byte, pos int64) (int, error) {
	fd := int(f.Fd())
	n := 0
	for n < len(buf) {
		m, err := unix.Pread(fd, buf[n:], pos+int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			if n == 0 && errors.Is(err, syscall.EINVAL) {
				return 0, errDirectRefused
			}
			return n, err
		}
		n += m
		if m == 0 || m%directAlign != 0 {
			return n, io.EOF
		}
	}
	return n, nil
}

// preadCached reads what of buf at pos is in the page cache, without
// waiting for the disk (preadv2 with RWF_NOWAIT): the bytes read, 0 when
// the first page is not cached or the kernel cannot tell.
func preadCached(f *os.File, buf []byte, pos int64) int {
	fd := int(f.Fd())
	n := 0
	for n < len(buf) {
		m, err := unix.Preadv2(fd, [][]byte{buf[n:]}, pos+int64(n), unix.RWF_NOWAIT)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return n
}

// adviseSequential tells the kernel [off, off+n) of f will be read in
// order (a larger read-ahead through the page cache).
func adviseSequential(f *os.File, off, n int64) {
	_ = unix.Fadvise(int(f.Fd()), off, n, unix.FADV_SEQUENTIAL)
}
