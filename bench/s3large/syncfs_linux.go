package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the file system holding path (syncfs(2)), so that timings
// start from clean caches.
func syncFS(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
