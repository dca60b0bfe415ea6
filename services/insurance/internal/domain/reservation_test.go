package domain_test

import (
	"errors"
	"strings"
	"testing"

	"provision.local/services/insurance/internal/domain"
)

func validReservation() domain.Reservation {
	return domain.Reservation{
		DocumentID: "12345678Z", FirstName: "Juan", LastName1: "Pérez", MSISDN: "612345678", Email: "juan@example.com",
		Language: "es", Brand: "Acme", Model: "A1", Price: 499.9, ClientType: "Autónomo", IMEI: "356938035643809",
		TerminalSaleDate: "2022-01-31T23:00:00Z", Entity: "2100", OfficeCode: "0418", DC: "45", AccountNumber: "0200051332",
	}
}

func TestValidDocument(t *testing.T) {
	for doc, ok := range map[string]bool{
		"12345678Z": true, "00000000T": true, "X1234567L": true, "Y1234567X": true, "Z1234567R": true,
		"00000000F": false, // the seed's example: a wrong control letter
		"12345678A": false, "X1234567A": false, "string": false, "1234567Z": false, "12345678z": false, "A1234567L": false,
	} {
		if got := domain.ValidDocument(doc) == nil; got != ok {
			t.Errorf("ValidDocument(%q) valid = %v, want %v", doc, got, ok)
		}
	}
}

func TestReservation_Validate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.Reservation)
		fields []string // the fields refused; none for a valid body
	}{
		{"a realistic body", func(*domain.Reservation) {}, nil},
		{"the smallest body", func(r *domain.Reservation) {
			*r = domain.Reservation{DocumentID: "X1234567L", FirstName: "A", Email: "a@b.es", Language: "ca", Brand: "B", Model: "M", Price: 1}
		}, nil},
		{"nothing", func(r *domain.Reservation) { *r = domain.Reservation{} },
			[]string{"brand", "documentId", "email", "firstName", "language", "model", "price"}},
		{"the seed's placeholder body", func(r *domain.Reservation) {
			r.DocumentID, r.Language, r.IMEI, r.Entity, r.OfficeCode, r.DC, r.AccountNumber = "00000000F",
				"allowed values: es => castellano, eu=> euskera, ga=>gallego, ca=>catalán", "string", "string", "string", "string", "string"
		}, []string{"accountNumber", "dc", "documentId", "entity", "imei", "language", "officeCode"}},
		{"a negative price", func(r *domain.Reservation) { r.Price = -2.2 }, []string{"price"}},
		{"a price below a cent", func(r *domain.Reservation) { r.Price = 0.001 }, []string{"price"}},
		{"a price above the insurer's range", func(r *domain.Reservation) { r.Price = 100000.01 }, []string{"price"}},
		{"the range's bottom", func(r *domain.Reservation) { r.Price = 0.01 }, nil},
		{"the range's top", func(r *domain.Reservation) { r.Price = 100000 }, nil},
		{"a language that is not one of the four", func(r *domain.Reservation) { r.Language = "en" }, []string{"language"}},
		{"an unknown client type", func(r *domain.Reservation) { r.ClientType = "Gobierno" }, []string{"clientType"}},
		{"a phone with its prefix", func(r *domain.Reservation) { r.MSISDN = "+34612345678" }, []string{"msisdn"}},
		{"an email that is not one", func(r *domain.Reservation) { r.Email = "juan" }, []string{"email"}},
		{"a sale date that is a date only", func(r *domain.Reservation) { r.TerminalSaleDate = "2022-01-31" }, []string{"terminalSaleDate"}},
		{"half a bank account", func(r *domain.Reservation) { r.DC, r.AccountNumber = "", "" }, []string{"accountNumber", "dc"}},
		{"no bank account", func(r *domain.Reservation) { r.Entity, r.OfficeCode, r.DC, r.AccountNumber = "", "", "", "" }, nil},
		{"a long name", func(r *domain.Reservation) { r.FirstName = strings.Repeat("a", 256) }, []string{"firstName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validReservation()
			tt.change(&r)
			err := r.Validate()
			var got []string
			for _, e := range unjoin(err) {
				var fe *domain.FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("%v is not a FieldError", e)
				}
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("refused %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestReservation_Insured(t *testing.T) {
	in := validReservation().Insured()
	if in.Document != "12345678Z" || in.Phone != "612345678" || in.ClientType != "Autónomo" {
		t.Errorf("insured %+v", in)
	}
	r := validReservation()
	r.ClientType = ""
	if r.Insured().ClientType != domain.DefaultClientType {
		t.Error("an empty client type is not Particular")
	}
}
