package events

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaBaseURI prefixes every schema id. The ids are names, never fetched: the schemas are
// embedded in this package and live in schemas/<type>.json.
const SchemaBaseURI = "https://provision.local/schemas/"

//go:embed schemas/*.json
var schemaFS embed.FS

// ErrUnknownType is returned for a CloudEvent type that is not in the catalog.
var ErrUnknownType = errors.New("events: unknown event type")

// ErrInvalidPayload matches (errors.Is) every payload validation failure; the error itself is a
// *ValidationError that names the failing fields.
var ErrInvalidPayload = errors.New("events: invalid payload")

// Violation is one reason a payload failed its schema.
type Violation struct {
	// Field is the path of the offending value, e.g. "products", "products[1]", "error.code";
	// empty for the payload as a whole.
	Field string
	// Message says what is wrong with it.
	Message string
}

func (v Violation) String() string {
	if v.Field == "" {
		return v.Message
	}
	return v.Field + ": " + v.Message
}

// ValidationError is returned by Validate (and New) for a payload that does not match its schema.
type ValidationError struct {
	Type       string
	Violations []Violation
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return fmt.Sprintf("events: invalid %s payload: %s", e.Type, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrInvalidPayload) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidPayload }

// SchemaURI returns the JSON Schema id (the CloudEvent dataschema) of a catalogued type, or ""
// for a type not in the catalog.
func SchemaURI(ceType string) string {
	if !Known(ceType) {
		return ""
	}
	return SchemaBaseURI + ceType + ".json"
}

func schemaFile(ceType string) string { return "schemas/" + ceType + ".json" }

// Schema returns the JSON Schema document of a catalogued type.
func Schema(ceType string) ([]byte, error) {
	if !Known(ceType) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, ceType)
	}
	b, err := schemaFS.ReadFile(schemaFile(ceType))
	if err != nil {
		return nil, fmt.Errorf("events: schema of %s: %w", ceType, err)
	}
	return b, nil
}

// compiled holds every catalogued schema, compiled once on first use.
var compiled = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	for _, t := range Types() {
		b, err := Schema(t)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("events: schema of %s: %w", t, err)
		}
		if err := c.AddResource(SchemaURI(t), doc); err != nil {
			return nil, fmt.Errorf("events: schema of %s: %w", t, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(catalog))
	for _, t := range Types() {
		s, err := c.Compile(SchemaURI(t))
		if err != nil {
			return nil, fmt.Errorf("events: compile schema of %s: %w", t, err)
		}
		out[t] = s
	}
	return out, nil
})

// noLoader refuses to load any schema that is not embedded: nothing is fetched.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("events: schema %s is not in the catalog (schemas are never fetched)", url)
}

// Validate checks a JSON payload against the schema of its CloudEvent type. It returns
// ErrUnknownType for a type not in the catalog and a *ValidationError (errors.Is
// ErrInvalidPayload) that names the failing fields otherwise.
func Validate(ceType string, data []byte) error {
	if !Known(ceType) {
		return fmt.Errorf("%w: %q", ErrUnknownType, ceType)
	}
	schemas, err := compiled()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &ValidationError{Type: ceType, Violations: []Violation{{Message: "no data (want a JSON object)"}}}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return &ValidationError{Type: ceType, Violations: []Violation{{Message: "not valid JSON: " + err.Error()}}}
	}
	err = schemas[ceType].Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("events: validate %s: %w", ceType, err)
	}
	return &ValidationError{Type: ceType, Violations: violations(ve)}
}

var printer = message.NewPrinter(language.English)

// violations flattens the validator's error tree into one line per failing value.
func violations(root *jsonschema.ValidationError) []Violation {
	var out []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, describe(e)...)
	}
	walk(root)
	if len(out) == 0 {
		out = append(out, Violation{Message: root.ErrorKind.LocalizedString(printer)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return slices.Compact(out)
}

// describe turns one leaf error into violations. Messages never repeat the offending value
// (payloads carry customer identifiers and these errors end up in logs), except enum values.
func describe(e *jsonschema.ValidationError) []Violation {
	at := fieldPath(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		out := make([]Violation, len(k.Missing))
		for i, m := range k.Missing {
			out[i] = Violation{Field: join(at, m), Message: "is required"}
		}
		return out
	case *kind.AdditionalProperties:
		out := make([]Violation, len(k.Properties))
		for i, p := range k.Properties {
			out[i] = Violation{Field: join(at, p), Message: "is not allowed (unknown field)"}
		}
		return out
	case *kind.Type:
		return []Violation{{at, fmt.Sprintf("must be %s, got %s", strings.Join(k.Want, " or "), k.Got)}}
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return []Violation{{at, fmt.Sprintf("must be one of %s, got %q", strings.Join(want, ", "), clip(fmt.Sprint(k.Got)))}}
	case *kind.Format:
		return []Violation{{at, fmt.Sprintf("is not a valid %s", k.Want)}}
	case *kind.MinLength:
		if k.Want == 1 {
			return []Violation{{at, "must not be empty"}}
		}
		return []Violation{{at, fmt.Sprintf("must be at least %d characters long", k.Want)}}
	case *kind.MaxLength:
		return []Violation{{at, fmt.Sprintf("must be at most %d characters long, got %d", k.Want, k.Got)}}
	case *kind.Pattern:
		return []Violation{{at, fmt.Sprintf("must match %s", k.Want)}}
	case *kind.MinItems:
		if k.Want == 1 {
			return []Violation{{at, "must not be empty (at least 1 item)"}}
		}
		return []Violation{{at, fmt.Sprintf("must have at least %d items, got %d", k.Want, k.Got)}}
	case *kind.MaxItems:
		return []Violation{{at, fmt.Sprintf("must have at most %d items, got %d", k.Want, k.Got)}}
	case *kind.UniqueItems:
		return []Violation{{at, fmt.Sprintf("must not repeat items (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])}}
	case *kind.Minimum:
		return []Violation{{at, fmt.Sprintf("must be at least %s", k.Want.RatString())}}
	case *kind.Maximum:
		return []Violation{{at, fmt.Sprintf("must be at most %s", k.Want.RatString())}}
	case *kind.Not:
		// Used for the zero time, see the date-time definitions in the schemas.
		return []Violation{{at, "must be set (the zero time is not allowed)"}}
	case *kind.FalseSchema:
		return []Violation{{at, "is not allowed"}}
	default:
		return []Violation{{at, e.ErrorKind.LocalizedString(printer)}}
	}
}

// clip shortens an echoed value so that a huge one cannot flood a log line.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// fieldPath renders an instance location as products[1] or error.code.
func fieldPath(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		if isIndex(tok) {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for _, r := range tok {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
