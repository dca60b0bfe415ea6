// Package metrics holds what the packages that export Prometheus metrics share.
package metrics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c on the default registry, or returns the collector already registered
// under the same description (a second runner or publisher in one process shares the series).
// It panics on any other registration error, which is a programming error.
func Register[C prometheus.Collector](c C) C {
	if err := prometheus.DefaultRegisterer.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(fmt.Sprintf("register metric: %v", err))
	}
	return c
}
