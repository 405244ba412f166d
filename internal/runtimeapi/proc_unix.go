//go:build unix && !linux

package runtimeapi

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// isolate puts the runtime in a process group of its own, so that a kill
// reaches whatever it started.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the runtime and everything in its process group.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
	p.Kill()
}

// peakMemory is the runtime's peak resident set in bytes, known here only
// once it has exited.
func peakMemory(p *os.Process, st *os.ProcessState) int64 {
	if st == nil {
		return 0
	}
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return ru.Maxrss // bytes there
	}
	return ru.Maxrss * 1024
}

// gone is known here only once the process has been waited for.
func gone(p *os.Process) bool { return false }
