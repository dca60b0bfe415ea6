package command

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// ErrUnknownWorkflow is returned for a workflow id that is malformed, forged, or issued for
// another org. Callers answer all three the same way (not found) so ids cannot be probed.
var ErrUnknownWorkflow = errors.New("unknown workflow")

const (
	workflowPrefix = "wf-"
	macHexLen      = 16
	uuidLen        = 36
)

// Issue returns the workflow id of commandID for org at provider: wf-<provider>-<command id>-<mac>,
// where mac is the first 16 hex digits of HMAC-SHA256 over (provider, org, command id) under the
// workflow subkey. The org is signed but not shown, so an id is valid only for the org it was
// issued to.
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
	return hex.EncodeToString(keyed(w.macKey, encode([]byte(provider), []byte(org), []byte(commandID))))[:macHexLen]
}
