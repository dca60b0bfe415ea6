package app_test

// Hand-written fakes of the two ports of the application layer: the Disney partner API and the
// ledger-backed subscription store.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// Partner methods, as recorded in partnerCall.Method.
const (
	callCreateEntitlement = "CreateEntitlement"
	callModifyProducts    = "ModifyProducts"
	callSuspend           = "Suspend"
	callReactivate        = "Reactivate"
	callCancel            = "Cancel"
	callConfirmActivation = "ConfirmActivation"
	callActivationURL     = "ActivationURL"
)

// partnerCall is one call received by fakePartner.
type partnerCall struct {
	Method        string
	Key           string // the idempotency key
	EntitlementID string
	Products      []string // CreateEntitlement, ModifyProducts, Suspend, Reactivate, ActivationURL
	Product       string   // Cancel
	Entitlement   app.Entitlement
	URLRequest    app.ActivationURLRequest
}

// fakePartner records every call, failed ones included, and answers nil (or url) unless told to
// fail.
type fakePartner struct {
	mu    sync.Mutex
	calls []partnerCall
	fail  func(partnerCall) error
	url   app.ActivationURL
}

var _ app.Partner = (*fakePartner)(nil)

// failWith makes the calls that match return err (every call when match is nil). A transient
// error is any error; a definitive one is a *app.PartnerRejection.
func (p *fakePartner) failWith(err error, match func(partnerCall) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = func(c partnerCall) error {
		if match == nil || match(c) {
			return err
		}
		return nil
	}
}

// recover makes every later call succeed.
func (p *fakePartner) recover() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = nil
}

// Calls returns the calls received so far, in order.
func (p *fakePartner) Calls() []partnerCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

func (p *fakePartner) record(c partnerCall) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if p.fail != nil {
		return p.fail(c)
	}
	return nil
}

func (p *fakePartner) CreateEntitlement(_ context.Context, key string, e app.Entitlement) error {
	e.Products = slices.Clone(e.Products)
	return p.record(partnerCall{Method: callCreateEntitlement, Key: key, EntitlementID: e.EntitlementID, Products: e.Products, Entitlement: e})
}

func (p *fakePartner) ModifyProducts(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callModifyProducts, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Suspend(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callSuspend, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Reactivate(_ context.Context, key, entitlementID string, products []string) error {
	return p.record(partnerCall{Method: callReactivate, Key: key, EntitlementID: entitlementID, Products: slices.Clone(products)})
}

func (p *fakePartner) Cancel(_ context.Context, key, entitlementID, product string) error {
	return p.record(partnerCall{Method: callCancel, Key: key, EntitlementID: entitlementID, Product: product})
}

func (p *fakePartner) ConfirmActivation(_ context.Context, key, entitlementID string) error {
	return p.record(partnerCall{Method: callConfirmActivation, Key: key, EntitlementID: entitlementID})
}

func (p *fakePartner) ActivationURL(_ context.Context, key, entitlementID string, req app.ActivationURLRequest) (app.ActivationURL, error) {
	req.Products = slices.Clone(req.Products)
	err := p.record(partnerCall{Method: callActivationURL, Key: key, EntitlementID: entitlementID, Products: req.Products, URLRequest: req})
	if err != nil {
		return app.ActivationURL{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url, nil
}

// fakeStore is an in-memory app.Store that keeps ledger.Store's contract:
//   - a command id with an operation record (other than DEAD_LETTERED) answers with the outputs
//     stored the first time, without calling decide, and is refused when the id comes back with
//     another org, type or target;
//   - otherwise decide gets the current state (nil, version 0 when absent); an error from decide
//     records nothing; a Failure records FAILED; New == nil records COMPLETED and writes nothing;
//     New != nil writes the state with version+1 and records COMPLETED;
//   - outputs are kept as JSON, as the ledger keeps them, so a replay answers decoded events.
//
// The state and the operation record are written together, so the ledger's outbox (which covers a
// crash between the two writes) has no counterpart here. decide runs without the lock held: the
// activation callback executes child commands from inside its decide.
type fakeStore struct {
	mu    sync.Mutex
	docs  map[string]fakeDoc
	ops   map[string]ledger.Operation
	order []string // operation ids in the order they were recorded
}

type fakeDoc struct {
	version int64
	state   domain.Subscription
}

var _ app.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{docs: map[string]fakeDoc{}, ops: map[string]ledger.Operation{}}
}

// seed stores a subscription at the given version, as earlier commands would have.
func (s *fakeStore) seed(sub domain.Subscription, version int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[domain.Key(sub.Org, sub.SubscriptionID)] = fakeDoc{version: version, state: cloneSubscription(sub)}
}

// markDeadLettered does what ledger.Store.MarkDeadLettered does: it records the command as
// DEAD_LETTERED unless it has a record already.
func (s *fakeStore) markDeadLettered(cmd ledger.Command, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ops[cmd.ID]; ok {
		return
	}
	s.recordLocked(cmd, ledger.DeadLettered, &ledger.Failure{Code: "DEAD_LETTERED", Title: "NOT_PROCESSED", Details: reason}, 0, nil)
}

func (s *fakeStore) Execute(ctx context.Context, cmd ledger.Command, decide ledger.Decide[domain.Subscription]) ([]consumer.Output, error) {
	s.mu.Lock()
	if op, ok := s.ops[cmd.ID]; ok {
		if op.Outcome != ledger.DeadLettered {
			s.mu.Unlock()
			return replay(op, cmd)
		}
		s.forgetLocked(cmd.ID) // a replay of a dead letter runs afresh
	}
	var current *domain.Subscription
	var version int64
	if doc, ok := s.docs[cmd.AggregateID]; ok && cmd.AggregateID != "" {
		st := cloneSubscription(doc.state)
		current, version = &st, doc.version
	}
	s.mu.Unlock()

	d, err := decide(ctx, current, version)
	if err != nil {
		return nil, err
	}
	if d.Failure != nil && d.New != nil {
		return nil, fmt.Errorf("command %s: a decision with a Failure must not change state", cmd.ID)
	}
	stored, err := encodeOutputs(d.Outputs)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if op, ok := s.ops[cmd.ID]; ok && op.Outcome != ledger.DeadLettered {
		return replay(op, cmd) // a concurrent delivery recorded it first
	}
	outcome := ledger.Completed
	switch {
	case d.Failure != nil:
		outcome = ledger.Failed
	case d.New != nil:
		if cmd.AggregateID == "" {
			return nil, fmt.Errorf("command %s changes state but names no aggregate", cmd.ID)
		}
		if s.docs[cmd.AggregateID].version != version {
			return nil, ledger.ErrConflict
		}
		version++
		s.docs[cmd.AggregateID] = fakeDoc{version: version, state: cloneSubscription(*d.New)}
	}
	s.recordLocked(cmd, outcome, d.Failure, version, stored)
	return d.Outputs, nil
}

func (s *fakeStore) recordLocked(cmd ledger.Command, outcome string, f *ledger.Failure, version int64, outputs []ledger.StoredOutput) {
	s.ops[cmd.ID] = ledger.Operation{
		ID: cmd.ID, Type: cmd.Type, Org: cmd.Org, Operation: cmd.Operation, AggregateID: cmd.AggregateID,
		Outcome: outcome, Failure: f, Version: version, CorrelationID: cmd.CorrelationID, WorkflowID: cmd.WorkflowID,
		At: time.Now().UTC(), Outputs: outputs,
	}
	s.order = append(s.order, cmd.ID)
}

func (s *fakeStore) forgetLocked(id string) {
	delete(s.ops, id)
	s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id })
}

func (s *fakeStore) Get(_ context.Context, id string) (domain.Subscription, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.docs[id]
	if !ok {
		return domain.Subscription{}, 0, mongox.ErrNotFound
	}
	return cloneSubscription(doc.state), doc.version, nil
}

// FindIDs understands equality on the state fields the application filters on; any other filter
// is an error, so a change of the application's query shows up here. Ids come back sorted.
func (s *fakeStore) FindIDs(_ context.Context, filter bson.D) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, doc := range s.docs {
		match := true
		for _, e := range filter {
			want, ok := e.Value.(string)
			if !ok {
				return nil, fmt.Errorf("fake store: filter %s: only string equality is supported", e.Key)
			}
			var got string
			switch e.Key {
			case "state.org":
				got = doc.state.Org
			case "state.userId":
				got = doc.state.UserID
			case "state.subscriptionId":
				got = doc.state.SubscriptionID
			default:
				return nil, fmt.Errorf("fake store: filter on %q is not supported", e.Key)
			}
			match = match && got == want
		}
		if match {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func (s *fakeStore) Operation(_ context.Context, commandID string) (ledger.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[commandID]
	if !ok {
		return ledger.Operation{}, mongox.ErrNotFound
	}
	return op, nil
}

func (s *fakeStore) History(_ context.Context, aggregateID string, limit int64) ([]ledger.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ops []ledger.Operation
	for _, id := range s.order {
		if op := s.ops[id]; op.AggregateID == aggregateID && int64(len(ops)) < limit {
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// replay is ledger's: the stored outputs, unless the id was used by another command.
func replay(op ledger.Operation, cmd ledger.Command) ([]consumer.Output, error) {
	if op.Org != cmd.Org || op.Type != cmd.Type || op.AggregateID != cmd.AggregateID {
		return nil, consumer.Permanent(fmt.Errorf("command id %s was already used by another command", cmd.ID))
	}
	outs := make([]consumer.Output, len(op.Outputs))
	for i, so := range op.Outputs {
		e := cloudevents.NewEvent()
		if err := json.Unmarshal([]byte(so.Event), &e); err != nil {
			return nil, fmt.Errorf("decode stored output: %w", err)
		}
		outs[i] = consumer.Output{Topic: so.Topic, Event: e}
	}
	return outs, nil
}

func encodeOutputs(outs []consumer.Output) ([]ledger.StoredOutput, error) {
	stored := make([]ledger.StoredOutput, len(outs))
	for i, o := range outs {
		b, err := json.Marshal(o.Event)
		if err != nil {
			return nil, fmt.Errorf("encode output %s: %w", o.Event.ID(), err)
		}
		stored[i] = ledger.StoredOutput{Topic: o.Topic, Event: string(b)}
	}
	return stored, nil
}

func cloneSubscription(s domain.Subscription) domain.Subscription {
	s.Products = slices.Clone(s.Products)
	return s
}
