// Command disney runs the Disney+ provisioning service: it consumes provision.disney.commands,
// calls the Disney partner API, keeps subscriptions in its own MongoDB database and publishes
// status events on provision.disney.status.
package main

import (
	"provision.local/pkg/daemon"
	"provision.local/services/disney/internal/service"
)

func main() {
	daemon.Main("disney", service.LoadConfig, func(c service.Config) string { return c.LogLevel }, service.Run)
}
