//go:build windows

package datadir

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// supported tells whether Acquire locks anything on this system.
const supported = true

// tryLock takes an exclusive LockFileEx lock without waiting; held reports
// that another handle holds it. The locked byte lies far past the recorded
// pid (Windows locks are mandatory: others could not read a locked pid).
func tryLock(f *os.File) (held bool, err error) {
	ol := &windows.Overlapped{OffsetHigh: 1}
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	return false, err
}
