// Package datadir guards a Gatehouse data directory against two servers at
// once: Lock takes an exclusive, advisory lock on DIR/gatehouse.lock that a
// serving process (and a restore) holds until Unlock or until it exits —
// the operating system drops the lock of a process that dies, so a crash
// never leaves a directory locked. A second Lock fails with an *InUseError
// (errors.Is ErrInUse) naming the holder's process id, which the holder
// writes into the file.
//
// The lock is flock(2) on Unix and LockFileEx on Windows. On other systems
// Lock always succeeds and locks nothing (ErrUnsupported is never returned:
// the directory is then unguarded, as the operations guide says).
//
// Operator commands that work next to a running server (account, keys,
// blobs sweep, backup) do not take the lock: the store's own locking
// orders their writes with the server's.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the name of the lock file in the data directory. It is left
// in place when the lock is released.
const LockFile = "gatehouse.lock"

// ErrInUse: another process holds the data directory's lock.
var ErrInUse = errors.New("data directory is in use")

// InUseError reports the directory and the pid recorded by the holder.
type InUseError struct {
	Dir string
	PID int // 0 when the holder has not recorded it (yet)
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("data directory %s is in use by another gatehouse server (pid %d)", e.Dir, e.PID)
	}
	return fmt.Sprintf("data directory %s is in use by another gatehouse server", e.Dir)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// Lock is a held data-directory lock.
type Lock struct {
	f *os.File
}

// Acquire locks dir (which must exist) for this process, creating the lock
// file when missing, and records the process id in it. It does not wait: a
// lock held elsewhere fails at once with *InUseError.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	if held {
		pid := 0
		if b, err := os.ReadFile(path); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		f.Close()
		return nil, &InUseError{Dir: dir, PID: pid}
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock (closing the file releases it). The file stays.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
