//go:build !unix && !windows

package datadir

import "os"

// supported tells whether Acquire locks anything on this system.
const supported = false

// tryLock locks nothing where neither flock nor LockFileEx exists: the data
// directory is unguarded there (see the package documentation).
func tryLock(f *os.File) (held bool, err error) { return false, nil }
