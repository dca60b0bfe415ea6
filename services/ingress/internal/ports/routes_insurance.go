package ports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/adapters"
)

// insuranceRoutes are the device insurance operations of the routing table. reserve and
// requestinfo are answered by the insurance service; the five others are commands on
// provision.insurance.commands, each keyed by its policy number (never a phone number or a
// document: those are personal data).
var insuranceRoutes = map[string]Route{
	"insuranceReserve": Forward{Provider: events.ProviderInsurance, Body: true, Keyed: true, Path: func(r Request) string {
		return insurancePolicies(r.Org) + "/reserve"
	}},
	"insuranceRequestInfo": policySearch{Forward{Provider: events.ProviderInsurance, Path: func(r Request) string {
		return insurancePolicies(r.Org) + "?" + policyCriteria(r.Query).Encode()
	}}},
	"insuranceCancel": policyCommand{
		Command: Command{Provider: events.ProviderInsurance, Operation: events.OpCancel, Type: events.TypeInsuranceCancelPolicy,
			Message: "Policy cancellation accepted"},
		payload: func(r Request, policy string) any {
			return events.InsuranceCancelPolicy{Org: r.Org, PolicyNumber: policy, Document: r.String("document")}
		},
	},
	"insuranceActivate": policyCommand{
		Command: Command{Provider: events.ProviderInsurance, Operation: events.OpActivate, Type: events.TypeInsuranceActivatePolicy,
			Message: "Policy activation accepted"},
		payload: func(r Request, policy string) any {
			return events.InsuranceActivatePolicy{Org: r.Org, PolicyNumber: policy, RequestID: r.String("requestId"),
				IMEI: r.String("imei"), Document: r.String("document"),
				ExternalReference: r.String("externalReference"), SubscriptionID: r.String("subscriptionId")}
		},
	},
	"insuranceTerminate": policyCommand{
		Command: Command{Provider: events.ProviderInsurance, Operation: events.OpTerminate, Type: events.TypeInsuranceTerminatePolicy,
			Message: "Policy termination accepted"},
		payload: func(r Request, policy string) any {
			return events.InsuranceTerminatePolicy{Org: r.Org, PolicyNumber: policy, Reason: r.String("reason"), Document: r.String("document")}
		},
	},
	"insuranceSuspend": policyCommand{
		Command: Command{Provider: events.ProviderInsurance, Operation: events.OpSuspend, Type: events.TypeInsuranceSuspendPolicy,
			Message: "Policy suspension accepted"},
		payload: func(r Request, policy string) any {
			return events.InsuranceSuspendPolicy{Org: r.Org, PolicyNumber: policy, ExternalReference: r.String("externalReference"),
				PhoneNumber: r.String("phoneNumber"), Document: r.String("document")}
		},
		prefer: []string{events.InsurancePolicyActive, events.InsurancePolicySuspended},
	},
	"insuranceReconnect": policyCommand{
		Command: Command{Provider: events.ProviderInsurance, Operation: events.OpReconnect, Type: events.TypeInsuranceReconnectPolicy,
			Message: "Policy reconnection accepted"},
		payload: func(r Request, policy string) any {
			return events.InsuranceReconnectPolicy{Org: r.Org, PolicyNumber: policy, ExternalReference: r.String("externalReference"),
				PhoneNumber: r.String("phoneNumber"), Document: r.String("document")}
		},
		prefer: []string{events.InsurancePolicySuspended, events.InsurancePolicyActive},
	},
}

// Codes of the insurance operations.
const (
	// CodePolicyNotFound answers a command or query on a policy the org does not have.
	CodePolicyNotFound = "POLICY_NOT_FOUND"
	// CodePolicyAmbiguous answers a suspend or reconnect whose phone number or document matches
	// several of the org's running policies.
	CodePolicyAmbiguous = "POLICY_AMBIGUOUS"
)

// policySearchParams are the criteria of requestinfo, passed on as they are; no other query
// parameter reaches the insurance service.
var policySearchParams = []string{"phoneNumber", "document", "policyNumber"}

// policyCriteria are the search criteria of a request, read with get.
func policyCriteria(get func(name string) string) url.Values {
	q := url.Values{}
	for _, name := range policySearchParams {
		if v := get(name); v != "" {
			q.Set(name, v)
		}
	}
	return q
}

func insurancePolicies(org string) string {
	return "/internal/v1/orgs/" + url.PathEscape(org) + "/policies"
}

// policySearch is requestinfo: a Forward that first refuses a request naming no criterion, a
// rule OpenAPI 3.0 cannot state for query parameters.
type policySearch struct{ Forward }

func (s policySearch) handler(api *API, op Operation) gin.HandlerFunc {
	forward := s.Forward.handler(api, op)
	return func(c *gin.Context) {
		if len(policyCriteria(c.Query)) == 0 {
			writeError(c, invalid(CodeInvalidQuery, "give at least one of phoneNumber, document or policyNumber"))
			return
		}
		forward(c)
	}
}

// policyCommand is a command on one policy. The policy is resolved through the insurance service
// before the command is built: a policy number must be one of the org's policies (404 otherwise,
// nothing accepted), and a suspend or reconnect naming only a phone number or a document gets the
// org's one matching policy, looked for by prefer. So every command names its policy and is keyed
// by its number.
type policyCommand struct {
	Command // its Build is made per request, from payload and the resolved policy number
	payload func(r Request, policy string) any
	// prefer are the states a policy named by phone number or document is looked for in first: the
	// state the command accepts, then the state it leaves a policy in, so a retry after the command
	// ran still finds the same policy; with no match in either, the running policies decide.
	prefer []string
}

func (p policyCommand) handler(api *API, op Operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := newRequest(c)
		policy, err := resolvePolicy(c.Request.Context(), api.Internal, r, p.prefer)
		if err != nil {
			writeError(c, err)
			return
		}
		cmd := p.Command
		cmd.Build = func(r Request) (string, string, any, error) { return policy, policy, p.payload(r, policy), nil }
		cmd.handler(api, op)(c)
	}
}

// policyView is what the ingress reads of the insurance service's answers about a policy.
type policyView struct {
	PolicyNumber string `json:"policyNumber"`
	State        string `json:"state"`
}

// resolvePolicy returns the number of the policy the request names: its policyNumber, once the
// insurance service knows it for the org, or else the org's one policy matching its phoneNumber
// and document in the first state of prefer that any match is in, or, when none is in one of
// them, the one that is not terminated or cancelled. Several in the deciding state are ambiguous.
func resolvePolicy(ctx context.Context, internal *adapters.Client, r Request, prefer []string) (string, error) {
	if pn := r.String("policyNumber"); pn != "" {
		return pn, policyExists(ctx, internal, r.Org, pn)
	}
	criteria := policyCriteria(r.String)
	a, err := internal.Do(ctx, events.ProviderInsurance, http.MethodGet, insurancePolicies(r.Org)+"?"+criteria.Encode(), "", nil)
	if err != nil {
		return "", err
	}
	// The search answers requestinfo's policies, each with its state.
	var matches []policyView
	if err := json.Unmarshal(a.Body, &matches); err != nil {
		return "", fmt.Errorf("insurance policy search: %w", err)
	}
	for _, state := range prefer {
		if in := policiesWhere(matches, func(s string) bool { return s == state }); len(in) > 0 {
			return onePolicy(in)
		}
	}
	return onePolicy(policiesWhere(matches, func(s string) bool {
		return s != events.InsurancePolicyTerminated && s != events.InsurancePolicyCancelled
	}))
}

// policiesWhere are the numbers of the policies whose state keep accepts.
func policiesWhere(policies []policyView, keep func(state string) bool) []string {
	var out []string
	for _, p := range policies {
		if keep(p.State) {
			out = append(out, p.PolicyNumber)
		}
	}
	return out
}

// onePolicy is the one policy of numbers: 404 when there is none, 409 when there are several.
func onePolicy(numbers []string) (string, error) {
	switch len(numbers) {
	case 0:
		return "", badRequest{status: http.StatusNotFound, errs: []httpx.Error{httpx.NewError(http.StatusNotFound, CodePolicyNotFound,
			"no running policy of this org matches the phoneNumber or document")}}
	case 1:
		return numbers[0], nil
	}
	return "", badRequest{status: http.StatusConflict, errs: []httpx.Error{httpx.NewError(http.StatusConflict, CodePolicyAmbiguous,
		"several policies of this org match the phoneNumber or document; name the policyNumber")}}
}

// policyExists asks the insurance service for one of the org's policies; an unknown one is its
// 404 POLICY_NOT_FOUND.
func policyExists(ctx context.Context, internal *adapters.Client, org, number string) error {
	_, err := internal.Do(ctx, events.ProviderInsurance, http.MethodGet, insurancePolicies(org)+"/"+url.PathEscape(number), "", nil)
	return err
}
