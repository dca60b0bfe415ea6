// Package events is the event catalog of the provisioning platform: Kafka topic names,
// CloudEvent type names, the Go payload type of every event and a JSON Schema (draft 2020-12)
// per payload.
//
// It is a public interface: upstream billing publishes commands with it and analytics consumers
// read status events with it, so it depends on nothing but the CloudEvents SDK and the JSON Schema
// validator. See README.md for the wire format and the versioning policy.
package events

import "sort"

// Providers.
const (
	ProviderDisney = "disney"
)

// TopicDeadLetter receives records that could not be processed (malformed, unknown type, retries
// exhausted), with the reason in the dlq_* headers.
const TopicDeadLetter = "provision.deadletter"

// CommandsTopic is the topic that carries the commands for a provider: "provision.<provider>.commands".
func CommandsTopic(provider string) string { return "provision." + provider + ".commands" }

// StatusTopic is the topic that carries the status events of a provider: "provision.<provider>.status".
func StatusTopic(provider string) string { return "provision." + provider + ".status" }

// Disney topics.
var (
	TopicDisneyCommands = CommandsTopic(ProviderDisney)
	TopicDisneyStatus   = StatusTopic(ProviderDisney)
)

// CloudEvents extension attribute names (on Kafka they travel as ce_<name> headers).
const (
	// ExtPartitionKey holds the record key: the subscription id (Disney: the entitlement id
	// subscriptionId); the user id for events that name no subscription.
	ExtPartitionKey = "partitionkey"
	// ExtCorrelationID holds the Request-Correlation-Id of the request that caused the event.
	ExtCorrelationID = "correlationid"
	// ExtWorkflowID holds the workflowId the ingress issued for a command.
	ExtWorkflowID = "workflowid"
	// ExtOrg holds the tenant (org) the event belongs to; it equals the payload's org.
	ExtOrg = "org"
	// ExtRequestDigest holds an opaque digest of the request that issued a command (operation,
	// target and canonical body). Optional: a command id reused with another digest is refused.
	ExtRequestDigest = "requestdigest"
)

// Disney command types, published on TopicDisneyCommands.
const (
	TypeDisneyCreateSubscription     = "com.provision.disney.subscription.create.v1"
	TypeDisneyModifySubscription     = "com.provision.disney.subscription.modify.v1"
	TypeDisneyTerminateSubscription  = "com.provision.disney.subscription.terminate.v1"
	TypeDisneySuspendSubscription    = "com.provision.disney.subscription.suspend.v1"
	TypeDisneyReactivateSubscription = "com.provision.disney.subscription.reactivate.v1"
	TypeDisneyActivationCallback     = "com.provision.disney.activation.callback.v1"
)

// Disney status types, published on TopicDisneyStatus.
const (
	TypeDisneySubscriptionStatus = "com.provision.disney.subscription.status.v1"
	TypeDisneyOperationFailed    = "com.provision.disney.operation.failed.v1"
)

// Operation names used in the operation field of status payloads.
const (
	OpCreate             = "create"
	OpModify             = "modify"
	OpTerminate          = "terminate"
	OpSuspend            = "suspend"
	OpReactivate         = "reactivate"
	OpActivationCallback = "activation_callback"
)

// Operations lists every operation name, in catalog order.
func Operations() []string {
	return []string{OpCreate, OpModify, OpTerminate, OpSuspend, OpReactivate, OpActivationCallback}
}

// entry describes one catalogued CloudEvent type.
type entry struct {
	topic     string
	command   bool   // commands: strict schema (no additional properties)
	operation string // the operation a command type performs; "" for status types
	payload   func() any
}

var catalog = map[string]entry{
	TypeDisneyCreateSubscription:     {TopicDisneyCommands, true, OpCreate, func() any { return new(DisneyCreateSubscription) }},
	TypeDisneyModifySubscription:     {TopicDisneyCommands, true, OpModify, func() any { return new(DisneyModifySubscription) }},
	TypeDisneyTerminateSubscription:  {TopicDisneyCommands, true, OpTerminate, func() any { return new(DisneyTerminateSubscription) }},
	TypeDisneySuspendSubscription:    {TopicDisneyCommands, true, OpSuspend, func() any { return new(DisneySuspendSubscription) }},
	TypeDisneyReactivateSubscription: {TopicDisneyCommands, true, OpReactivate, func() any { return new(DisneyReactivateSubscription) }},
	TypeDisneyActivationCallback:     {TopicDisneyCommands, true, OpActivationCallback, func() any { return new(DisneyActivationCallback) }},
	TypeDisneySubscriptionStatus:     {TopicDisneyStatus, false, "", func() any { return new(DisneySubscriptionStatus) }},
	TypeDisneyOperationFailed:        {TopicDisneyStatus, false, "", func() any { return new(DisneyOperationFailed) }},
}

// Types returns every catalogued CloudEvent type, sorted.
func Types() []string {
	out := make([]string, 0, len(catalog))
	for t := range catalog {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Known reports whether ceType is in the catalog.
func Known(ceType string) bool {
	_, ok := catalog[ceType]
	return ok
}

// TopicOf returns the topic a catalogued type is published on.
func TopicOf(ceType string) (string, bool) {
	e, ok := catalog[ceType]
	return e.topic, ok
}

// IsCommand reports whether ceType is a catalogued command type (as opposed to a status type).
func IsCommand(ceType string) bool { return catalog[ceType].command }

// OperationOf returns the operation name (OpCreate, ...) a command type performs, or "" for a
// status type or a type not in the catalog.
func OperationOf(ceType string) string { return catalog[ceType].operation }
