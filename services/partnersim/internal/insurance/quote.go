package insurance

import (
	"math"
	"slices"

	"provision.local/services/partnersim/internal/sim"
)

// Client types the insurer prices, the seed's values; an empty client type is Particular.
const (
	ClientParticular = "Particular"
	ClientAutonomo   = "Autónomo"
	ClientEmpresa    = "Empresa"
)

// ClientTypes lists the client types the insurer accepts.
func ClientTypes() []string { return []string{ClientParticular, ClientAutonomo, ClientEmpresa} }

// netRatePermille is the yearly net premium per thousand of the device price, by client type:
// a business insures more devices and pays a higher rate.
var netRatePermille = map[string]int64{ClientParticular: 80, ClientAutonomo: 90, ClientEmpresa: 100}

// Surcharges on the net premium, in hundredths of a percent (basis points), as Spanish insurance
// levies them: the premium tax (IPS, 8%), the Consorcio de Compensación de Seguros (0.15%) and the
// levy for the liquidation of insurers (LEA, 0.1%).
const (
	ipsBP        = 800
	consortiumBP = 15
	leaBP        = 10
)

// Device price thresholds, in cents, for the franchise (excess) and theft cover.
const (
	franchiseFromCents = 30000 // devices of 300.00 or more carry a franchise
	franchisePermille  = 100   // of 10% of the price
	theftFromCents     = 15000 // devices of 150.00 or more are covered against theft
)

// Quote is the price of a policy, the seed's reserve answer fields.
type Quote struct {
	MonthlyFee             float64 `json:"monthlyFee"`
	AnnualFee              float64 `json:"annualFee"`
	Franchise              bool    `json:"franchise"`
	FranchiseAmount        float64 `json:"franchiseAmount"`
	Theft                  bool    `json:"theft"`
	MonthlyNetFee          float64 `json:"monthlyNetFee"`
	AnnualNetFee           float64 `json:"annualNetFee"`
	AnnualLea              float64 `json:"annualLea"`
	MonthlyLea             float64 `json:"monthlyLea"`
	AnnualIps              float64 `json:"annualIps"`
	MonthlyIps             float64 `json:"monthlyIps"`
	AnnualConsortium       float64 `json:"annualConsortium"`
	MonthlyConsortium      float64 `json:"monthlyConsortium"`
	FirstAnnualLea         float64 `json:"firstAnnualLea"`
	FirstMonthlyConsortium float64 `json:"firstMonthlyConsortium"`
	FirstAnnualIps         float64 `json:"firstAnnualIps"`
	FirstAnnualNetFee      float64 `json:"firstAnnualNetFee"`
	FirstAnnualFee         float64 `json:"firstAnnualFee"`
}

// Price quotes a device of price (in euros, > 0) for a client type (one of ClientTypes). The sums
// are computed in cents, rounding half up at each step, so a price always gives the same quote.
// The first year costs the same as the following ones: the insurer has no introductory offer.
func Price(price float64, clientType string) (Quote, error) {
	if !(price > 0) || price > maxPrice {
		return Quote{}, sim.Invalid("price must be a number above 0 and at most 100000")
	}
	if clientType == "" {
		clientType = ClientParticular
	}
	if !slices.Contains(ClientTypes(), clientType) {
		return Quote{}, sim.Invalid("clientType must be one of Particular, Autónomo, Empresa")
	}
	cents := int64(math.Round(price * 100))
	net := divRound(cents*netRatePermille[clientType], 1000)
	ips := divRound(net*ipsBP, 10000)
	consortium := divRound(net*consortiumBP, 10000)
	lea := divRound(net*leaBP, 10000)
	annual := net + ips + consortium + lea
	q := Quote{
		AnnualNetFee: euros(net), MonthlyNetFee: euros(divRound(net, 12)),
		AnnualIps: euros(ips), MonthlyIps: euros(divRound(ips, 12)),
		AnnualConsortium: euros(consortium), MonthlyConsortium: euros(divRound(consortium, 12)),
		AnnualLea: euros(lea), MonthlyLea: euros(divRound(lea, 12)),
		AnnualFee: euros(annual), MonthlyFee: euros(divRound(annual, 12)),
		Franchise: cents >= franchiseFromCents, Theft: cents >= theftFromCents,
	}
	if q.Franchise {
		q.FranchiseAmount = euros(divRound(cents*franchisePermille, 1000))
	}
	q.FirstAnnualNetFee, q.FirstAnnualIps, q.FirstAnnualLea = q.AnnualNetFee, q.AnnualIps, q.AnnualLea
	q.FirstMonthlyConsortium, q.FirstAnnualFee = q.MonthlyConsortium, q.AnnualFee
	return q, nil
}

// maxPrice bounds a device price, in euros.
const maxPrice = 100000

// divRound divides two non-negative numbers, rounding half up.
func divRound(a, b int64) int64 { return (2*a + b) / (2 * b) }

func euros(cents int64) float64 { return float64(cents) / 100 }
