package logging

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// The formatter must write what logrus's JSONFormatter, configured as the services had it, writes:
// log queries and dashboards were built on those lines.
func TestFormatterWritesWhatLogrusJSONFormatterWrites(t *testing.T) {
	reference := &logrus.JSONFormatter{
		TimestampFormat: timeLayout,
		FieldMap:        logrus.FieldMap{logrus.FieldKeyMsg: keyMessage},
	}
	at := time.Date(2026, 11, 27, 21, 4, 5, 678900000, time.FixedZone("CET", 3600))
	tests := map[string]struct {
		msg  string
		data logrus.Fields
	}{
		"no fields": {msg: "consumer started"},
		"the platform's fields": {msg: "operation recorded", data: logrus.Fields{
			FieldService: "disney", FieldCorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b", FieldOrg: "masmovil",
			"partition": 3, "offset": int64(1234567890123), "version": int32(7), "retry_in": 250 * time.Millisecond,
			"ok": true, "count": uint64(42),
		}},
		"error values are their text": {msg: "commit failed", data: logrus.Fields{"error": errors.New(`broker said "no" <again> & again`)}},
		"escapes": {msg: "line\nbreak\ttab \"quoted\" back\\slash \x01\x1f <html> & ünïcödé \u2028\u2029 bad\xffutf8", data: logrus.Fields{
			"path": "/v2/orgs/masmovil/tv/disney?x=<y>&z", "empty": "",
		}},
		"other types go through encoding/json": {msg: "m", data: logrus.Fields{
			"ratio": 0.1, "big": 1e21, "at": at, "list": []string{"a", "<b>"}, "map": map[string]int{"b": 2, "a": 1}, "nil": nil,
		}},
		"fields named like the fixed keys are renamed": {msg: "clash", data: logrus.Fields{"time": "t", "message": "m", "level": "l"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, lvl := range []logrus.Level{logrus.InfoLevel, logrus.WarnLevel, logrus.ErrorLevel} {
				e := &logrus.Entry{Logger: logrus.New(), Data: tc.data, Time: at, Level: lvl, Message: tc.msg}
				if e.Data == nil {
					e.Data = logrus.Fields{}
				}
				want, err := reference.Format(e)
				if err != nil {
					t.Fatal(err)
				}
				e.Buffer = &bytes.Buffer{}
				got, err := jsonFormatter{}.Format(e)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("line differs:\ngot  %s\nwant %s", got, want)
				}
			}
		})
	}
}

func TestFormatterReportsUnencodableFields(t *testing.T) {
	e := &logrus.Entry{Logger: logrus.New(), Data: logrus.Fields{"ch": make(chan int)}, Time: time.Now(), Message: "m"}
	if _, err := (jsonFormatter{}).Format(e); err == nil {
		t.Fatal("a channel field was encoded")
	}
}

func BenchmarkFormatter(b *testing.B) {
	data := logrus.Fields{
		FieldService: "ingress", FieldCorrelationID: "2106f808-36e9-402d-bf37-f1f7fa04776b", FieldOrg: "masmovil",
		"method": "POST", "route": "/v2/orgs/:org/tv/disney/users/:user_id", "status": 202, "duration_ms": 1.234, "bytes": 180,
	}
	for name, f := range map[string]logrus.Formatter{
		"logrus": &logrus.JSONFormatter{TimestampFormat: timeLayout, FieldMap: logrus.FieldMap{logrus.FieldKeyMsg: keyMessage}},
		"append": jsonFormatter{},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				e := &logrus.Entry{Data: data, Time: time.Now(), Level: logrus.InfoLevel, Message: "request", Buffer: &buf}
				if _, err := f.Format(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
