//go:build !unix

package s3blobtest

import "os/exec"

func ownGroup(*exec.Cmd) {}

func stop(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
