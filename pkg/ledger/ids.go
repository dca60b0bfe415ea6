package ledger

import (
	"fmt"

	"github.com/google/uuid"
)

// EventID derives the id of the n-th event a command produces, stable across redeliveries.
func EventID(commandID string, n int) string {
	return uuid.NewSHA1(eventNamespace, fmt.Appendf(nil, "%s/%d", commandID, n)).String()
}

// ChildID derives the id of a sub-command that a command runs for one of several aggregates.
func ChildID(commandID, aggregateID string) string {
	return uuid.NewSHA1(childNamespace, []byte(commandID+"\x00"+aggregateID)).String()
}

var childNamespace = uuid.MustParse("0b8f3c1d-7a2e-4f55-8c1b-5d9e2a7f6c30")

var eventNamespace = uuid.MustParse("6f1c0a52-3c1e-4d8e-9a57-0e7f3d1b2c44")
