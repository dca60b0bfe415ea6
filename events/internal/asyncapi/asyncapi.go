// Package asyncapi generates the AsyncAPI 3.0 document of the events catalog (events/asyncapi.yaml):
// its topics as channels, its types as messages with their payload schemas, record keys and ce_
// headers, and what the platform does on each topic as operations.
package asyncapi

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"provision.local/events"
)

// BindingVersion is the version of the AsyncAPI Kafka bindings used.
const BindingVersion = "0.5.0"

// deadLetterMessage names the message of the dead-letter topic, which carries records of any type.
const deadLetterMessage = "deadLetter"

// Build returns the document, generated from the catalog: the same catalog gives the same bytes.
func Build() ([]byte, error) {
	schemas, defs, err := payloadSchemas()
	if err != nil {
		return nil, err
	}
	byTopic := map[string][]string{}
	for _, t := range events.Types() {
		topic, _ := events.TopicOf(t)
		byTopic[topic] = append(byTopic[topic], t)
	}
	topics := make([]string, 0, len(byTopic))
	for topic := range byTopic {
		topics = append(topics, topic)
	}
	slices.Sort(topics)

	channels, operations, messages := mapping(), mapping(), mapping()
	for _, topic := range topics {
		id := channelID(topic)
		refs := mapping()
		var commands, published []*yaml.Node
		for _, t := range byTopic[topic] {
			set(refs, t, ref("#/components/messages/"+t))
			set(messages, t, message(t))
			opRef := ref("#/channels/" + id + "/messages/" + t)
			switch {
			case events.IsCommand(t):
				commands = append(commands, opRef)
			case events.SupersededBy(t) == "":
				published = append(published, opRef)
			}
		}
		set(channels, id, channel(topic, channelDescription(topic, byTopic[topic]), refs))
		if len(commands) > 0 {
			set(operations, "receive"+pascal(id), operation("receive", id,
				"The provider's service consumes its commands; upstream billing and the ingress publish them.", commands))
		}
		if len(published) > 0 {
			set(operations, "send"+pascal(id), operation("send", id,
				"The provider's service publishes the outcome of every command it carried out.", published))
		}
	}
	dlq := channelID(events.TopicDeadLetter)
	set(channels, dlq, channel(events.TopicDeadLetter,
		"Records that could not be processed (not a CloudEvent, a type not in the catalog, a payload failing its schema, retries exhausted), as they were read, with the reason in the dlq_ headers. Put a record back on its original topic to replay it.",
		pairs(deadLetterMessage, ref("#/components/messages/"+deadLetterMessage))))
	set(operations, "send"+pascal(dlq), operation("send", dlq,
		"Every consumer sends the records it gives up on here, and goes on with the next.",
		[]*yaml.Node{ref("#/channels/" + dlq + "/messages/" + deadLetterMessage)}))
	set(messages, deadLetterMessage, deadLetter())

	components := mapping()
	allSchemas := mapping()
	for _, name := range sortedKeys(defs) {
		set(allSchemas, name, defs[name])
	}
	for _, t := range events.Types() {
		set(allSchemas, t, schemas[t])
	}
	set(components, "schemas", allSchemas)
	set(components, "messages", messages)

	doc := pairs(
		"asyncapi", str("3.0.0"),
		"info", pairs(
			"title", str("provision events"),
			"version", str("1.0.0"),
			"description", str("The Kafka side of the provisioning platform, generated from the events catalog (provision.local/events; make generate). "+
				"Every record is a CloudEvent 1.0 in the binary content mode of the CloudEvents Kafka binding: the payload (JSON) in the value, "+
				"every attribute as a ce_ header, the record key repeated in ce_partitionkey. Commands may also be published in structured mode "+
				"(content-type application/cloudevents+json). Each message is one CloudEvent type, named by its type, versioned by its last segment; "+
				"events/README.md has the rules (deduplication by ce_id, versioning, the status envelope every provider shares)."),
		),
		"defaultContentType", str("application/json"),
		"servers", pairs("local", pairs(
			"host", str("127.0.0.1:9092"),
			"protocol", str("kafka"),
			"description", str("The local stack's Kafka-protocol broker (make run)."),
		)),
		"channels", channels,
		"operations", operations,
		"components", components,
	)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("asyncapi: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("asyncapi: encode: %w", err)
	}
	return b.Bytes(), nil
}

// payloadSchemas reads every catalogued schema, in its file's key order, and makes it a component:
// its $defs become components of their own (they agree across files, the catalog's tests say so)
// and its references point at them.
func payloadSchemas() (map[string]*yaml.Node, map[string]*yaml.Node, error) {
	schemas := map[string]*yaml.Node{}
	defs := map[string]*yaml.Node{}
	for _, t := range events.Types() {
		b, err := events.Schema(t)
		if err != nil {
			return nil, nil, err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, nil, fmt.Errorf("asyncapi: schema of %s: %w", t, err)
		}
		s := doc.Content[0]
		block(s)
		if d := remove(s, "$defs"); d != nil {
			for i := 0; i < len(d.Content); i += 2 {
				name := d.Content[i].Value
				if events.Known(name) {
					return nil, nil, fmt.Errorf("asyncapi: definition %q of %s is named like a type", name, t)
				}
				defs[name] = d.Content[i+1]
			}
		}
		// The document is the base of the references now, not the schema's own id.
		remove(s, "$schema")
		remove(s, "$id")
		schemas[t] = s
	}
	for _, n := range schemas {
		rewriteRefs(n)
	}
	for _, n := range defs {
		rewriteRefs(n)
	}
	return schemas, defs, nil
}

func rewriteRefs(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Value == "$ref" {
				if name, ok := strings.CutPrefix(n.Content[i+1].Value, "#/$defs/"); ok {
					n.Content[i+1].Value = "#/components/schemas/" + name
				}
			}
		}
	}
	for _, c := range n.Content {
		rewriteRefs(c)
	}
}

// message is the message of one catalogued type.
func message(t string) *yaml.Node {
	doc, _ := events.Schema(t) // known: payloadSchemas read it
	var meta struct {
		Title       string `yaml:"title"`
		Description string `yaml:"description"`
		Examples    []yaml.Node
	}
	var root yaml.Node
	_ = yaml.Unmarshal(doc, &root)
	_ = root.Decode(&meta)
	m := pairs(
		"name", str(t),
		"title", str(meta.Title),
		"summary", str(meta.Description),
		"contentType", str("application/json"),
		"headers", headers(t),
		"payload", ref("#/components/schemas/"+t),
		"bindings", pairs("kafka", pairs(
			"key", pairs("type", str("string"), "description", str("The record key: "+events.KeyOf(t)+". Equal to ce_partitionkey.")),
			"bindingVersion", str(BindingVersion),
		)),
	)
	if ex := get(root.Content[0], "examples"); ex != nil && len(ex.Content) > 0 {
		p := ex.Content[0]
		block(p)
		set(m, "examples", seq(pairs("name", str("example"), "payload", p)))
	}
	if next := events.SupersededBy(t); next != "" {
		set(m, "x-deprecated", boolean(true))
		set(m, "x-superseded-by", str(next))
	}
	return m
}

// headers is the schema of the ce_ headers of a type in binary mode.
func headers(t string) *yaml.Node {
	command := events.IsCommand(t)
	required := []string{"ce_specversion", "ce_id", "ce_type", "ce_source", "content-type"}
	if !command {
		required = append(required, "ce_time", "ce_dataschema", "ce_partitionkey", "ce_org")
	}
	idDesc := "Unique per command: the deduplication key (a record with an id already processed is a no-op)."
	timeDesc := "RFC 3339, UTC: when the command was issued. A record whose ce_id was processed and whose ce_time is later than the idempotency window is a new command."
	if !command {
		idDesc = "Derived from the command's ce_id: stable across redeliveries; consumers dedupe on it."
		timeDesc = "RFC 3339, UTC: when the event was built."
	}
	props := pairs(
		"ce_specversion", pairs("const", str("1.0")),
		"ce_id", pairs("type", str("string"), "minLength", integer(1), "description", str(idDesc)),
		"ce_type", pairs("const", str(t)),
		"ce_source", pairs("type", str("string"), "minLength", integer(1), "description", str("A URI-reference naming the producer, e.g. urn:billing:yoigo.")),
		"ce_time", pairs("type", str("string"), "format", str("date-time"), "description", str(timeDesc)),
		"content-type", pairs("const", str("application/json")),
		"ce_dataschema", pairs("const", str(events.SchemaURI(t))),
		"ce_subject", pairs("type", str("string")),
		"ce_"+events.ExtPartitionKey, pairs("type", str("string"), "description", str("The record key: "+events.KeyOf(t)+".")),
		"ce_"+events.ExtCorrelationID, pairs("type", str("string"), "description", str("The Request-Correlation-Id of the request behind the command; copied into the resulting status events.")),
		"ce_"+events.ExtWorkflowID, pairs("type", str("string"), "description", str("The workflowId the ingress issued for the command (set by the ingress only).")),
		"ce_"+events.ExtOrg, pairs("type", str("string"), "description", str("The tenant; equal to the payload's org.")),
	)
	if command {
		set(props, "ce_"+events.ExtRequestDigest, pairs("type", str("string"),
			"description", str("Optional: an opaque digest of the request behind the command; a ce_id reused with another digest is refused.")))
	}
	req := make([]*yaml.Node, len(required))
	for i, r := range required {
		req[i] = str(r)
	}
	return pairs("type", str("object"), "required", seq(req...), "properties", props)
}

func deadLetter() *yaml.Node {
	h := func(desc string) *yaml.Node { return pairs("type", str("string"), "description", str(desc)) }
	return pairs(
		"name", str(deadLetterMessage),
		"title", str("Dead letter"),
		"summary", str("A record a consumer gave up on: the original key, value and headers, plus the dlq_ headers."),
		"headers", pairs("type", str("object"),
			"required", seq(str("dlq_reason"), str("dlq_original_topic"), str("dlq_original_partition"), str("dlq_original_offset"), str("dlq_failed_at")),
			"properties", pairs(
				"dlq_reason", h("Why the record could not be processed."),
				"dlq_original_topic", h("The topic it was read from."),
				"dlq_original_partition", h("Its partition there."),
				"dlq_original_offset", h("Its offset there."),
				"dlq_failed_at", h("RFC 3339: when the consumer gave up."),
			),
		),
		"payload", pairs("description", str("The original record's value, unchanged (it may not be JSON).")),
	)
}

func channel(topic, description string, messages *yaml.Node) *yaml.Node {
	return pairs(
		"address", str(topic),
		"description", str(description),
		"messages", messages,
		"bindings", pairs("kafka", pairs("topic", str(topic), "bindingVersion", str(BindingVersion))),
	)
}

func channelDescription(topic string, types []string) string {
	if events.IsCommand(types[0]) {
		return "The commands of one provider, keyed by subscription: one subscription's commands stay in order on one partition."
	}
	return "The status events of one provider, keyed by subscription. The current types carry the status envelope every provider shares; deprecated types stay listed to read the records written before them."
}

func operation(action, channelID, description string, messages []*yaml.Node) *yaml.Node {
	return pairs(
		"action", str(action),
		"channel", ref("#/channels/"+channelID),
		"description", str(description),
		"messages", seq(messages...),
	)
}

// channelID turns a topic name into a channel id: provision.disney.commands -> disneyCommands.
func channelID(topic string) string {
	parts := strings.Split(strings.TrimPrefix(topic, "provision."), ".")
	for i := 1; i < len(parts); i++ {
		parts[i] = pascal(parts[i])
	}
	return strings.Join(parts, "")
}

func pascal(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// YAML node helpers: the document keeps the order it is written in.

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func integer(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(i)}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(b)}
}

func ref(to string) *yaml.Node { return pairs("$ref", str(to)) }

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// pairs builds a mapping from alternating keys (string) and values (*yaml.Node).
func pairs(kv ...any) *yaml.Node {
	m := mapping()
	for i := 0; i < len(kv); i += 2 {
		set(m, kv[i].(string), kv[i+1].(*yaml.Node))
	}
	return m
}

func set(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }

func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func remove(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			m.Content = slices.Delete(m.Content, i, i+2)
			return v
		}
	}
	return nil
}

// block drops the flow style the JSON source gave the nodes, so they are written as block YAML.
func block(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		n.Style = 0
	}
	for _, c := range n.Content {
		block(c)
	}
}

func sortedKeys(m map[string]*yaml.Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
