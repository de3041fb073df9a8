//go:build unix

package server

import "syscall"

// descriptorLimit is the process's soft limit on open files (which the Go
// runtime raises to the hard limit at start).
func descriptorLimit() (uint64, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	return uint64(r.Cur), true
}
