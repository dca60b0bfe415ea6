package logging

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Redacted replaces personal data in log lines.
const Redacted = "[REDACTED]"

// NewRedactHook returns the hook that removes personal data from the message and every field
// before a line is written: fields named after personal data lose their whole value, and any other
// text has emails, phone numbers, identity documents, IMEIs and bank accounts replaced.
func NewRedactHook() logrus.Hook { return redactHook{} }

type redactHook struct{}

func (redactHook) Levels() []logrus.Level { return logrus.AllLevels }

func (redactHook) Fire(e *logrus.Entry) error {
	e.Message = Redact(e.Message)
	for k, v := range e.Data {
		e.Data[k] = redactField(k, v)
	}
	return nil
}

// idFields carry the ids that tie log lines together; they are never rewritten, so a look-alike
// (an id made only of digits) cannot break the correlation.
var idFields = map[string]bool{
	FieldService:        true,
	FieldCorrelationID:  true,
	FieldEventID:        true,
	FieldCEType:         true,
	FieldOrg:            true,
	FieldSubscriptionID: true,
}

// personalKeys are field names (lower case, separators removed) whose value is personal data
// whatever it looks like.
var personalKeys = map[string]bool{
	"email": true, "phone": true, "msisdn": true, "name": true, "firstname": true, "surname": true,
	"address": true, "zipcode": true, "documentid": true, "document": true, "dni": true, "nie": true,
	"imei": true, "iban": true, "accountnumber": true, "bankaccount": true,
}

// personalSuffixes also catch prefixed names such as user_email or device_imei; "name" and
// "address" are left out because service_name or broker_address are not personal.
var personalSuffixes = []string{"email", "phone", "msisdn", "imei", "iban", "dni"}

func isPersonalKey(k string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
	if personalKeys[n] || strings.HasPrefix(n, "lastname") {
		return true
	}
	for _, s := range personalSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

func redactField(k string, v any) any {
	if idFields[k] {
		return v
	}
	if isPersonalKey(k) {
		return Redacted
	}
	return redactValue(v)
}

func redactValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return Redact(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = Redact(s)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = redactValue(s)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, s := range x {
			if isPersonalKey(k) {
				out[k] = Redacted
			} else {
				out[k] = Redact(s)
			}
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, s := range x {
			out[k] = redactField(k, s)
		}
		return out
	case time.Time, time.Duration:
		return v
	case error:
		// Keep the error value (the formatter prints it) unless its text had to change.
		if s := x.Error(); Redact(s) != s {
			return Redact(s)
		}
		return v
	case fmt.Stringer:
		if s := x.String(); Redact(s) != s {
			return Redact(s)
		}
		return v
	}
	return v
}

var (
	// UUIDs and RFC 3339 times are cut out before the patterns run: their digit groups could
	// otherwise look like a phone number split by hyphens.
	protected = regexp.MustCompile(
		`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b` +
			`|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?`)

	// Order matters: longer digit runs (accounts, IMEIs) go before the 9-digit phone pattern.
	personal = []*regexp.Regexp{
		// email
		regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`),
		// IBAN: country, check digits, 11 to 30 alphanumerics (the shortest IBAN has 15
		// characters), optionally in groups of four; shorter ids such as policy numbers are kept
		regexp.MustCompile(`\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,6}[ ]?[A-Z0-9]{3,4}(?:[ ]?[A-Z0-9]{1,4})?\b`),
		// Spanish IBAN in any case; only digits follow ES, so lowercase hex ids are not caught
		regexp.MustCompile(`(?i)\bES\d{2}(?:[ -]?\d{4}){5}\b`),
		// Spanish CCC: 20 digits, optionally grouped 4-4-2-10
		regexp.MustCompile(`\b\d{4}[ -]?\d{4}[ -]?\d{2}[ -]?\d{10}\b`),
		// IMEI: 15 digits, plain or as AA-BBBBBB-CCCCCC-D
		regexp.MustCompile(`\b\d{15}\b|\b\d{2}[ -]\d{6}[ -]\d{6}[ -]\d\b`),
		// E.164 phone, with optional single spaces or hyphens between digits
		regexp.MustCompile(`\+\d(?:[ -]?\d){7,14}\b`),
		// NIE: X, Y or Z, 7 digits, control letter
		regexp.MustCompile(`(?i)\b[XYZ][ -]?\d{7}[ -]?[A-Z]\b`),
		// DNI: 8 digits, control letter
		regexp.MustCompile(`(?i)\b\d{8}[ -]?[A-Z]\b`),
		// Spanish mobile or landline: 9 digits starting 6, 7, 8 or 9, optionally grouped, with an
		// optional 0034/34 prefix
		regexp.MustCompile(`\b(?:0034[ -]?|34[ -]?)?[6-9](?:[ -]?\d){8}\b`),
	}
)

// Redact replaces personal data found in s (emails, phone numbers, Spanish DNI/NIE, IMEIs, IBANs
// and CCC bank accounts) with [REDACTED]. UUIDs and RFC 3339 times are left intact.
func Redact(s string) string {
	if s == "" {
		return s
	}
	spans := protected.FindAllStringIndex(s, -1)
	if spans == nil {
		return redactText(s)
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(redactText(s[last:sp[0]]))
		b.WriteString(s[sp[0]:sp[1]])
		last = sp[1]
	}
	b.WriteString(redactText(s[last:]))
	return b.String()
}

func redactText(s string) string {
	if !strings.ContainsAny(s, "0123456789@") {
		return s
	}
	for _, re := range personal {
		s = re.ReplaceAllLiteralString(s, Redacted)
	}
	return s
}
