package domain

// Insured is a policy's personal data: who is insured, how to reach them and the insured device.
// The service keeps it sealed (Policy.Sealed) and opens it only to check a command against it or
// to answer a search. The bank account is not part of it: it is forwarded to the insurer at the
// reservation and not kept.
type Insured struct {
	Document       string  `json:"document"`
	FirstName      string  `json:"firstName"`
	LastName1      string  `json:"lastName1,omitempty"`
	LastName2      string  `json:"lastName2,omitempty"`
	Phone          string  `json:"phone,omitempty"`
	Address        string  `json:"address,omitempty"`
	Email          string  `json:"email"`
	ZipCode        string  `json:"zipCode,omitempty"`
	Locality       string  `json:"locality,omitempty"`
	Province       string  `json:"province,omitempty"`
	Language       string  `json:"language"`
	Brand          string  `json:"brand"`
	Model          string  `json:"model"`
	Price          float64 `json:"price"`
	ClientType     string  `json:"clientType"`
	InvoicePayment bool    `json:"invoicePayment,omitempty"`
	// DirectDebit says the reservation gave a bank account (the account itself is not kept).
	DirectDebit      bool   `json:"directDebit,omitempty"`
	ProductType      string `json:"productType,omitempty"`
	IMEI             string `json:"imei,omitempty"`
	TerminalSaleDate string `json:"terminalSaleDate,omitempty"`
	SFID             string `json:"sfid,omitempty"`
	BillingCycle     string `json:"billingCycle,omitempty"`
	SalesChannel     string `json:"salesChannel,omitempty"`
}

// Insured is what the service keeps of a reservation: all of it but the bank account.
func (r Reservation) Insured() Insured {
	ct := r.ClientType
	if ct == "" {
		ct = DefaultClientType
	}
	return Insured{
		Document: r.DocumentID, FirstName: r.FirstName, LastName1: r.LastName1, LastName2: r.LastName2,
		Phone: r.MSISDN, Address: r.Address, Email: r.Email, ZipCode: r.ZipCode, Locality: r.Locality,
		Province: r.Province, Language: r.Language, Brand: r.Brand, Model: r.Model, Price: r.Price,
		ClientType: ct, InvoicePayment: r.InvoicePayment, DirectDebit: r.AccountNumber != "", ProductType: r.ProductType, IMEI: r.IMEI,
		TerminalSaleDate: r.TerminalSaleDate, SFID: r.SFID, BillingCycle: r.BillingCycle, SalesChannel: r.SalesChannel,
	}
}

// Matches checks the optional document and phone a command names against the insured: an empty
// value is not checked.
func (i Insured) Matches(document, phone string) error {
	switch {
	case document != "" && document != i.Document:
		return ErrDocumentMismatch
	case phone != "" && phone != i.Phone:
		return ErrPhoneMismatch
	}
	return nil
}
