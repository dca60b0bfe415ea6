// Command insurance runs the device insurance service: it reserves policies for the ingress,
// consumes provision.insurance.commands, calls the insurer, keeps the policies (their personal
// data sealed) in its own MongoDB database and publishes status events on
// provision.insurance.status.
package main

import (
	"provision.local/events"
	"provision.local/pkg/daemon"
	"provision.local/services/insurance/internal/service"
)

func main() {
	daemon.Main(events.ProviderInsurance, service.LoadConfig, func(c service.Config) string { return c.LogLevel }, service.Run)
}
