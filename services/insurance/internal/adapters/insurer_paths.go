package adapters

import "net/url"

// The insurer's paths name the org and the policy number, escaped, and nothing else.

func policiesPath(org string) string { return "/v1/orgs/" + url.PathEscape(org) + "/policies" }

func policyPath(org, policyNumber, action string) string {
	return policiesPath(org) + "/" + url.PathEscape(policyNumber) + "/" + action
}
