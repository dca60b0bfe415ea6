package api

import (
	"errors"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"provision.local/pkg/country"
)

// MaxReferenceBytes bounds a string of the `reference` format: the seed limits partner
// references (billing, cancel, suspend, reactivate event ids) to 1024 bytes, which maxLength,
// counting characters, cannot say.
const MaxReferenceBytes = 1024

var defineOnce sync.Once

var errNotACountry = errors.New("not an assigned ISO 3166-1 alpha-2 country code in upper case")

// DefineFormats registers, once per process, the validators of the string formats the document
// uses: uuid and email with kin-openapi's expressions, reference (at most MaxReferenceBytes bytes
// of UTF-8) and country (an assigned ISO 3166-1 alpha-2 code in upper case, from the maintained
// data package/country reads). Whatever validates against the document calls it first.
func DefineFormats() {
	defineOnce.Do(func() {
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
		openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
		openapi3.DefineStringFormatValidator("reference", openapi3.NewCallbackValidator(func(s string) error {
			if len(s) > MaxReferenceBytes {
				return fmt.Errorf("longer than %d bytes", MaxReferenceBytes)
			}
			return nil
		}))
		openapi3.DefineStringFormatValidator("country", openapi3.NewCallbackValidator(func(s string) error {
			if !country.IsISO3166Alpha2(s) {
				return errNotACountry
			}
			return nil
		}))
	})
}
