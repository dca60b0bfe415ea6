package submit_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/submit"
)

// written records the events a Submitter writes.
type written struct{ events []cloudevents.Event }

func (w *written) Publish(_ context.Context, _ string, es ...cloudevents.Event) error {
	w.events = append(w.events, es...)
	return nil
}

func newSubmitter(secret string) (*submit.Submitter, *written) {
	pub := &written{}
	return submit.NewSubmitter("/test", pub, command.NewWorkflows(secret), nil, submit.KeyConfig{Window: time.Hour, CacheSize: 10}), pub
}

// submitted submits c with s and returns what it wrote: the event's id and request digest.
func submitted(t *testing.T, s *submit.Submitter, pub *written, c submit.Command) (id, digest string) {
	t.Helper()
	a, err := s.Submit(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	e := pub.events[len(pub.events)-1]
	if e.ID() != a.RunID {
		t.Fatalf("Submit wrote %s and answered run %s", e.ID(), a.RunID)
	}
	return e.ID(), events.Extension(e, events.ExtRequestDigest)
}

// CommandID names the command Submit writes, derived from the request or from the key.
func TestCommandIDIsTheSubmittedID(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
	}{{"derivedFromTheRequest", ""}, {"derivedFromTheKey", "key-1"}} {
		t.Run(tc.name, func(t *testing.T) {
			c := submit.Command{Provider: "netflix", Org: "masmovil", Operation: "create", Target: "42", CorrelationID: "corr-1",
				IdempotencyKey: tc.key, Type: "com.provision.netflix.subscription.create.v1", PartitionKey: "42", Payload: map[string]string{"org": "masmovil"}}
			s, pub := newSubmitter("k")
			written, _ := submitted(t, s, pub, c)
			id, err := s.CommandID(c)
			if err != nil || id != written {
				t.Fatalf("CommandID = %q (%v); Submit wrote %s", id, err, written)
			}
			other := c
			other.CorrelationID = "corr-2"
			if tc.key != "" {
				other.IdempotencyKey = "key-2"
			}
			if otherID, _ := s.CommandID(other); otherID == id {
				t.Fatalf("another request has the same id %s", id)
			}
		})
	}
}

// An insurance cancel: its one unknown, beside what travels with the command's id and digest, is
// the identity document.
var cancel = submit.Command{
	Provider: events.ProviderInsurance, Org: "yoigo", Operation: events.OpCancel, Target: "POL-000123",
	CorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b", Type: events.TypeInsuranceCancelPolicy, PartitionKey: "POL-000123",
	Payload: events.InsuranceCancelPolicy{Org: "yoigo", PolicyNumber: "POL-000123", Document: "12345678Z"},
}

// A retry reaching another replica, or the same one after a restart, is the same command with the
// same digest; under another secret it is another.
func TestDerivedIDFollowsTheSecret(t *testing.T) {
	first, firstPub := newSubmitter("shared-secret")
	replica, replicaPub := newSubmitter("shared-secret")
	rotated, rotatedPub := newSubmitter("rotated-secret")
	id, digest := submitted(t, first, firstPub, cancel)
	if againID, againDigest := submitted(t, first, firstPub, cancel); againID != id || againDigest != digest {
		t.Errorf("retry got (%s, %s), want (%s, %s)", againID, againDigest, id, digest)
	}
	if replicaID, replicaDigest := submitted(t, replica, replicaPub, cancel); replicaID != id || replicaDigest != digest {
		t.Errorf("replica got (%s, %s), want (%s, %s)", replicaID, replicaDigest, id, digest)
	}
	if rotatedID, rotatedDigest := submitted(t, rotated, rotatedPub, cancel); rotatedID == id || rotatedDigest == digest {
		t.Errorf("another secret got (%s, %s), sharing with (%s, %s)", rotatedID, rotatedDigest, id, digest)
	}
	keyed := cancel
	keyed.IdempotencyKey = "key-1"
	if keyedID, _ := submitted(t, rotated, rotatedPub, keyed); keyedID != command.NewKeyedID(cancel.Org, cancel.Provider, "key-1") {
		t.Errorf("keyed id %s is not the key's, whatever the secret", keyedID)
	}
}

// Whoever knows the request but the secret cannot recompute its id or digest: the unkeyed
// construction (a UUIDv5 and a SHA-256 straight over the request) gives neither.
func TestPublishedIDAndDigestAreNotTheUnkeyedOnes(t *testing.T) {
	s, pub := newSubmitter("shared-secret")
	id, digest := submitted(t, s, pub, cancel)
	data := pub.events[0].Data()
	operation := cancel.Provider + "." + cancel.Operation

	unkeyedID := uuid.NewSHA1(command.Namespace, lengthPrefixed(cancel.Org, operation, cancel.Target, cancel.CorrelationID, string(data))).String()
	sum := sha256.Sum256(lengthPrefixed(operation, cancel.Target, string(data)))
	if unkeyedID == id {
		t.Errorf("the published id %s is the unkeyed UUIDv5 of the request", id)
	}
	if unkeyedDigest := hex.EncodeToString(sum[:]); unkeyedDigest == digest {
		t.Errorf("the published digest %s is the unkeyed SHA-256 of the request", digest)
	}
	// The same inputs with the secret do give them: the recomputation above is of this request.
	w := command.NewWorkflows("shared-secret")
	if w.NewID(cancel.Org, operation, cancel.Target, cancel.CorrelationID, data) != id || w.Fingerprint(operation, cancel.Target, data) != digest {
		t.Errorf("the published id and digest are not made from the request and the secret")
	}
}

func lengthPrefixed(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// A request answered synchronously gets its id as a command made from the request does: the same
// on a retry and under the same secret, another under another secret.
func TestRequestID(t *testing.T) {
	body := []byte(`{"documentId":"12345678Z"}`)
	s, _ := newSubmitter("shared-secret")
	replica, _ := newSubmitter("shared-secret")
	rotated, _ := newSubmitter("rotated-secret")
	id := s.RequestID("yoigo", "insurance.reserve", "/reserve", "corr-1", body)
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("request id %q is not a UUID: %v", id, err)
	}
	if again := replica.RequestID("yoigo", "insurance.reserve", "/reserve", "corr-1", append([]byte(nil), body...)); again != id {
		t.Errorf("retry got %s, want %s", again, id)
	}
	if other := rotated.RequestID("yoigo", "insurance.reserve", "/reserve", "corr-1", body); other == id {
		t.Errorf("another secret got the same id %s", id)
	}
	if other := s.RequestID("yoigo", "insurance.reserve", "/reserve", "corr-1", []byte(`{"documentId":"12345679S"}`)); other == id {
		t.Errorf("another body got the same id %s", id)
	}
}
