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

func (in idInput) id() string {
	return command.NewID(in.org, in.operation, in.target, in.correlationID, in.body)
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
	// Frozen value: a change of namespace or encoding would break deduplication of commands
	// retried across a deployment.
	if want := "c6c74702-85a5-53d0-8fa0-ae91cd309afb"; id != want {
		t.Fatalf("id = %s, want the frozen %s", id, want)
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
	const want = "wf-disney-c6c74702-85a5-53d0-8fa0-ae91cd309afb-1bb67a677a5dc775"
	if got := command.NewWorkflows("k3y").Issue("disney", "yoigo", base.id()); got != want {
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
