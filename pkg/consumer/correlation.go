package consumer

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"

	"provision.local/pkg/cekafka"
	"provision.local/pkg/logging"
)

// ExtOrg is the extension naming the tenant organisation.
const ExtOrg = "org"

// Correlation puts a log entry into ctx (logging.WithLogger) carrying the message's correlation
// id, event id, type, org and subscription id, so every line logged while handling it can be
// found by one query. Outermost in the chain: the other middleware log through it.
func Correlation(log *logrus.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) ([]Output, error) {
			return next(logging.WithLogger(ctx, messageEntry(log, msg)), msg)
		}
	}
}

// messageEntry is the log entry for one message; fields the message lacks are left out.
func messageEntry(log *logrus.Logger, msg Message) *logrus.Entry {
	if log == nil {
		log = logrus.StandardLogger()
	}
	f := logrus.Fields{
		"topic":     msg.Record.Topic,
		"partition": msg.Record.Partition,
		"offset":    msg.Record.Offset,
	}
	e := msg.Event
	if e.Context == nil {
		return log.WithFields(f)
	}
	put := func(field, value string) {
		if value != "" {
			f[field] = value
		}
	}
	put(logging.FieldEventID, e.ID())
	put(logging.FieldCEType, e.Type())
	put(logging.FieldCorrelationID, extension(e.Extensions(), cekafka.ExtCorrelationID))
	put(logging.FieldOrg, extension(e.Extensions(), ExtOrg))
	put(logging.FieldSubscriptionID, extension(e.Extensions(), cekafka.ExtPartitionKey))
	return log.WithFields(f)
}

func extension(exts map[string]interface{}, name string) string {
	v, ok := exts[name]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
