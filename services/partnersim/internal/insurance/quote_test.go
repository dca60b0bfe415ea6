package insurance

import (
	"errors"
	"testing"

	"provision.local/services/partnersim/internal/sim"
)

func TestPrice(t *testing.T) {
	tests := []struct {
		name       string
		price      float64
		clientType string
		want       Quote
	}{
		{"a cheap phone: no franchise, no theft", 100, "", Quote{
			MonthlyFee: 0.72, AnnualFee: 8.66, MonthlyNetFee: 0.67, AnnualNetFee: 8,
			AnnualLea: 0.01, MonthlyLea: 0, AnnualIps: 0.64, MonthlyIps: 0.05, AnnualConsortium: 0.01, MonthlyConsortium: 0,
			FirstAnnualLea: 0.01, FirstMonthlyConsortium: 0, FirstAnnualIps: 0.64, FirstAnnualNetFee: 8, FirstAnnualFee: 8.66,
		}},
		{"a self-employed client's mid phone: theft cover", 200, ClientAutonomo, Quote{
			MonthlyFee: 1.62, AnnualFee: 19.49, MonthlyNetFee: 1.5, AnnualNetFee: 18, Theft: true,
			AnnualLea: 0.02, MonthlyLea: 0, AnnualIps: 1.44, MonthlyIps: 0.12, AnnualConsortium: 0.03, MonthlyConsortium: 0,
			FirstAnnualLea: 0.02, FirstMonthlyConsortium: 0, FirstAnnualIps: 1.44, FirstAnnualNetFee: 18, FirstAnnualFee: 19.49,
		}},
		{"a company's expensive phone: franchise and theft", 999.99, ClientEmpresa, Quote{
			MonthlyFee: 9.02, AnnualFee: 108.25, MonthlyNetFee: 8.33, AnnualNetFee: 100, Franchise: true, FranchiseAmount: 100, Theft: true,
			AnnualLea: 0.1, MonthlyLea: 0.01, AnnualIps: 8, MonthlyIps: 0.67, AnnualConsortium: 0.15, MonthlyConsortium: 0.01,
			FirstAnnualLea: 0.1, FirstMonthlyConsortium: 0.01, FirstAnnualIps: 8, FirstAnnualNetFee: 100, FirstAnnualFee: 108.25,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Price(tt.price, tt.clientType)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Price(%v, %q) =\n %+v\nwant\n %+v", tt.price, tt.clientType, got, tt.want)
			}
			again, _ := Price(tt.price, tt.clientType)
			if again != got {
				t.Error("the same price quoted twice differs")
			}
		})
	}
}

func TestPrice_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		price      float64
		clientType string
	}{
		{"zero", 0, ""}, {"negative", -2.2, ""}, {"absurd", 1e9, ""}, {"an unknown client type", 100, "Gobierno"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Price(tc.price, tc.clientType)
			if _, ok := errors.AsType[*sim.ValidationError](err); !ok {
				t.Errorf("got %v, want a validation error", err)
			}
		})
	}
}
