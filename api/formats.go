package api

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxReferenceBytes bounds a string of the `reference` format: the seed limits partner
// references (billing, cancel, suspend, reactivate event ids) to 1024 bytes, which maxLength,
// counting characters, cannot say.
const MaxReferenceBytes = 1024

var defineOnce sync.Once

// DefineFormats registers, once per process, the validators of the string formats the document
// uses: uuid and email with kin-openapi's expressions, and reference (at most MaxReferenceBytes
// bytes of UTF-8). Whatever validates against the document calls it first.
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
	})
}
