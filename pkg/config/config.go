// Package config fills a service's configuration struct from environment variables.
//
// Fields are described with struct tags:
//
//	env:"NAME"        the variable that sets the field
//	default:"value"   used when the variable is unset or blank
//	required:"true"   the variable must be set (a default makes no sense with it)
//	secret:"true"     Fields masks the value
//
// Nested and embedded structs without an env tag are walked recursively. When a variable is unset
// and has no default, the field keeps the value it already had, so a service can preset defaults of
// shared structs (for example the HTTP address) before calling Load.
//
// Supported field types: string, bool, signed and unsigned integers, float32/64, time.Duration and
// []string (comma-separated, items trimmed, empty items dropped).
package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Validator is implemented by configuration structs with rules beyond a single field.
type Validator interface {
	Validate() error
}

var durationType = reflect.TypeFor[time.Duration]()

// Load fills the struct dst points to. All problems are reported together, one per variable, so a
// misconfigured deployment is fixed in one round. Validate is called on each struct (nested ones
// first) whose fields all loaded.
func Load(dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Load needs a non-nil pointer to a struct, got %T", dst)
	}
	if err := walk(v.Elem(), loadField, validate); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// walk calls field for every env-tagged field of the struct v and of its untagged nested
// structs (nested ones first), joining their errors; once a struct's fields all succeeded it
// calls done on that struct, when done is not nil.
func walk(v reflect.Value, field func(fv reflect.Value, sf reflect.StructField, name string) error, done func(reflect.Value) error) error {
	var errs []error
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		fv := v.Field(i)
		name, tagged := sf.Tag.Lookup("env")
		var err error
		switch {
		case tagged:
			err = field(fv, sf, name)
		case fv.Kind() == reflect.Struct && fv.Type() != durationType:
			err = walk(fv, field, done)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if done != nil {
		return done(v)
	}
	return nil
}

func validate(v reflect.Value) error {
	var val Validator
	if v.CanAddr() {
		val, _ = v.Addr().Interface().(Validator)
	}
	if val == nil {
		val, _ = v.Interface().(Validator)
	}
	if val == nil {
		return nil
	}
	if err := val.Validate(); err != nil {
		return fmt.Errorf("%s: %w", v.Type().Name(), err)
	}
	return nil
}

func loadField(fv reflect.Value, sf reflect.StructField, name string) error {
	if name == "" {
		return fmt.Errorf("field %s: empty env tag", sf.Name)
	}
	raw, set := os.LookupEnv(name)
	if strings.TrimSpace(raw) == "" {
		set = false
	}
	if !set {
		if sf.Tag.Get("required") == "true" {
			return fmt.Errorf("%s: required but not set", name)
		}
		def, ok := sf.Tag.Lookup("default")
		if !ok {
			return nil
		}
		raw = def
	}
	if err := setValue(fv, raw); err != nil {
		if sf.Tag.Get("secret") == "true" {
			// The value of a secret never goes into an error message.
			return fmt.Errorf("%s: invalid %s", name, fv.Type())
		}
		return fmt.Errorf("%s: invalid value %q: %w", name, raw, err)
	}
	return nil
}

func setValue(fv reflect.Value, raw string) error {
	s := strings.TrimSpace(raw)
	if fv.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		fv.SetInt(int64(d))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return errors.Unwrap(err)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return errors.Unwrap(err)
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return errors.Unwrap(err)
		}
		fv.SetFloat(f)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported type %s", fv.Type())
		}
		items := splitList(raw)
		out := reflect.MakeSlice(fv.Type(), len(items), len(items))
		for i, it := range items {
			out.Index(i).SetString(it)
		}
		fv.Set(out)
	default:
		return fmt.Errorf("unsupported type %s", fv.Type())
	}
	return nil
}

func splitList(raw string) []string {
	var out []string
	for it := range strings.SplitSeq(raw, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// Fields returns the configuration as log fields, variable name → value, with secrets shown as
// "****" (or "" when empty) so the effective configuration can be logged at start.
func Fields(cfg any) logrus.Fields {
	out := logrus.Fields{}
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return out
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		collect(v, out)
	}
	return out
}

func collect(v reflect.Value, out logrus.Fields) {
	_ = walk(v, func(fv reflect.Value, sf reflect.StructField, name string) error {
		switch x := fv.Interface().(type) {
		case time.Duration:
			out[name] = x.String()
		default:
			out[name] = x
		}
		if sf.Tag.Get("secret") == "true" {
			out[name] = mask(fv)
		}
		return nil
	}, nil)
}

// mask shows whether a secret is set without showing it.
func mask(fv reflect.Value) string {
	if fv.IsZero() || (fv.Kind() == reflect.Slice && fv.Len() == 0) {
		return ""
	}
	return "****"
}
