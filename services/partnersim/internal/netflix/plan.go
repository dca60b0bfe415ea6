package netflix

import "strings"

// Plan is a Netflix streaming plan, as the status query names it.
type Plan struct {
	Type          string `json:"type"`
	LocalizedType string `json:"localized_type"`
}

// Offers is the simulated catalogue of pre-agreed offer ids, one per plan. The seed's example
// offer is the Standard plan.
var Offers = map[string]Plan{
	"00000000-0000-4000-8000-000000000001": {Type: "BASIC", LocalizedType: "Basic"},
	"2106f808-36e9-402d-bf37-f1f7fa04776b": {Type: "STANDARD", LocalizedType: "Standard"},
	"00000000-0000-4000-8000-000000000004": {Type: "PREMIUM", LocalizedType: "Premium"},
}

// defaultPlan is the plan of an offer id not in the catalogue, so callers need no set-up.
var defaultPlan = Plan{Type: "STANDARD", LocalizedType: "Standard"}

// PlanOf returns the plan an offer id stands for.
func PlanOf(offerID string) Plan {
	if p, ok := Offers[strings.ToLower(offerID)]; ok {
		return p
	}
	return defaultPlan
}
