package ports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

//go:embed docs.html.tmpl
var docsTemplate string

// registerDocs serves the document as JSON and a reference page built from it. Both are rendered
// once, at start; the page is self-contained (no scripts, styles or fonts from the network).
func registerDocs(r *gin.Engine, spec *Spec) error {
	doc, err := json.Marshal(spec.Doc)
	if err != nil {
		return fmt.Errorf("encode the API document: %w", err)
	}
	page, err := renderDocs(spec)
	if err != nil {
		return err
	}
	r.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", doc) })
	r.GET("/docs", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", page) })
	return nil
}

// docsPage is what the template shows.
type docsPage struct {
	Title, Version string
	Description    string
	Tags           []docsTag
	Schemas        []docsSchema
}

// docsSchema is a components schema, which operations' schemas name by reference.
type docsSchema struct {
	Name, JSON string
}

type docsTag struct {
	Name, Description string
	Operations        []docsOperation
}

type docsOperation struct {
	ID, Method, Path, Summary, Description string
	Parameters                             []docsParameter
	Body                                   *docsBody
	Responses                              []docsResponse
}

type docsParameter struct {
	Name, In, Type, Description string
	Required                    bool
}

type docsBody struct {
	Schema  string
	Example string
}

type docsResponse struct {
	Status, Description, Schema string
}

func renderDocs(spec *Spec) ([]byte, error) {
	tmpl, err := template.New("docs").Parse(docsTemplate)
	if err != nil {
		return nil, fmt.Errorf("docs template: %w", err)
	}
	d := spec.Doc
	p := docsPage{Title: d.Info.Title, Version: d.Info.Version, Description: d.Info.Description}
	tagIndex := map[string]int{}
	for _, t := range d.Tags {
		tagIndex[t.Name] = len(p.Tags)
		p.Tags = append(p.Tags, docsTag{Name: t.Name, Description: t.Description})
	}
	for _, op := range spec.Operations {
		o := op.Route.Operation
		do := docsOperation{ID: op.ID, Method: op.Method, Path: op.Path, Summary: o.Summary, Description: o.Description}
		for _, ps := range []openapi3.Parameters{op.Route.PathItem.Parameters, o.Parameters} {
			for _, pr := range ps {
				v := pr.Value
				do.Parameters = append(do.Parameters, docsParameter{Name: v.Name, In: v.In, Required: v.Required,
					Type: schemaLabel(v.Schema), Description: v.Description})
			}
		}
		if rb := o.RequestBody; rb != nil && rb.Value != nil {
			if mt := rb.Value.Content.Get("application/json"); mt != nil {
				do.Body = &docsBody{Schema: schemaJSON(mt.Schema), Example: exampleJSON(mt)}
			}
		}
		codes := make([]string, 0, len(o.Responses.Map()))
		for code := range o.Responses.Map() {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			r := o.Responses.Value(code).Value
			dr := docsResponse{Status: code, Description: derefString(r.Description)}
			if mt := r.Content.Get("application/json"); mt != nil {
				dr.Schema = schemaLabel(mt.Schema)
			}
			do.Responses = append(do.Responses, dr)
		}
		tag := "Other"
		if len(o.Tags) > 0 {
			tag = o.Tags[0]
		}
		i, ok := tagIndex[tag]
		if !ok {
			i = len(p.Tags)
			tagIndex[tag] = i
			p.Tags = append(p.Tags, docsTag{Name: tag})
		}
		p.Tags[i].Operations = append(p.Tags[i].Operations, do)
	}
	names := make([]string, 0, len(d.Components.Schemas))
	for name := range d.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p.Schemas = append(p.Schemas, docsSchema{Name: name, JSON: schemaJSON(d.Components.Schemas[name])})
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("docs page: %w", err)
	}
	return b.Bytes(), nil
}

// schemaLabel names a schema: its components name, or its type.
func schemaLabel(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	if name := schemaName(s.Ref); name != "" {
		return name
	}
	if s.Value != nil && s.Value.Type != nil {
		return strings.Join(s.Value.Type.Slice(), " | ")
	}
	return "any"
}

// schemaJSON is the schema as the document writes it, as indented JSON: the schemas it
// references are listed on the page by name.
func schemaJSON(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return ""
	}
	b, err := json.MarshalIndent(s.Value, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func exampleJSON(mt *openapi3.MediaType) string {
	ex := mt.Example
	if ex == nil {
		for _, e := range mt.Examples {
			if e.Value != nil {
				ex = e.Value.Value
				break
			}
		}
	}
	if ex == nil {
		return ""
	}
	b, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
