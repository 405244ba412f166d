package lambda

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// validate is the one validator: it caches what it learns per type, and
// names fields as the request does (path, query, header, cookie or JSON
// name), so errors speak the client's language.
var validate = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(requestName)
	return v
})

func requestName(f reflect.StructField) string {
	if name, _, ok := bindTag(f); ok {
		return name
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

func hasValidateTag(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("validate"); ok {
			return true
		}
		if hasValidateTag(f.Type, seen) {
			return true
		}
	}
	return false
}

// check runs the validate tags of the bound input.
func (b *binding) check(ctx context.Context, v any) error {
	err := validate().StructCtx(ctx, v)
	if err == nil {
		return nil
	}
	var verr validator.ValidationErrors
	if !errors.As(err, &verr) {
		return fmt.Errorf("lambda: validating %T: %w", v, err)
	}
	return &Problem{Status: http.StatusBadRequest, Detail: "invalid request", Errors: fieldErrors(verr, b)}
}

// fieldErrors names each failure as the client sent it: a parameter by
// its name and place, a body field by its JSON path.
func fieldErrors(verr validator.ValidationErrors, b *binding) []FieldError {
	out := make([]FieldError, 0, len(verr))
	for _, fe := range verr {
		_, name, _ := strings.Cut(fe.Namespace(), ".")
		in := "body"
		if b != nil {
			_, gopath, _ := strings.Cut(fe.StructNamespace(), ".")
			if p := b.byGoPath[gopath]; p != nil {
				name, in = p.name, inNames[p.in]
			}
		}
		out = append(out, FieldError{Name: name, In: in, Reason: reason(fe), Rule: fe.Tag()})
	}
	return out
}

// reason words a failed rule for a client.
func reason(fe validator.FieldError) string { return ruleReason(fe.Tag(), fe.Param(), fe.Kind()) }

func ruleReason(tag, p string, kind reflect.Kind) string {
	switch tag {
	case "required", "required_if", "required_unless", "required_with", "required_without",
		"required_with_all", "required_without_all":
		return "is required"
	case "min", "gte":
		return bound(kind, "at least", p)
	case "max", "lte":
		return bound(kind, "at most", p)
	case "gt":
		return bound(kind, "more than", p)
	case "lt":
		return bound(kind, "less than", p)
	case "len", "eq":
		return bound(kind, "exactly", p)
	case "ne":
		return "must not be " + p
	case "oneof":
		return "must be one of " + strings.Join(strings.Fields(p), ", ")
	case "email":
		return "must be an email address"
	case "url", "http_url", "uri":
		return "must be a URL"
	case "uuid", "uuid3", "uuid4", "uuid5", "uuid_rfc4122":
		return "must be a UUID"
	case "alpha":
		return "must contain letters only"
	case "alphanum":
		return "must contain letters and digits only"
	case "numeric", "number":
		return "must be numeric"
	case "datetime":
		return "must be a time in the layout " + p
	}
	if p != "" {
		return fmt.Sprintf("fails the %s=%s rule", tag, p)
	}
	return fmt.Sprintf("fails the %s rule", tag)
}

func bound(kind reflect.Kind, word, p string) string {
	switch kind {
	case reflect.String:
		return fmt.Sprintf("must be %s %s characters long", word, p)
	case reflect.Slice, reflect.Array, reflect.Map:
		return fmt.Sprintf("must have %s %s items", word, p)
	}
	return fmt.Sprintf("must be %s %s", word, p)
}
