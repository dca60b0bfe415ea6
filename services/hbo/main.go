// Command hbo runs the HBO Max provisioning service: it consumes provision.hbo.commands, calls the
// HBO partner API, keeps the subscriptions and their status history in its own MongoDB database,
// publishes status events on provision.hbo.status and answers the ingress's queries and
// activation URLs.
package main

import (
	"provision.local/events"
	"provision.local/pkg/daemon"
	"provision.local/services/hbo/internal/service"
)

func main() {
	daemon.Main(events.ProviderHBO, service.LoadConfig, func(c service.Config) string { return c.LogLevel }, service.Run)
}
