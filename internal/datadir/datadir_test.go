package datadir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockIsExclusiveWithinAProcess(t *testing.T) {
	if !supported {
		t.Skip("no lock on this system")
	}
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	var inUse *InUseError
	if !errors.Is(err, ErrInUse) || !errors.As(err, &inUse) || inUse.PID != os.Getpid() || inUse.Dir != dir {
		t.Fatalf("second Acquire = %v, want InUseError with pid %d", err, os.Getpid())
	}
	want := fmt.Sprintf("data directory %s is in use by another gatehouse server (pid %d)", dir, os.Getpid())
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Unlock: %v", err)
	}
	l2.Unlock()
	if _, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
		t.Fatalf("the lock file should stay: %v", err)
	}
	if err := (*Lock)(nil).Unlock(); err != nil {
		t.Fatal("Unlock of no lock should do nothing")
	}
}

// TestLockAcrossProcesses holds the lock in a child process (this test
// binary, re-run as a helper) and expects Acquire to name the child's pid,
// then to succeed once the child has exited.
func TestLockAcrossProcesses(t *testing.T) {
	if os.Getenv("DATADIR_LOCK_HELPER") != "" {
		return // the helper is TestHelperHoldLock
	}
	if !supported {
		t.Skip("no lock on this system")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "DATADIR_LOCK_HELPER="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	_, err = Acquire(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != cmd.Process.Pid {
		t.Fatalf("Acquire while another process holds the lock = %v, want pid %d", err, cmd.Process.Pid)
	}
	stdin.Close() // the helper exits without unlocking: the system releases its lock
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after the holder exited: %v", err)
	}
	l.Unlock()
}

// TestHelperHoldLock is the child of TestLockAcrossProcesses: it takes the
// lock, says so, and exits when its stdin closes.
func TestHelperHoldLock(t *testing.T) {
	dir := os.Getenv("DATADIR_LOCK_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := Acquire(dir); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}
