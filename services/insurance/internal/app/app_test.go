package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger/ledgertest"
	"provision.local/pkg/partnerhttp"
	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

const (
	org      = "masmovil"
	document = "12345678Z"
	phone    = "612345678"
	imei     = "356938035643809"
	account  = "0200051332"
)

// personal are the values a test sends that must appear in no event.
var personal = []string{document, phone, imei, account, "juan@example.com", "Pérez", "Castellana"}

type fixture struct {
	t       *testing.T
	store   *ledgertest.Store[domain.Policy]
	ledger  *storeLedger
	insurer *insurer
	app     *app.App
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key, _ := sealbox.NewKey()
	raw, _ := sealbox.ParseKey(key)
	box, err := sealbox.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: ledgertest.New[domain.Policy](), insurer: &insurer{}}
	f.ledger = &storeLedger{Ledger: f.store}
	f.app = app.New(adapters.PolicyRepository{Ledger: f.ledger}, f.insurer, adapters.NewSealboxVault(box))
	return f
}

func reservation() domain.Reservation {
	return domain.Reservation{
		DocumentID: document, FirstName: "Juan", LastName1: "Pérez", MSISDN: phone, Address: "Paseo de la Castellana 4",
		Email: "juan@example.com", Language: "es", Brand: "Acme", Model: "A1", Price: 499.9, IMEI: imei,
		Entity: "2100", OfficeCode: "0418", DC: "45", AccountNumber: account,
	}
}

func (f *fixture) reserve(key string) app.Reserved {
	f.t.Helper()
	r, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: key}, org, reservation())
	if err != nil {
		f.t.Fatalf("reserve: %v", err)
	}
	return r
}

// relayed are the events the outbox relay publishes now.
func (f *fixture) relayed() []consumer.Output {
	f.t.Helper()
	var outs []consumer.Output
	if _, err := f.store.RelayPending(context.Background(), func(_ context.Context, o []consumer.Output) error {
		outs = append(outs, o...)
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
	return outs
}

func (f *fixture) run(id string, run func(context.Context, app.Meta) ([]consumer.Output, error)) events.StatusEvent[json.RawMessage] {
	f.t.Helper()
	outs, err := run(context.Background(), app.Meta{CommandID: id, Type: "t"})
	if err != nil {
		f.t.Fatalf("%s: %v", id, err)
	}
	return single(f.t, outs)
}

func single(t *testing.T, outs []consumer.Output) events.StatusEvent[json.RawMessage] {
	t.Helper()
	if len(outs) != 1 || outs[0].Topic != events.TopicInsuranceStatus {
		t.Fatalf("outputs %v, want one status event", outs)
	}
	data := string(outs[0].Event.Data())
	for _, v := range personal {
		if strings.Contains(data, v) {
			t.Errorf("the status event names a personal value %q: %s", v, data)
		}
	}
	if k := events.Extension(outs[0].Event, events.ExtPartitionKey); !strings.HasPrefix(k, "DI") {
		t.Errorf("record key %q, want the policy number", k)
	}
	var p events.StatusEvent[json.RawMessage]
	if err := events.Decode(outs[0].Event, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReservePolicy_StoresItSealedAndRelaysItsEventOnce(t *testing.T) {
	f := newFixture(t)
	r := f.reserve("k1")
	if r.PolicyNumber != "DI0000000001" || r.AnnualFee != 49.99 {
		t.Errorf("reserved %+v", r)
	}
	ev := single(t, f.relayed())
	if ev.Operation != events.OpReserve || ev.Status != events.StatusPending || ev.SubscriptionID != r.PolicyNumber || ev.Version != 1 {
		t.Errorf("event %+v", ev)
	}

	again := f.reserve("k1")
	if again != r || len(f.relayed()) != 0 {
		t.Errorf("a retry answered %+v and relayed again; want %+v once", again, r)
	}
	p, _, _ := f.store.Get(context.Background(), domain.Key(org, r.PolicyNumber))
	raw, _ := json.Marshal(p)
	for _, v := range personal {
		if strings.Contains(string(raw), v) {
			t.Errorf("the stored policy keeps %q in plain text: %s", v, raw)
		}
	}
	if p.DocumentToken == "" || p.PhoneToken == "" || p.Sealed == "" {
		t.Errorf("stored %+v: want the sealed insured and both tokens", p)
	}
}

func TestReservePolicy_RefusesANumberStoredForAnotherReservation(t *testing.T) {
	f := newFixture(t)
	first := f.reserve("k1")
	f.relayed()
	f.insurer.restart()
	other := reservation()
	other.DocumentID, other.MSISDN = "87654321X", "698765432"
	_, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: "k2"}, org, other)
	if !errors.Is(err, app.ErrPolicyNumberInUse) || app.IsNotFound(err) {
		t.Fatalf("err %v, want ErrPolicyNumberInUse", err)
	}
	p, version, err := f.store.Get(context.Background(), domain.Key(org, first.PolicyNumber))
	if err != nil || p.RequestID != first.RequestID || version != 1 || len(f.relayed()) != 0 {
		t.Errorf("stored %+v at version %d (%v), relayed again; want the first reservation untouched", p, version, err)
	}
	if got, err := f.app.Search(context.Background(), org, app.Criteria{Document: document}); err != nil || len(got) != 1 || got[0].PhoneNumber != phone {
		t.Errorf("the first holder's search answered %+v, %v", got, err)
	}
}

func TestReservePolicy_AReservationLostAfterItsStoreIsNotANotFound(t *testing.T) {
	f := newFixture(t)
	f.ledger.lost = true
	_, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: "k1"}, org, reservation())
	if err == nil || app.IsNotFound(err) {
		t.Errorf("err %v, want an error that is not POLICY_NOT_FOUND", err)
	}
}

func TestReservePolicy_StoresWhatTheInsurerAnsweredThoughTheCallerLeft(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	f.insurer.answered = cancel
	r, err := f.app.ReservePolicy(ctx, app.Meta{CommandID: "k1"}, org, reservation())
	if err != nil {
		t.Fatalf("reserve: %v", err)
	}
	if p, _, err := f.store.Get(context.Background(), domain.Key(org, r.PolicyNumber)); err != nil || p.RequestID != r.RequestID {
		t.Errorf("stored %+v, %v; want the policy the insurer issued", p, err)
	}
}

func TestReservePolicy_RefusesFieldsWithoutCallingTheInsurer(t *testing.T) {
	f := newFixture(t)
	r := reservation()
	r.DocumentID, r.Price = "00000000F", -1
	_, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: "k1"}, org, r)
	var fe *domain.FieldError
	if !errors.As(err, &fe) || len(f.insurer.received()) != 0 {
		t.Errorf("err %v, calls %v; want field errors and no call", err, f.insurer.received())
	}
}

func TestLifecycle_CommandsMoveThePolicyAndCallTheInsurer(t *testing.T) {
	f := newFixture(t)
	r := f.reserve("k1")
	pn := r.PolicyNumber
	wrongDevice := f.run("c1", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
		return f.app.ActivatePolicy(ctx, m, events.InsuranceActivatePolicy{Org: org, RequestID: r.RequestID, PolicyNumber: pn, IMEI: "356938035643810", Document: document})
	})
	if wrongDevice.Error == nil || wrongDevice.Error.Code != "DEVICE_MISMATCH" || wrongDevice.Status != events.StatusPending {
		t.Errorf("activation with another IMEI: %+v", wrongDevice)
	}
	steps := []struct {
		name     string
		run      func(context.Context, app.Meta) ([]consumer.Output, error)
		status   string
		previous string
	}{
		{"activate", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.ActivatePolicy(ctx, m, events.InsuranceActivatePolicy{Org: org, RequestID: r.RequestID, PolicyNumber: pn, IMEI: imei, Document: document})
		}, events.StatusActive, events.StatusPending},
		{"suspend", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.SuspendPolicy(ctx, m, events.InsuranceSuspendPolicy{Org: org, PolicyNumber: pn, PhoneNumber: phone})
		}, events.StatusSuspended, events.StatusActive},
		{"reconnect", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.ReconnectPolicy(ctx, m, events.InsuranceReconnectPolicy{Org: org, PolicyNumber: pn, Document: document})
		}, events.StatusActive, events.StatusSuspended},
		{"terminate", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.TerminatePolicy(ctx, m, events.InsuranceTerminatePolicy{Org: org, PolicyNumber: pn, Reason: "sold"})
		}, events.StatusDeactivated, events.StatusActive},
	}
	for i, s := range steps {
		ev := f.run(s.name, s.run)
		if ev.Error != nil || ev.Status != s.status || ev.PreviousStatus != s.previous || ev.Version != int64(i+2) {
			t.Fatalf("%s: %+v", s.name, ev)
		}
	}
	want := []string{"Reserve  k1", "Activate " + pn + " activate", "Suspend " + pn + " suspend", "Reconnect " + pn + " reconnect", "Terminate " + pn + " terminate"}
	if got := f.insurer.received(); !slices.Equal(got, want) {
		t.Errorf("insurer calls %v, want %v (no call for the refused activation)", got, want)
	}
	p, _ := f.app.Policy(context.Background(), org, pn)
	if p.State != domain.Terminated || p.EndedAt == nil {
		t.Errorf("policy %v", p)
	}
}

func TestCommands_Refused(t *testing.T) {
	f := newFixture(t)
	r := f.reserve("k1")
	tests := []struct {
		name string
		run  func(context.Context, app.Meta) ([]consumer.Output, error)
		code string
	}{
		{"an unknown policy", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.CancelPolicy(ctx, m, events.InsuranceCancelPolicy{Org: org, PolicyNumber: "DI0000000099"})
		}, app.CodePolicyNotFound},
		{"another org's policy", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.CancelPolicy(ctx, m, events.InsuranceCancelPolicy{Org: "yoigo", PolicyNumber: r.PolicyNumber})
		}, app.CodePolicyNotFound},
		{"a suspension of a reserved policy", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.SuspendPolicy(ctx, m, events.InsuranceSuspendPolicy{Org: org, PolicyNumber: r.PolicyNumber})
		}, "INVALID_TRANSITION"},
		{"a cancellation naming another document", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.CancelPolicy(ctx, m, events.InsuranceCancelPolicy{Org: org, PolicyNumber: r.PolicyNumber, Document: "X1234567L"})
		}, "DOCUMENT_MISMATCH"},
		{"an activation with another request id", func(ctx context.Context, m app.Meta) ([]consumer.Output, error) {
			return f.app.ActivatePolicy(ctx, m, events.InsuranceActivatePolicy{Org: org, RequestID: "00000000-0000-4000-8000-000000000009", PolicyNumber: r.PolicyNumber, IMEI: imei, Document: document})
		}, "REQUEST_MISMATCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := f.run(tt.name, tt.run)
			if ev.Error == nil || ev.Error.Code != tt.code {
				t.Errorf("event %+v, want the failure %s", ev, tt.code)
			}
		})
	}
}

func TestCommands_InsurerAnswers(t *testing.T) {
	f := newFixture(t)
	r := f.reserve("k1")
	cancel := func(id string) ([]consumer.Output, error) {
		return f.app.CancelPolicy(context.Background(), app.Meta{CommandID: id, Type: "t"}, events.InsuranceCancelPolicy{Org: org, PolicyNumber: r.PolicyNumber})
	}
	f.insurer.failing = func(string) error { return errors.New("insurer unreachable") }
	if _, err := cancel("c1"); err == nil {
		t.Fatal("an unreachable insurer failed the command for good; want an error to retry")
	}
	f.insurer.failing = func(string) error {
		return &partnerhttp.Rejection{Partner: "insurance", Status: 409, Code: "INVALID_TRANSITION", Message: "policy of 12345678Z"}
	}
	outs, err := cancel("c2")
	if err != nil {
		t.Fatal(err)
	}
	ev := single(t, outs)
	if ev.Error == nil || ev.Error.Code != "PARTNER_REJECTED" || strings.Contains(ev.Error.Details, document) {
		t.Errorf("refusal event %+v: want PARTNER_REJECTED without the insurer's message", ev.Error)
	}
}

func TestSearch(t *testing.T) {
	f := newFixture(t)
	first := f.reserve("k1")
	second := f.reserve("k2")
	other := reservation()
	other.DocumentID, other.MSISDN = "X1234567L", "699999999"
	third, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: "k3"}, org, other)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		org  string
		c    app.Criteria
		want []string
	}{
		{"by phone", org, app.Criteria{Phone: phone}, []string{first.PolicyNumber, second.PolicyNumber}},
		{"by document", org, app.Criteria{Document: "X1234567L"}, []string{third.PolicyNumber}},
		{"by policy number", org, app.Criteria{PolicyNumber: second.PolicyNumber}, []string{second.PolicyNumber}},
		{"by document and policy number", org, app.Criteria{Document: document, PolicyNumber: third.PolicyNumber}, nil},
		{"by phone and document", org, app.Criteria{Phone: phone, Document: document}, []string{first.PolicyNumber, second.PolicyNumber}},
		{"an unknown phone", org, app.Criteria{Phone: "655555555"}, nil},
		{"another org", "yoigo", app.Criteria{Phone: phone}, nil},
		{"another org's policy number", "yoigo", app.Criteria{PolicyNumber: first.PolicyNumber}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.app.Search(context.Background(), tt.org, tt.c)
			if tt.want == nil {
				if !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("got %v, %v; want not found", got, err)
				}
				return
			}
			var numbers []string
			for _, p := range got {
				numbers = append(numbers, p.PolicyNumber)
			}
			slices.Sort(numbers)
			if err != nil || !slices.Equal(numbers, tt.want) {
				t.Errorf("got %v, %v; want %v", numbers, err, tt.want)
			}
		})
	}
	got, _ := f.app.Search(context.Background(), org, app.Criteria{PolicyNumber: first.PolicyNumber})
	if p := got[0]; p.Document != document || p.PhoneNumber != phone || p.Brand.Name != "Acme" || p.State != "RESERVED" || !p.Sold || p.Emitted {
		t.Errorf("requestinfo %+v", p)
	}
	if _, err := f.app.Search(context.Background(), org, app.Criteria{}); !errors.Is(err, app.ErrNoCriterion) {
		t.Errorf("no criterion: %v", err)
	}
}

func TestSearch_PaymentMethodIsWhatTheReservationGave(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		change func(*domain.Reservation)
		want   string
	}{
		{"a bank account", func(*domain.Reservation) {}, app.PaymentDirectDebit},
		{"invoice payment", func(r *domain.Reservation) { r.InvoicePayment = true }, app.PaymentInvoice},
		{"neither", func(r *domain.Reservation) { r.Entity, r.OfficeCode, r.DC, r.AccountNumber = "", "", "", "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reservation()
			tt.change(&r)
			res, err := f.app.ReservePolicy(context.Background(), app.Meta{CommandID: tt.name}, org, r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.app.Search(context.Background(), org, app.Criteria{PolicyNumber: res.PolicyNumber})
			if err != nil || len(got) != 1 {
				t.Fatalf("search: %v, %v", got, err)
			}
			if pm := got[0].PaymentMethod; (tt.want == "" && pm != nil) || (tt.want != "" && (pm == nil || pm.Description != tt.want)) {
				t.Errorf("paymentMethod %+v, want %q", pm, tt.want)
			}
		})
	}
}

// After a key rotation, a policy that changes is sealed under the new key with the new key's
// search tokens (the activation, which seals the device, and any other command): the old key can
// then be retired and the policies are still found.
func TestCommands_ReissueTheSearchTokensUnderTheNewKey(t *testing.T) {
	oldKey, newKey := newRawKey(t), newRawKey(t)
	store, partner := ledgertest.New[domain.Policy](), &insurer{}
	appOver := func(current []byte, previous ...[]byte) *app.App {
		box, err := sealbox.New(current, previous...)
		if err != nil {
			t.Fatal(err)
		}
		return app.New(adapters.PolicyRepository{Ledger: store}, partner, adapters.NewSealboxVault(box))
	}
	ctx := context.Background()
	activate := func(a *app.App, id string, r app.Reserved) {
		t.Helper()
		_, err := a.ActivatePolicy(ctx, app.Meta{CommandID: id, Type: "t"},
			events.InsuranceActivatePolicy{Org: org, RequestID: r.RequestID, PolicyNumber: r.PolicyNumber, IMEI: imei, Document: document})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := appOver(oldKey)
	var reserved []app.Reserved
	for _, key := range []string{"k1", "k2"} {
		r, err := before.ReservePolicy(ctx, app.Meta{CommandID: key}, org, reservation())
		if err != nil {
			t.Fatal(err)
		}
		reserved = append(reserved, r)
	}
	activate(before, "c1", reserved[1])

	rotated := appOver(newKey, oldKey)
	activate(rotated, "c2", reserved[0])
	if _, err := rotated.SuspendPolicy(ctx, app.Meta{CommandID: "c3", Type: "t"},
		events.InsuranceSuspendPolicy{Org: org, PolicyNumber: reserved[1].PolicyNumber}); err != nil {
		t.Fatal(err)
	}

	retired := appOver(newKey)
	for name, c := range map[string]app.Criteria{"document": {Document: document}, "phone": {Phone: phone}} {
		got, err := retired.Search(ctx, org, c)
		var states []string
		for _, p := range got {
			states = append(states, p.State)
		}
		slices.Sort(states)
		if err != nil || !slices.Equal(states, []string{"ACTIVE", "SUSPENDED"}) {
			t.Errorf("by %s with the old key retired: %v, %v; want the active and the suspended policy", name, states, err)
		}
	}
}

func newRawKey(t *testing.T) []byte {
	t.Helper()
	key, err := sealbox.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sealbox.ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
