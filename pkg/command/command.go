// Package command gives commands their identity: a deterministic id, so that a retried HTTP
// request becomes the same command, or an id made from the client's idempotency key together with
// the request's fingerprint (key.go), and a signed workflow id, so that the ingress can tell an id
// it issued for an org from a made-up one.
package command

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// Namespace is the UUIDv5 namespace of command ids. Changing it changes every id, which breaks
// deduplication of commands retried across the change: never change it.
var Namespace = uuid.MustParse("17d908c8-374b-4a34-b076-99597e04b269")

// NewID returns the command's id: a UUIDv5 over org, operation, target, the request's correlation
// id and its canonical body. The same request retried gets the same id; any difference, however
// it is spread across the fields, gives another.
func NewID(org, operation, target, correlationID string, canonicalBody []byte) string {
	return uuid.NewSHA1(Namespace, encode([]byte(org), []byte(operation), []byte(target), []byte(correlationID), canonicalBody)).String()
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

// ErrUnknownWorkflow is returned for a workflow id that is malformed, forged, or issued for
// another org. Callers answer all three the same way (not found) so ids cannot be probed.
var ErrUnknownWorkflow = errors.New("unknown workflow")

const (
	workflowPrefix = "wf-"
	macHexLen      = 16
	uuidLen        = 36
)

// Workflows issues and verifies workflow ids: wf-<provider>-<command id>-<mac>, where mac is the
// first 16 hex digits of HMAC-SHA256(key, provider, org, command id). The org is signed but not
// shown, so an id is valid only for the org it was issued to.
type Workflows struct {
	key []byte
}

// NewWorkflows returns a Workflows signing with key, which must be secret and the same on every
// ingress replica.
func NewWorkflows(key string) Workflows {
	return Workflows{key: []byte(key)}
}

// Issue returns the workflow id of commandID (a command id from NewID) for org at provider.
func (w Workflows) Issue(provider, org, commandID string) string {
	return workflowPrefix + provider + "-" + commandID + "-" + w.mac(provider, org, commandID)
}

// Parse checks that workflowID was issued by Issue for org and returns its provider and command
// id. The mac is compared in constant time.
func (w Workflows) Parse(org, workflowID string) (provider, commandID string, err error) {
	rest, ok := strings.CutPrefix(workflowID, workflowPrefix)
	// Shortest: one-letter provider, '-', UUID, '-', mac.
	if !ok || len(rest) < 1+1+uuidLen+1+macHexLen {
		return "", "", ErrUnknownWorkflow
	}
	mac := rest[len(rest)-macHexLen:]
	rest = rest[:len(rest)-macHexLen-1]
	if workflowID[len(workflowPrefix)+len(rest)] != '-' {
		return "", "", ErrUnknownWorkflow
	}
	// The command id is a canonical UUID, so it is the fixed-length tail; the provider is what
	// precedes it.
	commandID = rest[len(rest)-uuidLen:]
	provider, ok = strings.CutSuffix(rest[:len(rest)-uuidLen], "-")
	if !ok || provider == "" {
		return "", "", ErrUnknownWorkflow
	}
	if u, err := uuid.Parse(commandID); err != nil || u.String() != commandID {
		return "", "", ErrUnknownWorkflow
	}
	if !hmac.Equal([]byte(mac), []byte(w.mac(provider, org, commandID))) {
		return "", "", ErrUnknownWorkflow
	}
	return provider, commandID, nil
}

func (w Workflows) mac(provider, org, commandID string) string {
	h := hmac.New(sha256.New, w.key)
	h.Write(encode([]byte(provider), []byte(org), []byte(commandID)))
	return hex.EncodeToString(h.Sum(nil))[:macHexLen]
}
