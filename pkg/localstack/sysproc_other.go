//go:build !unix

package localstack

import (
	"os"
	"syscall"
)

// Without POSIX signals a stop is a kill.
var terminateSignal = os.Kill

func sysProcAttr() *syscall.SysProcAttr { return nil }
