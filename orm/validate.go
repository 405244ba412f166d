package orm

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// validate runs validator/v10 over `validate` tags. One validator for the
// package: it caches struct metadata per type, as the ORM does.
var validate = sync.OnceValue(func() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
})

// hasValidateTags reports whether t or a struct it holds has a validate
// tag, so models without any skip the validator entirely.
func hasValidateTags(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Tag.Get("validate") != "" || hasValidateTags(sf.Type, seen) {
			return true
		}
	}
	return false
}

// checkStruct validates a whole model value.
func (c *codec) checkStruct(ptr any) error {
	if !c.info.validate {
		return nil
	}
	return c.validationError(validate().Struct(ptr))
}

// checkField validates one field's new value, as an update sets it.
// Rules that compare with other fields cannot run on one value and are
// skipped; Put checks them.
func (c *codec) checkField(f *field, v reflect.Value) error {
	if f.validate == "" {
		return nil
	}
	var rules []string
	for _, r := range strings.Split(f.validate, ",") {
		name, _, _ := strings.Cut(r, "=")
		if strings.Contains(name, "field") || strings.HasPrefix(name, "required_") || strings.HasPrefix(name, "excluded_") || name == "dive" {
			break // cross-field rule, or the rest applies to elements
		}
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		return nil
	}
	err := validate().Var(v.Interface(), strings.Join(rules, ","))
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err
	}
	ve := &ValidationError{Entity: c.entity}
	for _, e := range ves {
		fe := FieldError{Field: f.name, Attr: f.attr, Rule: e.Tag(), Param: e.Param()}
		if f.inner {
			fe.Attr = ""
		}
		ve.Fields = append(ve.Fields, fe)
	}
	return ve
}

func (c *codec) validationError(err error) error {
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err
	}
	ve := &ValidationError{Entity: c.entity}
	for _, e := range ves {
		// StructNamespace is "Score.Game" or "Score.Profile.Name".
		name := e.StructNamespace()
		if _, rest, ok := strings.Cut(name, "."); ok {
			name = rest
		}
		fe := FieldError{Field: name, Rule: e.Tag(), Param: e.Param()}
		if f, ok := c.info.byName[name]; ok {
			fe.Attr = f.attr
		}
		ve.Fields = append(ve.Fields, fe)
	}
	return ve
}
