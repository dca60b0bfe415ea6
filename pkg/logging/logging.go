// Package logging builds the logrus logger every service uses: JSON lines, fixed field names, and
// a hook that redacts personal data before anything is written.
package logging

import (
	"context"
	"io"
	"os"

	"github.com/sirupsen/logrus"
)

// Field names shared by every service, so one query finds a command across all of them.
const (
	FieldService        = "service"
	FieldCorrelationID  = "correlation_id"
	FieldEventID        = "event_id"
	FieldCEType         = "ce_type"
	FieldOrg            = "org"
	FieldSubscriptionID = "subscription_id"
)

// New returns a JSON logger for service at level (debug, info, warn, error; default info).
func New(service, level string) *logrus.Logger {
	return NewWithOutput(service, level, os.Stdout)
}

// NewWithOutput is New writing to out; tests use it to inspect lines.
func NewWithOutput(service, level string, out io.Writer) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(out)
	l.SetFormatter(jsonFormatter{})
	lv, err := logrus.ParseLevel(level)
	if err != nil {
		lv = logrus.InfoLevel
	}
	l.SetLevel(lv)
	l.AddHook(serviceHook(service))
	l.AddHook(NewRedactHook())
	return l
}

type serviceHook string

func (serviceHook) Levels() []logrus.Level { return logrus.AllLevels }
func (h serviceHook) Fire(e *logrus.Entry) error {
	e.Data[FieldService] = string(h)
	return nil
}

type ctxKey struct{}

// WithLogger stores a log entry (usually carrying correlation fields) in ctx.
func WithLogger(ctx context.Context, e *logrus.Entry) context.Context {
	return context.WithValue(ctx, ctxKey{}, e)
}

// FromContext returns the entry stored by WithLogger, or one on the standard logger.
func FromContext(ctx context.Context) *logrus.Entry {
	if e, ok := ctx.Value(ctxKey{}).(*logrus.Entry); ok && e != nil {
		return e.WithContext(ctx)
	}
	return logrus.NewEntry(logrus.StandardLogger()).WithContext(ctx)
}
