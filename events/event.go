package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
)

// New builds a CloudEvent: specversion 1.0, the given id, type and source, time now (UTC),
// datacontenttype application/json, dataschema SchemaURI(ceType) when the type is catalogued,
// and the partitionkey extension when partitionKey is non-empty.
//
// data is JSON-encoded; a json.RawMessage or []byte is taken as already encoded JSON. For a
// catalogued type the encoded data must pass Validate. The event as a whole must pass the
// CloudEvents SDK's validation (non-empty id, source and type).
//
// Callers add the other extensions with SetExtension(ExtCorrelationID, ...), ExtWorkflowID and
// ExtOrg, or with SetExtensions.
func New(id, ceType, source, partitionKey string, data any) (cloudevents.Event, error) {
	e := cloudevents.NewEvent(cloudevents.VersionV1)
	e.SetID(id)
	e.SetType(ceType)
	e.SetSource(source)
	e.SetTime(time.Now().UTC())
	if uri := SchemaURI(ceType); uri != "" {
		e.SetDataSchema(uri)
	}
	if partitionKey != "" {
		e.SetExtension(ExtPartitionKey, partitionKey)
	}
	raw, err := encode(data)
	if err != nil {
		return cloudevents.Event{}, fmt.Errorf("events: encode %s data: %w", ceType, err)
	}
	if err := e.SetData(cloudevents.ApplicationJSON, json.RawMessage(raw)); err != nil {
		return cloudevents.Event{}, fmt.Errorf("events: set %s data: %w", ceType, err)
	}
	if Known(ceType) {
		if err := Validate(ceType, raw); err != nil {
			return cloudevents.Event{}, err
		}
	}
	if err := e.Validate(); err != nil {
		return cloudevents.Event{}, fmt.Errorf("events: invalid %s event: %w", ceType, err)
	}
	return e, nil
}

func encode(data any) ([]byte, error) {
	switch d := data.(type) {
	case json.RawMessage:
		return validJSON(d)
	case []byte:
		return validJSON(d)
	default:
		return json.Marshal(data)
	}
}

func validJSON(b []byte) ([]byte, error) {
	if !json.Valid(b) {
		return nil, errors.New("not valid JSON")
	}
	return b, nil
}

// SetExtensions sets the correlationid, workflowid and org extensions, skipping empty values.
func SetExtensions(e *cloudevents.Event, correlationID, workflowID, org string) {
	for name, v := range map[string]string{ExtCorrelationID: correlationID, ExtWorkflowID: workflowID, ExtOrg: org} {
		if v != "" {
			e.SetExtension(name, v)
		}
	}
}

// Extension returns a string extension attribute of e, or "" when it is absent.
func Extension(e cloudevents.Event, name string) string {
	v, ok := e.Extensions()[name]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Decode validates e's data against the schema of e's type and unmarshals it into v (usually a
// pointer to the type's payload struct). It returns ErrUnknownType for a type not in the catalog
// and a *ValidationError for data that does not match the schema or a datacontenttype other
// than JSON.
func Decode(e cloudevents.Event, v any) error {
	if !Known(e.Type()) {
		return fmt.Errorf("%w: %q", ErrUnknownType, e.Type())
	}
	if ct := e.DataContentType(); ct != "" && !isJSON(ct) {
		return &ValidationError{Type: e.Type(), Violations: []Violation{{Message: fmt.Sprintf("datacontenttype %q is not JSON", ct)}}}
	}
	if err := Validate(e.Type(), e.Data()); err != nil {
		return err
	}
	if err := json.Unmarshal(e.Data(), v); err != nil {
		return fmt.Errorf("events: decode %s data: %w", e.Type(), err)
	}
	return nil
}

func isJSON(ct string) bool {
	mt, _, _ := bytes.Cut([]byte(ct), []byte(";"))
	mt = bytes.TrimSpace(bytes.ToLower(mt))
	return string(mt) == "application/json" || bytes.HasSuffix(mt, []byte("+json")) || string(mt) == "text/json"
}
