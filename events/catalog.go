// Package events is the event catalog of the provisioning platform: Kafka topic names,
// CloudEvent type names, the Go payload type of every event and a JSON Schema (draft 2020-12)
// per payload.
//
// It is a public interface: upstream billing publishes commands with it and analytics consumers
// read status events with it, so it depends on nothing but the CloudEvents SDK and the JSON Schema
// validator (the AsyncAPI generator, in internal/asyncapi and cmd/asyncapi, adds a YAML encoder).
// See README.md for the wire format and the versioning policy.
package events

import "sort"

// Providers.
const (
	ProviderDisney  = "disney"
	ProviderNetflix = "netflix"
	ProviderHBO     = "hbo"
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

// Netflix topics.
var (
	TopicNetflixCommands = CommandsTopic(ProviderNetflix)
	TopicNetflixStatus   = StatusTopic(ProviderNetflix)
)

// HBO topics.
var (
	TopicHBOCommands = CommandsTopic(ProviderHBO)
	TopicHBOStatus   = StatusTopic(ProviderHBO)
)

// CloudEvents extension attribute names (on Kafka they travel as ce_<name> headers).
const (
	// ExtPartitionKey holds the record key: the subscription id (Disney: the entitlement id
	// subscriptionId; Netflix: the PAI partnerAccountId); the user id for events that name no
	// subscription.
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

// Disney status types, published on TopicDisneyStatus. The service publishes the v2 types, whose
// payload is the StatusEvent envelope every provider shares. The v1 types are no longer published;
// they stay in the catalog so that consumers can still read the records written before v2.
const (
	TypeDisneySubscriptionStatusV2 = "com.provision.disney.subscription.status.v2"
	TypeDisneyOperationFailedV2    = "com.provision.disney.operation.failed.v2"

	// Deprecated: superseded by TypeDisneySubscriptionStatusV2; kept to read old records.
	TypeDisneySubscriptionStatusV1 = "com.provision.disney.subscription.status.v1"
	// Deprecated: superseded by TypeDisneyOperationFailedV2; kept to read old records.
	TypeDisneyOperationFailedV1 = "com.provision.disney.operation.failed.v1"
)

// Netflix command types, published on TopicNetflixCommands. The digitalvirgo enrolment and its
// deletion are synchronous calls to the Netflix service, not commands.
const (
	TypeNetflixCreateSubscription     = "com.provision.netflix.subscription.create.v1"
	TypeNetflixUpdateSubscription     = "com.provision.netflix.subscription.update.v1"
	TypeNetflixCancelSubscription     = "com.provision.netflix.subscription.cancel.v1"
	TypeNetflixSuspendSubscription    = "com.provision.netflix.subscription.suspend.v1"
	TypeNetflixReactivateSubscription = "com.provision.netflix.subscription.reactivate.v1"
	TypeNetflixActivationCallback     = "com.provision.netflix.activation.callback.v1"
)

// Netflix status types, published on TopicNetflixStatus: the StatusEvent envelope.
const (
	TypeNetflixSubscriptionStatusV2 = "com.provision.netflix.subscription.status.v2"
	TypeNetflixOperationFailedV2    = "com.provision.netflix.operation.failed.v2"
)

// HBO command types, published on TopicHBOCommands with record key = serviceId. The activation
// URL is a synchronous call to the HBO service, not a command.
const (
	TypeHBOCreateSubscription     = "com.provision.hbo.subscription.create.v1"
	TypeHBOUpdateSubscription     = "com.provision.hbo.subscription.update.v1"
	TypeHBOCancelSubscription     = "com.provision.hbo.subscription.cancel.v1"
	TypeHBOSuspendSubscription    = "com.provision.hbo.subscription.suspend.v1"
	TypeHBOReactivateSubscription = "com.provision.hbo.subscription.reactivate.v1"
	TypeHBOActivateSubscription   = "com.provision.hbo.subscription.activate.v1"
)

// HBO status types, published on TopicHBOStatus: the StatusEvent envelope.
const (
	TypeHBOSubscriptionStatusV2 = "com.provision.hbo.subscription.status.v2"
	TypeHBOOperationFailedV2    = "com.provision.hbo.operation.failed.v2"
)

// Operation names used in the operation field of status payloads.
const (
	OpCreate             = "create"
	OpModify             = "modify"
	OpTerminate          = "terminate"
	OpSuspend            = "suspend"
	OpReactivate         = "reactivate"
	OpActivationCallback = "activation_callback"
	// OpUpdate and OpCancel are Netflix's names, as its API calls them.
	OpUpdate = "update"
	OpCancel = "cancel"
	// OpActivate is HBO's: the customer's activation of a pending subscription.
	OpActivate = "activate"
)

// Operations lists every operation name, in catalog order.
func Operations() []string {
	return []string{OpCreate, OpModify, OpTerminate, OpSuspend, OpReactivate, OpActivationCallback, OpUpdate, OpCancel, OpActivate}
}

// Record keys, as the catalog describes them.
const (
	keySubscription = "subscriptionId"
	keyUser         = "userId"
	keyFailure      = "subscriptionId; userId when the event names no subscription"
	keyPAI          = "partnerAccountId"
	keyServiceID    = "serviceId"
)

// entry describes one catalogued CloudEvent type.
type entry struct {
	topic     string
	command   bool   // commands: strict schema (no additional properties)
	operation string // the operation a command type performs; "" for status types
	key       string // what the record key (and the partitionkey extension) holds
	envelope  bool   // a status type whose payload is the StatusEvent envelope
	successor string // the type that supersedes this one; "" for a current type
	payload   func() any
}

var catalog = map[string]entry{
	TypeDisneyCreateSubscription:     {topic: TopicDisneyCommands, command: true, operation: OpCreate, key: keySubscription, payload: func() any { return new(DisneyCreateSubscription) }},
	TypeDisneyModifySubscription:     {topic: TopicDisneyCommands, command: true, operation: OpModify, key: keySubscription, payload: func() any { return new(DisneyModifySubscription) }},
	TypeDisneyTerminateSubscription:  {topic: TopicDisneyCommands, command: true, operation: OpTerminate, key: keySubscription, payload: func() any { return new(DisneyTerminateSubscription) }},
	TypeDisneySuspendSubscription:    {topic: TopicDisneyCommands, command: true, operation: OpSuspend, key: keySubscription, payload: func() any { return new(DisneySuspendSubscription) }},
	TypeDisneyReactivateSubscription: {topic: TopicDisneyCommands, command: true, operation: OpReactivate, key: keySubscription, payload: func() any { return new(DisneyReactivateSubscription) }},
	TypeDisneyActivationCallback:     {topic: TopicDisneyCommands, command: true, operation: OpActivationCallback, key: keyUser, payload: func() any { return new(DisneyActivationCallback) }},
	TypeDisneySubscriptionStatusV2:   {topic: TopicDisneyStatus, key: keySubscription, envelope: true, payload: func() any { return new(StatusEvent[DisneyStatusDetails]) }},
	TypeDisneyOperationFailedV2:      {topic: TopicDisneyStatus, key: keyFailure, envelope: true, payload: func() any { return new(StatusEvent[DisneyFailedDetails]) }},
	TypeDisneySubscriptionStatusV1:   {topic: TopicDisneyStatus, key: keySubscription, successor: TypeDisneySubscriptionStatusV2, payload: func() any { return new(DisneySubscriptionStatusV1) }},
	TypeDisneyOperationFailedV1:      {topic: TopicDisneyStatus, key: keyFailure, successor: TypeDisneyOperationFailedV2, payload: func() any { return new(DisneyOperationFailedV1) }},

	TypeNetflixCreateSubscription:     {topic: TopicNetflixCommands, command: true, operation: OpCreate, key: keyPAI, payload: func() any { return new(NetflixCreateSubscription) }},
	TypeNetflixUpdateSubscription:     {topic: TopicNetflixCommands, command: true, operation: OpUpdate, key: keyPAI, payload: func() any { return new(NetflixUpdateSubscription) }},
	TypeNetflixCancelSubscription:     {topic: TopicNetflixCommands, command: true, operation: OpCancel, key: keyPAI, payload: func() any { return new(NetflixCancelSubscription) }},
	TypeNetflixSuspendSubscription:    {topic: TopicNetflixCommands, command: true, operation: OpSuspend, key: keyPAI, payload: func() any { return new(NetflixSuspendSubscription) }},
	TypeNetflixReactivateSubscription: {topic: TopicNetflixCommands, command: true, operation: OpReactivate, key: keyPAI, payload: func() any { return new(NetflixReactivateSubscription) }},
	TypeNetflixActivationCallback:     {topic: TopicNetflixCommands, command: true, operation: OpActivationCallback, key: keyPAI, payload: func() any { return new(NetflixActivationCallback) }},
	TypeNetflixSubscriptionStatusV2:   {topic: TopicNetflixStatus, key: keyPAI, envelope: true, payload: func() any { return new(StatusEvent[NetflixStatusDetails]) }},
	TypeNetflixOperationFailedV2:      {topic: TopicNetflixStatus, key: keyPAI, envelope: true, payload: func() any { return new(StatusEvent[NetflixFailedDetails]) }},

	TypeHBOCreateSubscription:     {topic: TopicHBOCommands, command: true, operation: OpCreate, key: keyServiceID, payload: func() any { return new(HBOCreateSubscription) }},
	TypeHBOUpdateSubscription:     {topic: TopicHBOCommands, command: true, operation: OpUpdate, key: keyServiceID, payload: func() any { return new(HBOUpdateSubscription) }},
	TypeHBOCancelSubscription:     {topic: TopicHBOCommands, command: true, operation: OpCancel, key: keyServiceID, payload: func() any { return new(HBOCancelSubscription) }},
	TypeHBOSuspendSubscription:    {topic: TopicHBOCommands, command: true, operation: OpSuspend, key: keyServiceID, payload: func() any { return new(HBOSuspendSubscription) }},
	TypeHBOReactivateSubscription: {topic: TopicHBOCommands, command: true, operation: OpReactivate, key: keyServiceID, payload: func() any { return new(HBOReactivateSubscription) }},
	TypeHBOActivateSubscription:   {topic: TopicHBOCommands, command: true, operation: OpActivate, key: keyServiceID, payload: func() any { return new(HBOActivateSubscription) }},
	TypeHBOSubscriptionStatusV2:   {topic: TopicHBOStatus, key: keyServiceID, envelope: true, payload: func() any { return new(StatusEvent[HBOStatusDetails]) }},
	TypeHBOOperationFailedV2:      {topic: TopicHBOStatus, key: keyServiceID, envelope: true, payload: func() any { return new(StatusEvent[HBOFailedDetails]) }},
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

// KeyOf says what the record key (and the partitionkey extension) of a catalogued type holds,
// e.g. "subscriptionId"; "" for a type not in the catalog.
func KeyOf(ceType string) string { return catalog[ceType].key }

// HasEnvelope reports whether ceType is a status type whose payload is the StatusEvent envelope
// shared by every provider.
func HasEnvelope(ceType string) bool { return catalog[ceType].envelope }

// SupersededBy returns the type that replaces a deprecated type (one that is no longer published
// and stays in the catalog to read old records), or "" for a current type.
func SupersededBy(ceType string) string { return catalog[ceType].successor }
