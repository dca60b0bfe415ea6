package ports

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gin-gonic/gin"

	"provision.local/api"
	"provision.local/pkg/httpx"
)

// validationOptions: authentication is httpx.Authenticate's, before validation; every failure is
// reported, so one answer names every field to fix.
var validationOptions = &openapi3filter.Options{
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	MultiError:         true,
	// The document's defaults are the services' own; the body is passed on as the client sent it.
	SkipSettingDefaults: true,
	// The handlers read the body as validation decoded it, instead of decoding it again.
	KeepValidatedValue: true,
}

// validate checks the request against its operation in the document: parameters, headers and
// body. A failure is answered 400 (413 for a body over the limit) in the operation's family's
// shape, one error per failure.
func validate(op Operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		params := make(map[string]string, len(c.Params))
		for _, p := range c.Params {
			params[p.Key] = p.Value
		}
		in := &openapi3filter.RequestValidationInput{Request: c.Request, PathParams: params, Route: op.Route, Options: validationOptions}
		if err := openapi3filter.ValidateRequest(c.Request.Context(), in); err != nil {
			writeError(c, refused(err))
			return
		}
		c.Next()
	}
}

// refused turns kin-openapi's validation errors into the answer. Details name the field,
// parameter or header and the rule; they never quote the value, which may be personal data.
func refused(err error) badRequest {
	b := badRequest{status: http.StatusBadRequest}
	add := func(code, details string) {
		b.errs = append(b.errs, httpx.NewError(http.StatusBadRequest, code, details))
	}
	var walk func(error)
	walk = func(err error) {
		// A type switch, not errors.As: a MultiError answers As with its first element, and a
		// RequestError unwraps to the MultiError of its schema errors.
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, one := range e {
				walk(one)
			}
		case *openapi3filter.RequestError:
			var mbe *http.MaxBytesError
			switch {
			case errors.As(e.Err, &mbe):
				b.status = http.StatusRequestEntityTooLarge
				b.errs = append(b.errs, httpx.NewError(http.StatusRequestEntityTooLarge, httpx.CodeBodyTooLarge,
					fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)))
			case e.Parameter != nil:
				add(parameterError(e.Parameter, e.Err))
			case e.RequestBody != nil:
				bodyErrors(e, add)
			default:
				add(httpx.CodeInvalidBody, "the request does not match the API")
			}
		default:
			add(httpx.CodeInvalidBody, "the request does not match the API")
		}
	}
	walk(err)
	if b.status == http.StatusRequestEntityTooLarge {
		// One answer, one status: the size is what to fix first.
		b.errs = b.errs[len(b.errs)-1:]
	}
	return b
}

// headerCodes keep the codes clients know for the headers the seed makes them send.
var headerCodes = map[string][2]string{ // header → {missing, invalid}
	httpx.HeaderCorrelationID: {httpx.CodeMissingCorrelationID, httpx.CodeInvalidCorrelationID},
	HeaderIdempotencyKey:      {CodeInvalidKey, CodeInvalidKey},
}

func parameterError(p *openapi3.Parameter, err error) (code, details string) {
	missing := errors.Is(err, openapi3filter.ErrInvalidRequired)
	what := p.In + " parameter " + p.Name
	reason := "is invalid"
	if missing {
		reason = "is required"
	} else if r := schemaReasons(err); r != "" {
		reason = "is invalid: " + r
	}
	switch p.In {
	case openapi3.ParameterInHeader:
		what = "header " + p.Name
		codes, ok := headerCodes[http.CanonicalHeaderKey(p.Name)]
		switch {
		case ok && missing:
			code = codes[0]
		case ok:
			code = codes[1]
		case missing:
			code = CodeMissingHeader
		default:
			code = CodeInvalidHeader
		}
	case openapi3.ParameterInPath:
		code = CodeInvalidPathParameter
	default:
		code = CodeInvalidQuery
	}
	return code, what + " " + reason
}

// schemaReasons lists the rules a value broke, without the value.
func schemaReasons(err error) string {
	var reasons []string
	for _, se := range schemaErrors(err) {
		reasons = append(reasons, se.Reason)
	}
	return strings.Join(reasons, "; ")
}

func schemaErrors(err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []*openapi3.SchemaError
		for _, one := range e {
			out = append(out, schemaErrors(one)...)
		}
		return out
	case *openapi3.SchemaError:
		return []*openapi3.SchemaError{e}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return []*openapi3.SchemaError{se}
	}
	return nil
}

func bodyErrors(re *openapi3filter.RequestError, add func(code, details string)) {
	var pe *openapi3filter.ParseError
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		add(httpx.CodeInvalidBody, "request body is empty")
	case strings.HasPrefix(re.Reason, "header Content-Type"):
		add(httpx.CodeInvalidBody, "header Content-Type must be application/json")
	case errors.As(re.Err, &pe) && errors.Is(pe.Cause, api.ErrTrailingData):
		add(httpx.CodeInvalidBody, "request body: "+api.ErrTrailingData.Error())
	case errors.As(re.Err, &pe):
		add(httpx.CodeInvalidBody, "request body is not valid JSON")
	default:
		ses := schemaErrors(re.Err)
		if len(ses) == 0 {
			add(httpx.CodeInvalidBody, "request body is invalid")
		}
		for _, se := range ses {
			field := strings.Join(se.JSONPointer(), ".")
			if names := requiredAlternatives(se); names != nil {
				where := "request body"
				if field != "" {
					where = field
				}
				add(CodeInvalidField, where+": one of "+strings.Join(names, ", ")+" is required")
				continue
			}
			if field == "" {
				// The body itself: not an object, or a property missing from it.
				code := httpx.CodeInvalidBody
				if strings.HasPrefix(se.Reason, "property ") {
					code = CodeInvalidField
				}
				add(code, "request body: "+se.Reason)
				continue
			}
			add(CodeInvalidField, field+": "+se.Reason)
		}
	}
}

// requiredAlternatives names the properties of an "at least one of" rule (an anyOf whose every
// branch only requires properties) that a value broke, quoted as kin-openapi quotes a missing
// property; nil for any other failure. kin-openapi's own reason names none of them.
func requiredAlternatives(se *openapi3.SchemaError) []string {
	if se.SchemaField != "anyOf" || se.Schema == nil || len(se.Schema.AnyOf) == 0 {
		return nil
	}
	var names []string
	for _, alt := range se.Schema.AnyOf {
		v := alt.Value
		if v == nil || len(v.Required) == 0 || v.Type != nil || len(v.Properties) > 0 {
			return nil
		}
		for _, name := range v.Required {
			names = append(names, `"`+name+`"`)
		}
	}
	return names
}
