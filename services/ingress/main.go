// Command ingress serves the public HTTP API of the provisioning platform. Commands become
// CloudEvents on Kafka; queries are answered by the service that owns the data.
package main

import (
	"provision.local/pkg/daemon"
	"provision.local/services/ingress/internal/service"
)

func main() {
	daemon.Main("ingress", service.LoadConfig, func(c service.Config) string { return c.LogLevel }, service.Run)
}
