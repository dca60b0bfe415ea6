package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"
)

// BindJSON decodes the request body into dst. It answers the request itself and returns false
// when the body is too large (413), empty, malformed, of the wrong shape or followed by more data
// (400 INVALID_BODY). Unknown fields are accepted: the seed documents do not list every field
// clients send. Details never echo the body, which may hold personal data.
func BindJSON(c *gin.Context, dst any) bool {
	if c.Request.Body == nil {
		Fail(c, http.StatusBadRequest, CodeInvalidBody, "request body is empty")
		return false
	}
	dec := json.NewDecoder(c.Request.Body)
	err := dec.Decode(dst)
	if err == nil {
		// A second value after the first is as malformed as a broken one.
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			err = errTrailingData
			var mbe *http.MaxBytesError
			if errors.As(err2, &mbe) {
				err = err2
			}
		}
	}
	if err == nil {
		return true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		Fail(c, http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			fmt.Sprintf("request body is larger than %d bytes", mbe.Limit))
		return false
	}
	Fail(c, http.StatusBadRequest, CodeInvalidBody, describe(err))
	return false
}

var errTrailingData = errors.New("unexpected data after the JSON value")

func describe(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "request body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "request body is not valid JSON: unexpected end"
	case errors.As(err, &syn):
		return fmt.Sprintf("request body is not valid JSON at offset %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %s must be %s", typ.Field, jsonKind(typ.Type))
		}
		return fmt.Sprintf("request body must be %s", jsonKind(typ.Type))
	case errors.Is(err, errTrailingData):
		return err.Error()
	}
	return "request body is not valid JSON"
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "of another type"
}
