package ports_test

// Unit tests of the ports' mapping: what the command handler hands the ledger from a CloudEvent.
// The store only records what it is given; the ledger's behaviour is tested in pkg/ledger.

import (
	"context"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"provision.local/events"
	"provision.local/pkg/consumer"
	"provision.local/pkg/ledger"
	"provision.local/pkg/mongox"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
	"provision.local/services/disney/internal/ports"
)

// recordingStore records the commands it is asked to execute and answers one stored operation.
type recordingStore struct {
	mu       sync.Mutex
	executed []ledger.Command
	op       *ledger.Operation
}

func (s *recordingStore) Execute(_ context.Context, cmd ledger.Command, _ ledger.Decide[domain.Subscription]) ([]consumer.Output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executed = append(s.executed, cmd)
	return nil, nil
}

func (s *recordingStore) Get(context.Context, string) (domain.Subscription, int64, error) {
	return domain.Subscription{}, 0, mongox.ErrNotFound
}

func (s *recordingStore) FindIDs(context.Context, bson.D) ([]string, error) { return nil, nil }

func (s *recordingStore) Operation(_ context.Context, id string) (ledger.Operation, error) {
	if s.op == nil || s.op.ID != id {
		return ledger.Operation{}, mongox.ErrNotFound
	}
	return *s.op, nil
}

func (s *recordingStore) History(context.Context, string, int64) ([]ledger.Operation, error) {
	return nil, nil
}

const digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var issued = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

func commandEvent(t *testing.T, ceType string, payload any, withIdentity bool) cloudevents.Event {
	t.Helper()
	e, err := events.New("0b7e6c44-6a43-4f6e-9d0e-0d9a3c1f2e11", ceType, "urn:billing:yoigo", "ENT1", payload)
	if err != nil {
		t.Fatal(err)
	}
	if !withIdentity {
		e.SetTime(time.Time{}) // a publisher may leave ce_time out
		return e
	}
	e.SetTime(issued)
	e.SetExtension(events.ExtRequestDigest, digest)
	return e
}

// The request digest and the event time reach the ledger as the command's fingerprint and issue
// time, for a subscription command and for the activation callback's parent command alike; a
// publisher that sends neither leaves both empty.
func TestCommandHandlerPassesFingerprintAndIssueTime(t *testing.T) {
	create := events.DisneyCreateSubscription{Org: "yoigo", UserID: "MOO1", SubscriptionID: "ENT1", Products: []string{"com.disney.yoigo.es.bundle.basic"}}
	callback := events.DisneyActivationCallback{Org: "yoigo", UserID: "MOO1"}
	tests := []struct {
		name          string
		ceType        string
		payload       any
		withIdentity  bool
		wantDigest    string
		wantIssuedAt  time.Time
		wantOperation string
	}{
		{"createWithDigest", events.TypeDisneyCreateSubscription, create, true, digest, issued, events.OpCreate},
		{"createWithoutDigest", events.TypeDisneyCreateSubscription, create, false, "", time.Time{}, events.OpCreate},
		{"callbackWithDigest", events.TypeDisneyActivationCallback, callback, true, digest, issued, events.OpActivationCallback},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &recordingStore{}
			handle := ports.NewCommandHandler(app.New(store, nil))
			msg := consumer.Message{Event: commandEvent(t, tc.ceType, tc.payload, tc.withIdentity)}
			if _, err := handle(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			if len(store.executed) != 1 {
				t.Fatalf("executed %d commands, want 1", len(store.executed))
			}
			cmd := store.executed[0]
			if cmd.Fingerprint != tc.wantDigest || !cmd.IssuedAt.Equal(tc.wantIssuedAt) || cmd.Operation != tc.wantOperation {
				t.Errorf("command %+v, want fingerprint %q issued %s operation %s", cmd, tc.wantDigest, tc.wantIssuedAt, tc.wantOperation)
			}
			if of := ports.CommandOf(msg); of.Fingerprint != tc.wantDigest || !of.IssuedAt.Equal(tc.wantIssuedAt) {
				t.Errorf("CommandOf = %+v, want fingerprint %q issued %s", of, tc.wantDigest, tc.wantIssuedAt)
			}
		})
	}
}
