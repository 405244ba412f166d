package runtimeapi

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// isolate puts the runtime in a process group of its own, so that a kill
// reaches whatever it started, and has the kernel kill it if this process
// dies without cleaning up (a test binary killed on timeout, a ^C'd CLI).
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the runtime and everything in its process group.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
	p.Kill()
}

// peakMemory is the runtime's peak resident set in bytes: VmHWM while it
// runs, its rusage once it has exited.
func peakMemory(p *os.Process, st *os.ProcessState) int64 {
	if st != nil {
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			return ru.Maxrss * 1024 // kilobytes on Linux
		}
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/status")
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) == 0 {
		return 0
	}
	kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return kb * 1024
}

// gone reports whether a process that has not been waited for yet has
// exited: a zombie, or no longer there.
func gone(p *os.Process) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X'
}
