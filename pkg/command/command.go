// Package command gives commands their identity: a deterministic id, so that a retried HTTP
// request becomes the same command, or an id made from the client's idempotency key (key.go); a
// digest of the request, so that a reused id can be told from a retry; and a signed workflow id
// (workflow.go), so that the ingress can tell an id it issued for an org from a made-up one.
//
// The id made from the request and the digest are keyed with the platform's secret: both travel
// beside the other inputs of the request (org, target, correlation id in status events, logs,
// dead-letter headers, operation records), so an unkeyed hash of a body whose one unknown is an
// identity document or a phone number would give that value away to anyone who tries the
// candidates.
package command

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/google/uuid"
)

// Namespace is the UUIDv5 namespace of command ids. Changing it changes every id, which breaks
// deduplication of commands retried across the change: never change it.
var Namespace = uuid.MustParse("17d908c8-374b-4a34-b076-99597e04b269")

// Labels of the subkeys derived from the secret: one per use, so that a workflow id's mac, a
// command id and a request digest never share a key. Changing one changes every id or digest
// made with it, like rotating the secret.
const (
	labelWorkflowMAC   = "provision/command/workflow-mac/v1"
	labelCommandID     = "provision/command/id/v1"
	labelRequestDigest = "provision/command/request-digest/v1"
)

// Workflows holds the platform's shared secret (WORKFLOW_KEY) and makes what needs it: workflow
// ids (Issue, Parse), the ids of commands made from the request (NewID) and request digests
// (Fingerprint). Every service that submits commands, and the ingress, must hold the same secret:
// a retry reaching another replica gets the same id, and digests compare across them.
type Workflows struct {
	macKey, idKey, digestKey []byte
}

// NewWorkflows returns a Workflows keyed with key, which must be secret and the same on every
// ingress replica and every service that submits commands. Rotating it changes every id and
// digest made from a request, and every workflow id.
func NewWorkflows(key string) Workflows {
	return Workflows{
		macKey:    subkey(key, labelWorkflowMAC),
		idKey:     subkey(key, labelCommandID),
		digestKey: subkey(key, labelRequestDigest),
	}
}

// subkey is HMAC-SHA256(secret, label).
func subkey(secret, label string) []byte {
	return keyed([]byte(secret), []byte(label))
}

func keyed(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// NewID returns the id of a command made from the request: a UUIDv5 whose name is an
// HMAC-SHA256, under the command id subkey, of org, operation, target, the request's correlation
// id and its canonical body. The same request retried gets the same id; any difference, however
// it is spread across the fields, gives another; without the secret the id tells nothing of the
// request.
func (w Workflows) NewID(org, operation, target, correlationID string, canonicalBody []byte) string {
	name := keyed(w.idKey, encode([]byte(org), []byte(operation), []byte(target), []byte(correlationID), canonicalBody))
	return uuid.NewSHA1(Namespace, name).String()
}

// Fingerprint is the digest of what a request asks for: the hex HMAC-SHA256, under the digest
// subkey, of its operation, its target and its canonical body. Two requests under one id are the
// same request exactly when their fingerprints are equal; without the secret the fingerprint
// tells nothing of the request.
func (w Workflows) Fingerprint(operation, target string, canonicalBody []byte) string {
	return hex.EncodeToString(keyed(w.digestKey, encode([]byte(operation), []byte(target), canonicalBody)))
}

// encode length-prefixes each field so that ("ab","c") and ("a","bc") differ.
func encode(fields ...[]byte) []byte {
	n := 0
	for _, f := range fields {
		n += 8 + len(f)
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}
