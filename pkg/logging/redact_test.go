package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"provision.local/pkg/logging"
)

func TestRedact(t *testing.T) {
	const r = logging.Redacted
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"emailRedacted", "contact jane.doe+tv@example.co.uk now", "contact " + r + " now"},
		{"e164PhoneRedacted", "call +34600111222", "call " + r},
		{"e164PhoneWithSpacesRedacted", "call +34 600 111 222.", "call " + r + "."},
		{"spanishMobileRedacted", "msisdn 600111222 ok", "msisdn " + r + " ok"},
		{"spanishMobileGroupedRedacted", "tel 600 11 12 22", "tel " + r},
		{"spanishLandlineRedacted", "tel 912345678", "tel " + r},
		{"spanishMobileWithPrefixRedacted", "tel 0034 712345678", "tel " + r},
		{"dniRedacted", "dni 12345678Z given", "dni " + r + " given"},
		{"dniWithHyphenRedacted", "12345678-z", r},
		{"nieRedacted", "nie X1234567L", "nie " + r},
		{"nieLowerCaseRedacted", "y-1234567-x", r},
		{"imeiRedacted", "imei=356938035643809", "imei=" + r},
		{"imeiGroupedRedacted", "35-209900-176148-1", r},
		{"ibanWithSpacesRedacted", "iban ES91 2100 0418 4502 0005 1332 end", "iban " + r + " end"},
		{"ibanCompactRedacted", "ES9121000418450200051332", r},
		{"ibanLowerCaseRedacted", "es91 2100 0418 4502 0005 1332", r},
		{"foreignIbanRedacted", "GB29 NWBK 6016 1331 9268 19", r},
		{"shortestIbanRedacted", "NO9386011117947", r},
		{"longestIbanRedacted", "LC55HEMM000100010012001200023015", r},
		{"policyNumberKept", "policies/DI0000000003/suspend", "policies/DI0000000003/suspend"},
		{"cccRedacted", "account 2100 0418 45 0200051332", "account " + r},
		{"cccCompactRedacted", "21000418450200051332", r},
		{"severalInOneMessage", "a@b.es and 600111222", r + " and " + r},
		{"uuidKept", "id 2106f808-36e9-402d-bf37-f1f7fa04776b", "id 2106f808-36e9-402d-bf37-f1f7fa04776b"},
		{"allDigitUUIDKept", "12345678-9012-6345-8678-901234567890", "12345678-9012-6345-8678-901234567890"},
		{"rfc3339Kept", "at 2024-06-15T10:30:00Z", "at 2024-06-15T10:30:00Z"},
		{"rfc3339NanoOffsetKept", "2024-06-15T10:30:00.123456789+02:00", "2024-06-15T10:30:00.123456789+02:00"},
		{"entitlementIDKept", "ENT1664367665579 MOO1664367665504", "ENT1664367665579 MOO1664367665504"},
		{"workflowIDKept", "wf-disney-2106f808-36e9-402d-bf37-f1f7fa04776b-ab12cdef01234567", "wf-disney-2106f808-36e9-402d-bf37-f1f7fa04776b-ab12cdef01234567"},
		{"shortNumbersKept", "status 503 after 1500 ms, 3 retries", "status 503 after 1500 ms, 3 retries"},
		{"longerDigitRunKept", "offset 123456789012", "offset 123456789012"},
		{"nineDigitsNotPhonePrefixKept", "count 512345678", "count 512345678"},
		{"emptyKept", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := logging.Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestRedactHook(t *testing.T) {
	const r = logging.Redacted
	when := time.Date(2024, 6, 15, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		key   string
		value any
		want  any // as decoded from the JSON line
	}{
		{"emailFieldRedactedWhole", "email", "not-even-an-email", r},
		{"upperCaseKeyRedacted", "EMAIL", "x", r},
		{"camelCaseLastNameRedacted", "lastName2", "García", r},
		{"snakeFirstNameRedacted", "first_name", "Ana", r},
		{"nameRedacted", "name", "Ana", r},
		{"surnameRedacted", "surname", "García", r},
		{"addressRedacted", "address", "Calle Mayor 1", r},
		{"zipCodeRedacted", "zip_code", "28001", r},
		{"documentIDRedacted", "documentId", "whatever", r},
		{"documentRedacted", "document", "whatever", r},
		{"dniKeyRedacted", "dni", "x", r},
		{"nieKeyRedacted", "NIE", "x", r},
		{"imeiKeyRedacted", "imei", 356938035643809, r},
		{"ibanKeyRedacted", "iban", "x", r},
		{"accountNumberRedacted", "account_number", "x", r},
		{"bankAccountRedacted", "bankAccount", "x", r},
		{"msisdnRedacted", "msisdn", 600111222, r},
		{"phoneRedacted", "phone", "x", r},
		{"prefixedEmailRedacted", "netflix_email", "x", r},
		{"prefixedPhoneRedacted", "netflix_phone", "x", r},
		{"stringValueScanned", "detail", "sent to a@b.es", "sent to " + r},
		{"errorValueScanned", "error", errors.New("partner rejected 600111222"), "partner rejected " + r},
		{"plainErrorKept", "error", errors.New("timeout"), "timeout"},
		{"stringSliceScanned", "list", []string{"ok", "a@b.es"}, []any{"ok", r}},
		{"stringerScanned", "who", stringer("X1234567L"), r},
		{"mapScanned", "body", map[string]any{"email": "x", "note": "600111222", "n": 1}, map[string]any{"email": r, "note": r, "n": float64(1)}},
		{"correlationIDKept", logging.FieldCorrelationID, "600111222", "600111222"},
		{"subscriptionIDKept", logging.FieldSubscriptionID, "600111222", "600111222"},
		{"eventIDUUIDKept", logging.FieldEventID, "2106f808-36e9-402d-bf37-f1f7fa04776b", "2106f808-36e9-402d-bf37-f1f7fa04776b"},
		{"uuidInOtherFieldKept", "run_id", "2106f808-36e9-402d-bf37-f1f7fa04776b", "2106f808-36e9-402d-bf37-f1f7fa04776b"},
		{"timeValueKept", "at", when, "2024-06-15T10:30:00Z"},
		{"rfc3339StringKept", "at", "2024-06-15T10:30:00Z", "2024-06-15T10:30:00Z"},
		{"serviceNameKept", "service_name", "disney", "disney"},
		{"numberKept", "status", 202, float64(202)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := logging.NewWithOutput("test", "info", &buf)
			log.WithField(tc.key, tc.value).Info("hello")
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("decode %q: %v", buf.String(), err)
			}
			if got := line[tc.key]; fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s = %#v, want %#v", tc.key, got, tc.want)
			}
		})
	}
}

func TestRedactHookMessageAndCallerFieldsUntouched(t *testing.T) {
	var buf bytes.Buffer
	log := logging.NewWithOutput("test", "info", &buf)
	fields := logrus.Fields{"email": "a@b.es"}
	log.WithFields(fields).Infof("user %s called from %s", "a@b.es", "+34600111222")
	out := buf.String()
	if strings.Contains(out, "a@b.es") || strings.Contains(out, "600111222") {
		t.Fatalf("personal data in line: %s", out)
	}
	if !strings.Contains(out, `"message":"user [REDACTED] called from [REDACTED]"`) {
		t.Fatalf("message not redacted as expected: %s", out)
	}
	// The caller's own fields must not be rewritten behind its back.
	if fields["email"] != "a@b.es" {
		t.Fatalf("caller's fields mutated: %v", fields)
	}
}
