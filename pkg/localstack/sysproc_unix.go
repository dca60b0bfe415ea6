//go:build unix && !linux

package localstack

import "syscall"

var terminateSignal = syscall.SIGTERM

// sysProcAttr puts a child in its own process group, so a terminal's Ctrl-C reaches only the
// parent, which stops the children in order.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
