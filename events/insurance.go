package events

import "time"

// ProviderInsurance is the device insurance provider. Its subscriptions are policies, named by
// their policy number, which is also the record key: never the phone number or the identity
// document, which are personal data.
const ProviderInsurance = "insurance"

// Insurance topics.
var (
	TopicInsuranceCommands = CommandsTopic(ProviderInsurance)
	TopicInsuranceStatus   = StatusTopic(ProviderInsurance)
)

// Insurance command types, published on TopicInsuranceCommands. The reservation of a policy is a
// synchronous call to the insurance service, not a command; its outcome is a status event.
const (
	TypeInsuranceCancelPolicy    = "com.provision.insurance.policy.cancel.v1"
	TypeInsuranceActivatePolicy  = "com.provision.insurance.policy.activate.v1"
	TypeInsuranceTerminatePolicy = "com.provision.insurance.policy.terminate.v1"
	TypeInsuranceSuspendPolicy   = "com.provision.insurance.policy.suspend.v1"
	TypeInsuranceReconnectPolicy = "com.provision.insurance.policy.reconnect.v1"
)

// Insurance status types, published on TopicInsuranceStatus: the StatusEvent envelope.
const (
	TypeInsuranceSubscriptionStatusV2 = "com.provision.insurance.subscription.status.v2"
	TypeInsuranceOperationFailedV2    = "com.provision.insurance.operation.failed.v2"
)

// Insurance operation names, as the API calls them (cancel, terminate, suspend and activate are
// shared).
const (
	OpReserve   = "reserve"
	OpReconnect = "reconnect"
)

// Insurance policy states: the service's own view of a policy, in details.policyState.
const (
	// InsurancePolicyReserved: the insurer issued the policy; it is not in force until activated
	// with the insured device.
	InsurancePolicyReserved   = "RESERVED"
	InsurancePolicyActive     = "ACTIVE"
	InsurancePolicySuspended  = "SUSPENDED"
	InsurancePolicyTerminated = "TERMINATED"
	InsurancePolicyCancelled  = "CANCELLED"
)

// InsurancePolicyStateValues lists every value of details.policyState.
func InsurancePolicyStateValues() []string {
	return []string{InsurancePolicyReserved, InsurancePolicyActive, InsurancePolicySuspended,
		InsurancePolicyTerminated, InsurancePolicyCancelled}
}

// InsuranceCancelPolicy is the data of TypeInsuranceCancelPolicy: end a reserved or active
// policy. Document (the insured's identity document) is personal data.
type InsuranceCancelPolicy struct {
	Org          string `json:"org"`
	PolicyNumber string `json:"policyNumber"`
	Document     string `json:"document,omitempty"`
}

// InsuranceActivatePolicy is the data of TypeInsuranceActivatePolicy: put a reserved policy in
// force for the device IMEI; Document and IMEI must be the ones the policy was reserved with.
// Document and IMEI are personal data.
type InsuranceActivatePolicy struct {
	Org               string `json:"org"`
	RequestID         string `json:"requestId"`
	PolicyNumber      string `json:"policyNumber"`
	IMEI              string `json:"imei"`
	Document          string `json:"document"`
	ExternalReference string `json:"externalReference,omitempty"`
	SubscriptionID    string `json:"subscriptionId,omitempty"`
}

// InsuranceTerminatePolicy is the data of TypeInsuranceTerminatePolicy: end a policy that has
// been in force. Document is personal data.
type InsuranceTerminatePolicy struct {
	Org          string `json:"org"`
	PolicyNumber string `json:"policyNumber"`
	Reason       string `json:"reason,omitempty"`
	Document     string `json:"document,omitempty"`
}

// InsuranceSuspendPolicy is the data of TypeInsuranceSuspendPolicy: put an active policy on
// hold. The HTTP API also accepts a phone number or document alone; the ingress resolves them to
// the policy number before it publishes, so a command always names its policy. PhoneNumber and
// Document are personal data.
type InsuranceSuspendPolicy struct {
	Org               string `json:"org"`
	PolicyNumber      string `json:"policyNumber"`
	ExternalReference string `json:"externalReference,omitempty"`
	PhoneNumber       string `json:"phoneNumber,omitempty"`
	Document          string `json:"document,omitempty"`
}

// InsuranceReconnectPolicy is the data of TypeInsuranceReconnectPolicy: put a suspended policy
// back in force. Same fields as InsuranceSuspendPolicy.
type InsuranceReconnectPolicy struct {
	Org               string `json:"org"`
	PolicyNumber      string `json:"policyNumber"`
	ExternalReference string `json:"externalReference,omitempty"`
	PhoneNumber       string `json:"phoneNumber,omitempty"`
	Document          string `json:"document,omitempty"`
}

// InsuranceStatusDetails are the details of TypeInsuranceSubscriptionStatusV2: the policy number,
// its state and its dates, and nothing personal (no document, phone, IMEI, name or account).
type InsuranceStatusDetails struct {
	PolicyNumber string `json:"policyNumber"`
	// PolicyState is one of InsurancePolicyStateValues().
	PolicyState string    `json:"policyState"`
	ReservedAt  time.Time `json:"reservedAt"`
	// ActivatedAt is when the policy first came into force; nil while it is reserved.
	ActivatedAt *time.Time `json:"activatedAt,omitempty"`
	// EndedAt is when the policy was terminated or cancelled; nil while it runs.
	EndedAt *time.Time `json:"endedAt,omitempty"`
}

// InsuranceFailedDetails are the details of TypeInsuranceOperationFailedV2.
type InsuranceFailedDetails struct {
	// PolicyNumber is the policy the command was for.
	PolicyNumber string `json:"policyNumber"`
}
