//go:build !linux

package httpbench

import (
	"os/exec"
	"syscall"
	"time"
)

func childAttr() *syscall.SysProcAttr { return nil }

func killTree(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}

func selfCPU() (time.Duration, bool)       { return 0, false }
func pidCPU(pid int) (time.Duration, bool) { return 0, false }

// CPUPressure is the kernel's CPU pressure, where there is one.
func CPUPressure() string { return "" }
