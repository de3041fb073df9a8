//go:build unix

package s3blobtest

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in its own process group, so that stop ends the
// server and any process it started (the pyenv shim's python).
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func stop(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
