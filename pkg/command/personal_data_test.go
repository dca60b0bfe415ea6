package command_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"provision.local/pkg/command"
)

// An insurance cancel whose one unknown is the identity document: org, operation, policy,
// correlation id and the body's shape travel beside the command's id and digest (status events,
// logs, dead-letter headers, operation records).
const (
	cancelOrg       = "yoigo"
	cancelOperation = "insurance.cancel"
	cancelTarget    = "POL-000123"
	cancelCorrID    = "2106f808-36e9-402d-bf37-f1f7fa04776b"
	dniNumber       = 12345678
)

func cancelBody(n int) []byte {
	const letters = "TRWAGMYFPDXBNJZSQVHLCKE"
	return fmt.Appendf(nil, `{"document":"%08d%c","org":%q,"policyNumber":%q}`, n, letters[n%23], cancelOrg, cancelTarget)
}

// lengthPrefixed is the fields' encoding inside the id and the digest.
func lengthPrefixed(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// unkeyedID and unkeyedDigest are what anyone can compute without the secret: a UUIDv5 and a
// SHA-256 straight over the request.
func unkeyedID(body []byte) string {
	return uuid.NewSHA1(command.Namespace, lengthPrefixed([]byte(cancelOrg), []byte(cancelOperation), []byte(cancelTarget), []byte(cancelCorrID), body)).String()
}

func unkeyedDigest(body []byte) string {
	sum := sha256.Sum256(lengthPrefixed([]byte(cancelOperation), []byte(cancelTarget), body))
	return hex.EncodeToString(sum[:])
}

// Trying the documents near the true one against a published id and digest finds it only with
// the secret: recomputing the unkeyed construction matches nothing.
func TestIDAndFingerprintRevealNoDocument(t *testing.T) {
	publishedID := keys.NewID(cancelOrg, cancelOperation, cancelTarget, cancelCorrID, cancelBody(dniNumber))
	publishedDigest := keys.Fingerprint(cancelOperation, cancelTarget, cancelBody(dniNumber))

	var unkeyedHits, keyedHits []int
	for n := dniNumber - 500; n < dniNumber+500; n++ {
		body := cancelBody(n)
		if unkeyedID(body) == publishedID || unkeyedDigest(body) == publishedDigest {
			unkeyedHits = append(unkeyedHits, n)
		}
		if keys.NewID(cancelOrg, cancelOperation, cancelTarget, cancelCorrID, body) == publishedID &&
			keys.Fingerprint(cancelOperation, cancelTarget, body) == publishedDigest {
			keyedHits = append(keyedHits, n)
		}
	}
	if len(unkeyedHits) != 0 {
		t.Fatalf("the unkeyed construction recovers the document(s) %v from the published id or digest", unkeyedHits)
	}
	// The search itself works: with the secret it finds the document, and only it.
	if len(keyedHits) != 1 || keyedHits[0] != dniNumber {
		t.Fatalf("the search with the secret found %v, want [%d]", keyedHits, dniNumber)
	}
}
