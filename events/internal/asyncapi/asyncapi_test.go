package asyncapi

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"provision.local/events"
)

const committed = "../../asyncapi.yaml"

func TestCommittedDocument_IsUpToDate(t *testing.T) {
	want, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("events/asyncapi.yaml is stale: run make generate and commit it")
	}
}

// doc is the committed document, as plain data.
func doc(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatalf("not YAML: %v", err)
	}
	return d
}

func at(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %v in the document", path)
		}
		v = m[p]
	}
	return v
}

func TestDocument_DescribesEveryTopicAndType(t *testing.T) {
	d := doc(t)
	if d["asyncapi"] != "3.0.0" {
		t.Errorf("asyncapi = %v", d["asyncapi"])
	}
	channels := at(t, d, "channels").(map[string]any)
	addresses := map[string]string{}
	for id, c := range channels {
		addresses[at(t, c, "address").(string)] = id
	}
	if _, ok := addresses[events.TopicDeadLetter]; !ok {
		t.Errorf("no channel for %s", events.TopicDeadLetter)
	}
	operations := at(t, d, "operations").(map[string]any)
	for _, typ := range events.Types() {
		topic, _ := events.TopicOf(typ)
		id, ok := addresses[topic]
		if !ok {
			t.Errorf("%s: no channel for its topic %s", typ, topic)
			continue
		}
		if at(t, channels[id], "messages", typ, "$ref") != "#/components/messages/"+typ {
			t.Errorf("%s: not a message of channel %s", typ, id)
		}
		msg := at(t, d, "components", "messages", typ)
		if msg == nil {
			t.Errorf("%s: no message", typ)
			continue
		}
		if at(t, msg, "payload", "$ref") != "#/components/schemas/"+typ || at(t, d, "components", "schemas", typ) == nil {
			t.Errorf("%s: no payload schema", typ)
		}
		if at(t, msg, "headers", "properties", "ce_type", "const") != typ {
			t.Errorf("%s: headers do not fix ce_type", typ)
		}
		if at(t, msg, "bindings", "kafka", "key") == nil {
			t.Errorf("%s: no record key", typ)
		}
		for _, h := range []string{"ce_id", "ce_source", "ce_specversion", "ce_time", "content-type", "ce_partitionkey", "ce_correlationid", "ce_org"} {
			if at(t, msg, "headers", "properties", h) == nil {
				t.Errorf("%s: no header %s", typ, h)
			}
		}
		// Commands are received, current status types sent; deprecated ones are only listed.
		want := "send"
		if events.IsCommand(typ) {
			want = "receive"
		}
		inOperation := false
		for _, op := range operations {
			if at(t, op, "action") != want || at(t, op, "channel", "$ref") != "#/channels/"+id {
				continue
			}
			for _, m := range at(t, op, "messages").([]any) {
				inOperation = inOperation || at(t, m, "$ref") == "#/channels/"+id+"/messages/"+typ
			}
		}
		if deprecated := events.SupersededBy(typ) != ""; inOperation == deprecated {
			t.Errorf("%s: in a %s operation = %v, deprecated = %v", typ, want, inOperation, deprecated)
		}
	}
	if msgs := at(t, d, "components", "messages").(map[string]any); len(msgs) != len(events.Types())+1 {
		t.Errorf("%d messages, want one per type and the dead letter", len(msgs))
	}
}

// The payload schemas, moved into the document with their references rewritten, still accept
// what the catalog accepts and refuse what it refuses.
func TestDocumentSchemas_ValidateLikeTheCatalog(t *testing.T) {
	b, err := json.Marshal(doc(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	const base = "https://provision.local/asyncapi.json"
	if err := c.AddResource(base, res); err != nil {
		t.Fatal(err)
	}
	for _, typ := range events.Types() {
		s, err := c.Compile(base + "#/components/schemas/" + typ)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		var schema map[string]any
		raw, _ := events.Schema(typ)
		_ = json.Unmarshal(raw, &schema)
		examples, _ := schema["examples"].([]any)
		for _, ex := range examples {
			if err := s.Validate(ex); err != nil {
				t.Errorf("%s: the catalog's example fails the document's schema: %v", typ, err)
			}
			// Break the first field the schema requires, as the catalog would refuse it.
			broken := maps(ex)
			req := schema["required"].([]any)
			delete(broken, req[0].(string))
			if s.Validate(broken) == nil || events.Validate(typ, mustJSON(t, broken)) == nil {
				t.Errorf("%s: a payload without %s is accepted", typ, req[0])
			}
		}
	}
}

func TestChannelID(t *testing.T) {
	for _, tc := range []struct{ topic, want string }{
		{"provision.disney.commands", "disneyCommands"},
		{"provision.netflix.status", "netflixStatus"},
		{"provision.deadletter", "deadletter"},
	} {
		if got := channelID(tc.topic); got != tc.want {
			t.Errorf("channelID(%s) = %s, want %s", tc.topic, got, tc.want)
		}
	}
	if !slices.IsSorted(events.Types()) {
		t.Error("the catalog's types are not sorted: the document would not be stable")
	}
}

func maps(v any) map[string]any {
	out := map[string]any{}
	for k, x := range v.(map[string]any) {
		out[k] = x
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
