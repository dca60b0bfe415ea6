// Package simulator lets other modules' tests run the partner simulator in-process, exactly as
// the partnersim binary serves it.
package simulator

import (
	"context"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/service"
)

// Options configure an in-process simulator.
type Options struct {
	// NetflixCallbackURL receives the Netflix partner's reports; empty means none are pushed.
	NetflixCallbackURL string
	// NetflixCallbackBackoffMax caps the wait between delivery attempts; 0 means 30s.
	NetflixCallbackBackoffMax time.Duration
}

// NewHandler returns the simulator's full HTTP API: the partners and the admin endpoints. It
// pushes no reports.
func NewHandler(log *logrus.Logger) (http.Handler, error) {
	s, err := service.New(service.Config{}, log)
	if err != nil {
		return nil, err
	}
	return s.Handler, nil
}

// Start returns the simulator's full HTTP API and pushes the Netflix reports to
// o.NetflixCallbackURL until ctx is done. Securitized URLs point at the host a token request
// came in on.
func Start(ctx context.Context, log *logrus.Logger, o Options) (http.Handler, error) {
	s, err := service.New(service.Config{
		NetflixCallbackURL:        o.NetflixCallbackURL,
		NetflixCallbackBackoffMax: o.NetflixCallbackBackoffMax,
	}, log)
	if err != nil {
		return nil, err
	}
	go s.Run(ctx)
	return s.Handler, nil
}
