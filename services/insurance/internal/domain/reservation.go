package domain

import (
	"cmp"
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Reservation is the seed's reserve body. Everything in it but the device's brand, model and
// price is personal data.
type Reservation struct {
	DocumentID       string  `json:"documentId"`
	FirstName        string  `json:"firstName"`
	LastName1        string  `json:"lastName1,omitempty"`
	LastName2        string  `json:"lastName2,omitempty"`
	MSISDN           string  `json:"msisdn,omitempty"`
	Address          string  `json:"address,omitempty"`
	Email            string  `json:"email"`
	ZipCode          string  `json:"zipCode,omitempty"`
	Locality         string  `json:"locality,omitempty"`
	Province         string  `json:"province,omitempty"`
	Language         string  `json:"language"`
	SFID             string  `json:"sfid,omitempty"`
	Brand            string  `json:"brand"`
	Model            string  `json:"model"`
	Price            float64 `json:"price"`
	ClientType       string  `json:"clientType,omitempty"`
	InvoicePayment   bool    `json:"invoicePayment,omitempty"`
	ProductType      string  `json:"productType,omitempty"`
	IMEI             string  `json:"imei,omitempty"`
	TerminalSaleDate string  `json:"terminalSaleDate,omitempty"`
	Entity           string  `json:"entity,omitempty"`
	OfficeCode       string  `json:"officeCode,omitempty"`
	DC               string  `json:"dc,omitempty"`
	AccountNumber    string  `json:"accountNumber,omitempty"`
	BillingCycle     string  `json:"billingCycle,omitempty"`
	SalesChannel     string  `json:"salesChannel,omitempty"`
}

// Languages and client types the insurer works with; an empty client type is Particular.
var (
	Languages   = []string{"es", "eu", "ga", "ca"}
	ClientTypes = []string{"Particular", "Autónomo", "Empresa"}
)

// The range of a device's price, in euros: the insurer prices no device above MaxPrice, and below
// a cent every fee would round to 0.
const (
	MinPrice = 0.01
	MaxPrice = 100000
)

// DefaultClientType applies when a reservation names none.
const DefaultClientType = "Particular"

// Formats shared with the HTTP contract.
var (
	PolicyNumberFormat = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{5,31}$`)
	documentFormat     = regexp.MustCompile(`^([0-9]{8}|[XYZ][0-9]{7})[A-Z]$`)
	imeiFormat         = regexp.MustCompile(`^[0-9]{15}$`)
	phoneFormat        = regexp.MustCompile(`^[6-9][0-9]{8}$`)
	fourDigits         = regexp.MustCompile(`^[0-9]{4}$`)
	twoDigits          = regexp.MustCompile(`^[0-9]{2}$`)
	tenDigits          = regexp.MustCompile(`^[0-9]{10}$`)
)

// maxText bounds a free-text field of a reservation, in bytes.
const maxText = 255

// Validate checks a reservation as the seed and the insurer require, and returns every refusal
// at once (a *FieldError each, joined). The bank account is optional, all four fields or none.
func (r Reservation) Validate() error {
	var errs []error
	check := func(ok bool, field, rule string) {
		if !ok {
			errs = append(errs, &FieldError{Field: field, Rule: rule})
		}
	}
	check(ValidDocument(r.DocumentID) == nil, "documentId", "must be a DNI or NIE with its control letter")
	check(r.FirstName != "", "firstName", "is required")
	check(validEmail(r.Email), "email", "must be an email address")
	check(slices.Contains(Languages, r.Language), "language", "must be one of es, eu, ga, ca")
	check(r.Brand != "", "brand", "is required")
	check(r.Model != "", "model", "is required")
	check(r.Price >= MinPrice && r.Price <= MaxPrice, "price", "must be a number from 0.01 to 100000")
	check(r.ClientType == "" || slices.Contains(ClientTypes, r.ClientType), "clientType", "must be one of Particular, Autónomo, Empresa")
	check(r.MSISDN == "" || phoneFormat.MatchString(r.MSISDN), "msisdn", "must be a Spanish phone number of 9 digits")
	check(r.IMEI == "" || imeiFormat.MatchString(r.IMEI), "imei", "must be 15 digits")
	check(r.TerminalSaleDate == "" || validDateTime(r.TerminalSaleDate), "terminalSaleDate", "must be an RFC 3339 date-time")
	for field, v := range map[string]string{
		"firstName": r.FirstName, "lastName1": r.LastName1, "lastName2": r.LastName2, "address": r.Address,
		"zipCode": r.ZipCode, "locality": r.Locality, "province": r.Province, "sfid": r.SFID, "brand": r.Brand,
		"model": r.Model, "productType": r.ProductType, "billingCycle": r.BillingCycle, "salesChannel": r.SalesChannel,
	} {
		check(len(v) <= maxText, field, "must be at most 255 bytes")
	}
	if r.Entity != "" || r.OfficeCode != "" || r.DC != "" || r.AccountNumber != "" {
		check(fourDigits.MatchString(r.Entity), "entity", "must be 4 digits")
		check(fourDigits.MatchString(r.OfficeCode), "officeCode", "must be 4 digits")
		check(twoDigits.MatchString(r.DC), "dc", "must be 2 digits")
		check(tenDigits.MatchString(r.AccountNumber), "accountNumber", "must be 10 digits")
	}
	// The length checks run over a map: sort so the answer is the same every time.
	slices.SortStableFunc(errs, func(a, b error) int { return cmp.Compare(a.(*FieldError).Field, b.(*FieldError).Field) })
	return errors.Join(errs...)
}

// controlLetters are the DNI control letters, indexed by the number modulo 23.
const controlLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// ValidDocument checks a DNI (8 digits and a letter) or NIE (X, Y or Z, 7 digits and a letter)
// and its control letter.
func ValidDocument(doc string) error {
	if !documentFormat.MatchString(doc) {
		return &FieldError{Field: "document", Rule: "must be a DNI or NIE"}
	}
	digits := doc[:8]
	if doc[0] >= 'X' { // a NIE: X, Y and Z count as 0, 1 and 2
		digits = string(rune('0'+doc[0]-'X')) + doc[1:8]
	}
	n, _ := strconv.Atoi(digits)
	if controlLetters[n%23] != doc[8] {
		return &FieldError{Field: "document", Rule: "has a wrong control letter"}
	}
	return nil
}

// ValidPhone checks a Spanish phone number as the contract writes it.
func ValidPhone(phone string) bool { return phoneFormat.MatchString(phone) }

// ValidIMEI checks an IMEI as the contract writes it.
func ValidIMEI(imei string) bool { return imeiFormat.MatchString(imei) }

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

func validDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}
