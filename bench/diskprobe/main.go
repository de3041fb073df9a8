// Command diskprobe measures how fast this machine reads a file from disk
// with the page cache dropped before every read: buffered sequential
// reads as one or several streams, and direct (O_DIRECT) reads of a given
// size with several in flight. It is what docs/benchmarks.md quotes for the
// cold 256 MiB GET. Linux only; dropping the page cache needs root.
//
//	go run ./bench/diskprobe -file /path/to/256MiB-file [-runs 5]
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	file := flag.String("file", "", "the file to read (a few hundred MiB of random bytes)")
	runs := flag.Int("runs", 5, "runs of every variant, interleaved")
	flag.Parse()
	if *file == "" {
		fmt.Fprintln(os.Stderr, "diskprobe: -file is required")
		os.Exit(2)
	}
	type variant struct {
		name string
		read func() (float64, error)
	}
	variants := []variant{
		{"buffered, 1 stream of 1 MiB reads", func() (float64, error) { return streams(*file, 1) }},
		{"buffered, 2 streams", func() (float64, error) { return streams(*file, 2) }},
		{"buffered, 4 streams", func() (float64, error) { return streams(*file, 4) }},
		{"direct 1 MiB, 1 in flight", func() (float64, error) { return direct(*file, 1<<20, 1) }},
		{"direct 4 MiB, 1 in flight", func() (float64, error) { return direct(*file, 4<<20, 1) }},
		{"direct 1 MiB, 4 in flight", func() (float64, error) { return direct(*file, 1<<20, 4) }},
		{"direct 4 MiB, 4 in flight", func() (float64, error) { return direct(*file, 4<<20, 4) }},
	}
	got := make([][]float64, len(variants))
	for range *runs {
		for i, v := range variants {
			if err := dropCaches(); err != nil {
				fmt.Fprintln(os.Stderr, "diskprobe:", err)
				os.Exit(1)
			}
			mibs, err := v.read()
			if err != nil {
				fmt.Fprintln(os.Stderr, "diskprobe:", err)
				os.Exit(1)
			}
			got[i] = append(got[i], mibs)
		}
	}
	for i, v := range variants {
		s := slices.Clone(got[i])
		slices.Sort(s)
		fmt.Printf("%-36s median %5.0f MiB/s  runs %.0f\n", v.name, s[len(s)/2], got[i])
	}
}

func dropCaches() error {
	unix.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		return fmt.Errorf("dropping the page cache (needs root): %w", err)
	}
	return nil
}

// streams reads the file through the page cache as n sequential streams,
// each over its own contiguous share, in 1 MiB reads.
func streams(path string, n int) (float64, error) {
	f, size, err := open(path, os.O_RDONLY)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	_ = unix.Fadvise(int(f.Fd()), 0, size, unix.FADV_SEQUENTIAL)
	share := (size + int64(n) - 1) / int64(n)
	return timed(size, n, func(i int, buf []byte) error {
		for pos := int64(i) * share; pos < min(size, int64(i+1)*share); pos += int64(len(buf)) {
			if _, err := unix.Pread(int(f.Fd()), buf, pos); err != nil {
				return err
			}
		}
		return nil
	}, 1<<20)
}

// direct reads the file with O_DIRECT in chunk-sized reads, n in flight.
func direct(path string, chunk, n int) (float64, error) {
	f, size, err := open(path, os.O_RDONLY|unix.O_DIRECT)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var next atomic.Int64
	return timed(size, n, func(_ int, buf []byte) error {
		for {
			pos := next.Add(int64(chunk)) - int64(chunk)
			if pos >= size {
				return nil
			}
			if _, err := unix.Pread(int(f.Fd()), buf, pos); err != nil {
				return err
			}
		}
	}, chunk)
}

// open opens path with flags and returns it with its size.
func open(path string, flags int) (*os.File, int64, error) {
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// timed runs n readers, each with an aligned buffer of bufSize, and
// returns size over the time they took, in MiB/s.
func timed(size int64, n int, reader func(i int, buf []byte) error, bufSize int) (float64, error) {
	start := time.Now()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = reader(i, aligned(bufSize))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds(), nil
}

// aligned returns n bytes aligned to 4 KiB, as direct reads need.
func aligned(n int) []byte {
	b := make([]byte, n+4096)
	off := int(uintptr(unsafe.Pointer(&b[0])) & 4095)
	if off != 0 {
		off = 4096 - off
	}
	return b[off : off+n]
}
