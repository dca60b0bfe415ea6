package command_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"provision.local/pkg/command"
)

type idInput struct {
	org, operation, target, correlationID string
	body                                  []byte
}

// keys is the platform's secret in these tests.
var keys = command.NewWorkflows("k3y")

func (in idInput) id() string {
	return keys.NewID(in.org, in.operation, in.target, in.correlationID, in.body)
}

var base = idInput{
	org:           "yoigo",
	operation:     "disney.subscription.create",
	target:        "MOO1664367665504",
	correlationID: "2106f808-36e9-402d-bf37-f1f7fa04776b",
	body:          []byte(`{"products":["com.disney.yoigo.es.bundle.basic"],"subscriptionId":"ENT1664367665579"}`),
}

func TestNewIDDeterministic(t *testing.T) {
	id := base.id()
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 5 || u.String() != id {
		t.Fatalf("id %q is not a canonical UUIDv5 (%v)", id, err)
	}
	retry := base
	retry.body = append([]byte(nil), base.body...)
	if got := retry.id(); got != id {
		t.Fatalf("retried request got %s, want %s", got, id)
	}
	// Frozen value: a change of namespace, subkey label or encoding would break deduplication
	// of commands retried across a deployment.
	if want := "c769582e-7ae9-5e16-8e36-033fd89cba3d"; id != want {
		t.Fatalf("id = %s, want the frozen %s", id, want)
	}
	if other := command.NewWorkflows("other").NewID(base.org, base.operation, base.target, base.correlationID, base.body); other == id {
		t.Fatalf("another secret gives the same id %s", id)
	}
}

func TestNewIDDiffers(t *testing.T) {
	tests := []struct {
		name string
		a, b idInput
	}{
		{"otherOrgDiffers", base, with(base, func(in *idInput) { in.org = "masmovil" })},
		{"otherOperationDiffers", base, with(base, func(in *idInput) { in.operation = "disney.subscription.suspend" })},
		{"otherTargetDiffers", base, with(base, func(in *idInput) { in.target = "MOO1" })},
		{"otherCorrelationDiffers", base, with(base, func(in *idInput) { in.correlationID = "other" })},
		{"otherBodyDiffers", base, with(base, func(in *idInput) { in.body = []byte(`{}`) })},
		{
			"boundaryShiftDiffers",
			idInput{org: "ab", operation: "c"},
			idInput{org: "a", operation: "bc"},
		},
		{
			"separatorInFieldDiffers",
			idInput{org: "a|b", operation: "c"},
			idInput{org: "a", operation: "b|c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.a.id() == tc.b.id() {
				t.Fatalf("%+v and %+v share id %s", tc.a, tc.b, tc.a.id())
			}
		})
	}
}

func with(in idInput, f func(*idInput)) idInput {
	f(&in)
	return in
}

func TestWorkflowsRoundTrip(t *testing.T) {
	w := command.NewWorkflows("k3y")
	cmd := base.id()
	for _, provider := range []string{"disney", "netflix", "device-insurance"} {
		t.Run(provider+"Parsed", func(t *testing.T) {
			id := w.Issue(provider, "yoigo", cmd)
			if !regexp.MustCompile(`^wf-` + provider + `-` + cmd + `-[0-9a-f]{16}$`).MatchString(id) {
				t.Fatalf("workflow id %q has the wrong shape", id)
			}
			p, c, err := w.Parse("yoigo", id)
			if err != nil || p != provider || c != cmd {
				t.Fatalf("Parse = %q, %q, %v; want %q, %q", p, c, err, provider, cmd)
			}
			if again := w.Issue(provider, "yoigo", cmd); again != id {
				t.Errorf("Issue not deterministic: %s then %s", id, again)
			}
		})
	}
}

func TestWorkflowsFrozenMac(t *testing.T) {
	// Computed independently; a change here invalidates every workflow id clients hold.
	const want = "wf-disney-c769582e-7ae9-5e16-8e36-033fd89cba3d-b8feca3715e74fa9"
	if got := keys.Issue("disney", "yoigo", base.id()); got != want {
		t.Fatalf("Issue = %s, want %s", got, want)
	}
}

func TestWorkflowsRejects(t *testing.T) {
	w := command.NewWorkflows("k3y")
	cmd := base.id()
	good := w.Issue("disney", "yoigo", cmd)
	mac := good[len(good)-16:]
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	otherCmd := with(base, func(in *idInput) { in.target = "x" }).id()
	tests := []struct {
		name string
		org  string
		id   string
	}{
		{"errOtherOrg", "masmovil", good},
		{"errOtherKey", "yoigo", command.NewWorkflows("other").Issue("disney", "yoigo", cmd)},
		{"errTamperedMac", "yoigo", flip(good, len(good)-1)},
		{"errTamperedCommandID", "yoigo", "wf-disney-" + otherCmd + "-" + mac},
		{"errTamperedProvider", "yoigo", "wf-netflix-" + cmd + "-" + mac},
		{"errUpperCaseCommandID", "yoigo", "wf-disney-" + strings.ToUpper(cmd) + "-" + mac},
		{"errUpperCaseMac", "yoigo", "wf-disney-" + cmd + "-" + strings.ToUpper(mac)},
		{"errShortMac", "yoigo", good[:len(good)-1]},
		{"errLongMac", "yoigo", good + "0"},
		{"errNoPrefix", "yoigo", strings.TrimPrefix(good, "wf-")},
		{"errEmptyProvider", "yoigo", "wf--" + cmd + "-" + mac},
		{"errNotUUID", "yoigo", "wf-disney-" + strings.Repeat("z", 36) + "-" + mac},
		{"errMissingSeparator", "yoigo", "wf-disney-" + cmd + "x" + mac},
		{"errEmpty", "yoigo", ""},
		{"errPrefixOnly", "yoigo", "wf-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c, err := w.Parse(tc.org, tc.id)
			if !errors.Is(err, command.ErrUnknownWorkflow) {
				t.Fatalf("Parse(%q, %q) = %q, %q, %v; want ErrUnknownWorkflow", tc.org, tc.id, p, c, err)
			}
			if p != "" || c != "" {
				t.Errorf("rejected id still returned %q, %q", p, c)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name, header, want string
		ok                 bool
	}{
		{name: "bareUUID", header: "8e03978e-40d5-43e8-bc93-6894a57f9324", want: "8e03978e-40d5-43e8-bc93-6894a57f9324", ok: true},
		{name: "structuredString", header: `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, want: "8e03978e-40d5-43e8-bc93-6894a57f9324", ok: true},
		{name: "structuredStringWithEscapes", header: `"a\"b\\c"`, want: `a"b\c`, ok: true},
		{name: "surroundingSpaceTrimmed", header: "  key-1 ", want: "key-1", ok: true},
		{name: "innerSpaceKept", header: "order 42", want: "order 42", ok: true},
		{name: "longestAllowed", header: strings.Repeat("k", command.MaxKeyLen), want: strings.Repeat("k", command.MaxKeyLen), ok: true},
		{name: "emptyRefused", header: ""},
		{name: "blankRefused", header: "   "},
		{name: "emptyQuotedRefused", header: `""`},
		{name: "blankQuotedRefused", header: `"  "`},
		{name: "tooLongRefused", header: strings.Repeat("k", command.MaxKeyLen+1)},
		{name: "controlCharacterRefused", header: "a\tb"},
		{name: "nonASCIIRefused", header: "clé"},
		{name: "unterminatedQuoteRefused", header: `"abc`},
		{name: "badEscapeRefused", header: `"a\nb"`},
		{name: "innerQuoteRefused", header: `"a"b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := command.ParseKey(tc.header)
			if tc.ok != (err == nil) || got != tc.want {
				t.Fatalf("ParseKey(%q) = %q, %v; want %q, ok=%v", tc.header, got, err, tc.want, tc.ok)
			}
			if err != nil && !errors.Is(err, command.ErrInvalidKey) {
				t.Fatalf("error %v is not ErrInvalidKey", err)
			}
		})
	}
}

func TestNewKeyedID(t *testing.T) {
	id := command.NewKeyedID("yoigo", "disney", "key-1")
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 5 || u.String() != id {
		t.Fatalf("id %q is not a canonical UUIDv5 (%v)", id, err)
	}
	if again := command.NewKeyedID("yoigo", "disney", "key-1"); again != id {
		t.Fatalf("same key got %s then %s", id, again)
	}
	// Frozen value: a change of namespace or encoding would break deduplication across a deployment.
	if want := "4e8218d8-c5bd-5a75-94b3-1b1e4f530f9b"; id != want {
		t.Fatalf("id = %s, want the frozen %s", id, want)
	}
	for name, other := range map[string]string{
		"otherOrgDiffers":      command.NewKeyedID("masmovil", "disney", "key-1"),
		"otherProviderDiffers": command.NewKeyedID("yoigo", "netflix", "key-1"),
		"otherKeyDiffers":      command.NewKeyedID("yoigo", "disney", "key-2"),
		"boundaryShiftDiffers": command.NewKeyedID("yoigo", "disneyk", "ey-1"),
		"derivedIDDiffers":     keys.NewID("yoigo", "disney", "key-1", "", nil),
	} {
		if other == id {
			t.Errorf("%s: shares id %s", name, id)
		}
	}
}

func TestFingerprint(t *testing.T) {
	body := []byte(`{"products":["a"]}`)
	fp := keys.Fingerprint("disney.create", "MOO1/ENT1", body)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q is not hex HMAC-SHA256", fp)
	}
	if again := command.NewWorkflows("k3y").Fingerprint("disney.create", "MOO1/ENT1", append([]byte(nil), body...)); again != fp {
		t.Fatalf("same request got %s then %s", fp, again)
	}
	// Frozen value: the ledger compares a retry's digest with the one it recorded.
	if want := "2712a4dd7b5f52177d0a16513a49aa2dbd92a5166f094709d43ed32a993f273a"; fp != want {
		t.Fatalf("fingerprint = %s, want the frozen %s", fp, want)
	}
	for name, other := range map[string]string{
		"otherSecretDiffers":    command.NewWorkflows("other").Fingerprint("disney.create", "MOO1/ENT1", body),
		"otherOperationDiffers": keys.Fingerprint("disney.suspend", "MOO1/ENT1", body),
		"otherTargetDiffers":    keys.Fingerprint("disney.create", "MOO1/ENT2", body),
		"otherBodyDiffers":      keys.Fingerprint("disney.create", "MOO1/ENT1", []byte(`{"products":["b"]}`)),
		"boundaryShiftDiffers":  keys.Fingerprint("disney.create", "MOO1/ENT1{", []byte(`"products":["a"]}`)),
	} {
		if other == fp {
			t.Errorf("%s: shares fingerprint %s", name, fp)
		}
	}
}
