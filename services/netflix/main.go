// Command netflix runs the Netflix provisioning service: it consumes provision.netflix.commands,
// calls the Netflix partner API, keeps the bundles in its own MongoDB database, publishes status
// events on provision.netflix.status and receives the partner's activation reports.
package main

import (
	"provision.local/events"
	"provision.local/pkg/daemon"
	"provision.local/services/netflix/internal/service"
)

func main() {
	daemon.Main(events.ProviderNetflix, service.LoadConfig, func(c service.Config) string { return c.LogLevel }, service.Run)
}
