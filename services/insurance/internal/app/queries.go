package app

import (
	"context"
	"errors"
	"time"

	"provision.local/pkg/mongox"
	"provision.local/services/insurance/internal/domain"
)

// IsNotFound reports whether a query's error means there is no such policy.
func IsNotFound(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, mongox.ErrNotFound)
}

// ErrNoCriterion is a search that names no phone, document or policy number.
var ErrNoCriterion = errors.New("give at least one of phoneNumber, document and policyNumber")

// Criteria select policies; those given must all match.
type Criteria struct {
	Phone        string
	Document     string
	PolicyNumber string
}

// Policy returns the org's policy; domain.ErrNotFound when the org has none of that number.
func (a *App) Policy(ctx context.Context, org, policyNumber string) (domain.Policy, error) {
	p, _, err := a.store.Get(ctx, domain.Key(org, policyNumber))
	if IsNotFound(err) {
		return domain.Policy{}, domain.ErrNotFound
	}
	return p, err
}

// Search returns the org's policies that match every criterion given, in the seed's requestinfo
// shape; domain.ErrNotFound when none does. A policy number is read by its id; a phone or a
// document is found by its keyed hash, so the store keeps neither in plain text.
func (a *App) Search(ctx context.Context, org string, c Criteria) ([]PolicyInfo, error) {
	var candidates []domain.Policy
	var err error
	switch {
	case c.PolicyNumber != "":
		var p domain.Policy
		p, err = a.Policy(ctx, org, c.PolicyNumber)
		candidates = []domain.Policy{p}
	case c.Document != "":
		candidates, err = a.store.FindByDocument(ctx, org, a.vault.Tokens(TokenDocument, c.Document))
	case c.Phone != "":
		candidates, err = a.store.FindByPhone(ctx, org, a.vault.Tokens(TokenPhone, c.Phone))
	default:
		return nil, ErrNoCriterion
	}
	if err != nil {
		return nil, err
	}
	var out []PolicyInfo
	for _, p := range candidates {
		in, err := a.vault.Open(p)
		if err != nil {
			return nil, err
		}
		// A token names the value; the opened insured confirms it, and the other criteria.
		if (c.Document != "" && in.Document != c.Document) || (c.Phone != "" && in.Phone != c.Phone) {
			continue
		}
		out = append(out, infoOf(p, in))
	}
	if len(out) == 0 {
		return nil, domain.ErrNotFound
	}
	return out, nil
}

// PolicyInfo is one policy in the seed's requestinfo shape, plus state (the policy's state, which
// the seed's flags cannot tell apart: reserved, active, suspended).
type PolicyInfo struct {
	CertificateNumber string     `json:"certificateNumber"`
	IMEI              string     `json:"imei,omitempty"`
	Brand             Named      `json:"brand"`
	Model             Described  `json:"model"`
	PhoneNumber       string     `json:"phoneNumber,omitempty"`
	Document          string     `json:"document"`
	FirstName         string     `json:"firstName"`
	LastName1         string     `json:"lastName1,omitempty"`
	LastName2         string     `json:"lastName2,omitempty"`
	Address           string     `json:"address,omitempty"`
	City              string     `json:"city,omitempty"`
	ZipCode           string     `json:"zipCode,omitempty"`
	PolicyNumber      string     `json:"policyNumber"`
	Province          string     `json:"province,omitempty"`
	EffectiveDate     *time.Time `json:"effectiveDate,omitempty"`
	Email             string     `json:"email"`
	Sold              bool       `json:"sold"`
	Cancelled         bool       `json:"cancelled"`
	CancellationDate  *time.Time `json:"cancellationDate,omitempty"`
	PaymentMethod     *Described `json:"paymentMethod,omitempty"`
	ClientType        Named      `json:"clientType"`
	BillPayment       bool       `json:"billPayment"`
	Withdrawal        bool       `json:"withdrawal"`
	WithdrawalDate    *time.Time `json:"withdrawalDate,omitempty"`
	Emitted           bool       `json:"emitted"`
	Language          Named      `json:"language"`
	Accident          bool       `json:"accident"`
	State             string     `json:"state"`
}

// Named and Described are the seed's one-field objects.
type (
	Named struct {
		Name string `json:"name"`
	}
	Described struct {
		Description string `json:"description"`
	}
)

// Payment methods, as requestinfo describes them.
const (
	PaymentInvoice     = "Factura"
	PaymentDirectDebit = "Domiciliación bancaria"
)

// infoOf maps a policy and its insured to requestinfo. The certificate is the insurer's request
// id; the policy is sold once reserved, emitted once in force, cancelled or withdrawn (with its
// date) when a cancellation or a termination ended it; every policy covers accidents. The payment
// method is the one the reservation gave: an invoice, else a bank account, else none.
func infoOf(p domain.Policy, in domain.Insured) PolicyInfo {
	info := PolicyInfo{
		CertificateNumber: p.RequestID, IMEI: in.IMEI, Brand: Named{in.Brand}, Model: Described{in.Model},
		PhoneNumber: in.Phone, Document: in.Document, FirstName: in.FirstName, LastName1: in.LastName1,
		LastName2: in.LastName2, Address: in.Address, City: in.Locality, ZipCode: in.ZipCode,
		PolicyNumber: p.PolicyNumber, Province: in.Province, EffectiveDate: p.ActivatedAt, Email: in.Email,
		Sold: true, Cancelled: p.State == domain.Cancelled,
		ClientType: Named{in.ClientType}, BillPayment: in.InvoicePayment, Withdrawal: p.State == domain.Terminated,
		Emitted: p.WasInForce(), Language: Named{in.Language}, Accident: true, State: string(p.State),
	}
	switch {
	case in.InvoicePayment:
		info.PaymentMethod = &Described{PaymentInvoice}
	case in.DirectDebit:
		info.PaymentMethod = &Described{PaymentDirectDebit}
	}
	if info.Cancelled {
		info.CancellationDate = p.EndedAt
	}
	if info.Withdrawal {
		info.WithdrawalDate = p.EndedAt
	}
	return info
}
