// Package simulator lets other modules' tests run the partner simulator in-process, exactly as
// the partnersim binary serves it.
package simulator

import (
	"net/http"

	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/service"
)

// NewHandler returns the simulator's full HTTP API: the partners and the admin endpoints.
func NewHandler(log *logrus.Logger) (http.Handler, error) { return service.NewHandler(log) }
