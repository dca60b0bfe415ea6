package localstack

import "syscall"

var terminateSignal = syscall.SIGTERM

// sysProcAttr puts a child in its own process group, so a terminal's Ctrl-C reaches only the
// parent (which stops the children in order), and has the kernel send it SIGTERM if the parent
// dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
