package samlocal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Intrinsic functions are resolved to local values, the way sam local
// resolves them: a parameter is its override or Default; a table's Ref is
// its local name and its Arn and StreamArn are the store's; any other
// resource's Ref is its logical ID. goformation parses the YAML (short
// forms included) but resolves Ref only to parameter defaults and GetAtt
// not at all, so the resolution is ours.

// noValue is what AWS::NoValue resolves to: the key or element is dropped.
type noValue struct{}

// Pseudo parameters, as sam local reports them.
const (
	localAccount = "123456789012"
	localStack   = "local"
)

type resolver struct {
	params     map[string]any               // resolved parameter values
	conditions map[string]any               // raw condition bodies
	resources  map[string]rawResource       // by logical ID
	region     string                       // AWS::Region
	refs       map[string]string            // Ref of resources other than by logical ID (tables)
	attrs      map[string]map[string]string // GetAtt values known locally (table ARNs)
	secrets    map[string]string            // generated secret strings, by logical ID
	evaluating map[string]bool              // conditions being evaluated (cycles)
}

func newResolver(raw *rawTemplate, region string, overrides map[string]string) (*resolver, error) {
	r := &resolver{
		params:     map[string]any{},
		conditions: raw.Conditions,
		resources:  raw.Resources,
		region:     region,
		refs:       map[string]string{},
		attrs:      map[string]map[string]string{},
		secrets:    map[string]string{},
		evaluating: map[string]bool{},
	}
	for name, p := range raw.Parameters {
		if v, ok := overrides[name]; ok {
			r.params[name] = v
		} else if p.Default != nil {
			r.params[name] = p.Default
		}
	}
	for name := range overrides {
		if _, ok := raw.Parameters[name]; !ok {
			return nil, fmt.Errorf("parameter override %s: the template has no such parameter", name)
		}
	}
	return r, nil
}

// resolve evaluates every intrinsic function in v, a value decoded from
// the template's JSON form.
func (r *resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") || k == "Condition" {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := rv.(noValue); !drop {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.resolve(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := rv.(noValue); !drop {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

// resolveString resolves v to a string (numbers and booleans as
// CloudFormation writes them).
func (r *resolver) resolveString(v any) (string, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return "", err
	}
	return scalarString(rv)
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return x.String(), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("wants a string, has %T", v)
}

func (r *resolver) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref of %T", arg)
		}
		return r.ref(name)
	case "Fn::GetAtt":
		id, attr, err := getAttArgs(arg)
		if err != nil {
			return nil, err
		}
		return r.getAtt(id, attr)
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Join wants [delimiter, list]")
		}
		delim, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Join: delimiter of %T", a[0])
		}
		list, err := r.resolve(a[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Join: list of %T", list)
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if parts[i], err = scalarString(it); err != nil {
				return nil, fmt.Errorf("Fn::Join: %w", err)
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Select wants [index, list]")
		}
		idx, err := r.resolveString(a[0])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(idx)
		if err != nil {
			return nil, fmt.Errorf("Fn::Select: index %q", idx)
		}
		list, err := r.resolve(a[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select: index %d out of range", i)
		}
		return items[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Split wants [delimiter, string]")
		}
		delim, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Split: delimiter of %T", a[0])
		}
		s, err := r.resolveString(a[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Base64":
		s, err := r.resolveString(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, fmt.Errorf("Fn::If wants [condition, then, else]")
		}
		name, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::If: condition of %T", a[0])
		}
		yes, err := r.condition(name)
		if err != nil {
			return nil, err
		}
		if yes {
			return r.resolve(a[1])
		}
		return r.resolve(a[2])
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Condition of %T", arg)
		}
		return r.condition(name)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return r.evalCondition(map[string]any{fn: arg})
	}
	return nil, fmt.Errorf("%s is not supported in local runs", fn)
}

func (r *resolver) ref(name string) (any, error) {
	switch name {
	case "AWS::Region":
		return r.region, nil
	case "AWS::AccountId":
		return localAccount, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return localStack, nil
	case "AWS::StackId":
		return "arn:aws:cloudformation:" + r.region + ":" + localAccount + ":stack/" + localStack + "/local", nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	if v, ok := r.refs[name]; ok {
		return v, nil
	}
	if _, ok := r.resources[name]; ok {
		return name, nil // sam local's answer for a resource it does not create
	}
	return nil, fmt.Errorf("Ref %s: no such parameter or resource", name)
}

func getAttArgs(arg any) (id, attr string, err error) {
	switch x := arg.(type) {
	case string:
		if id, attr, ok := strings.Cut(x, "."); ok {
			return id, attr, nil
		}
	case []any:
		if len(x) == 2 {
			id, ok1 := x[0].(string)
			attr, ok2 := x[1].(string)
			if ok1 && ok2 {
				return id, attr, nil
			}
		}
	}
	return "", "", fmt.Errorf("Fn::GetAtt wants [resource, attribute], has %v", arg)
}

func (r *resolver) getAtt(id, attr string) (any, error) {
	if v, ok := r.attrs[id][attr]; ok {
		return v, nil
	}
	res, ok := r.resources[id]
	if !ok {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	// Resources local runs do not create get an ARN-shaped placeholder.
	service := strings.ToLower(strings.Split(res.Type+"::", "::")[1])
	return "arn:aws:" + service + ":" + r.region + ":" + localAccount + ":" + id + "/" + attr, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) sub(arg any) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch x := arg.(type) {
	case string:
		tmpl = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("Fn::Sub wants a string or [string, variables]")
		}
		s, ok := x[0].(string)
		m, ok2 := x[1].(map[string]any)
		if !ok || !ok2 {
			return nil, fmt.Errorf("Fn::Sub wants a string or [string, variables]")
		}
		tmpl = s
		for k, v := range m {
			rv, err := r.resolve(v)
			if err != nil {
				return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			vars[k] = rv
		}
	default:
		return nil, fmt.Errorf("Fn::Sub of %T", arg)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") { // ${!Literal}
			return "${" + name[1:] + "}"
		}
		var v any
		var err error
		if x, ok := vars[name]; ok {
			v = x
		} else if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = r.getAtt(id, attr)
		} else {
			v, err = r.ref(name)
		}
		if err == nil {
			var s string
			s, err = scalarString(v)
			if err == nil {
				return s
			}
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		return m
	})
	return out, firstErr
}

func (r *resolver) condition(name string) (bool, error) {
	body, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("no condition %s", name)
	}
	if r.evaluating[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	r.evaluating[name] = true
	defer delete(r.evaluating, name)
	return r.evalCondition(body)
}

func (r *resolver) evalCondition(body any) (bool, error) {
	m, ok := body.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("condition: want one condition function, have %v", body)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name)
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals wants two values")
			}
			a, err := r.resolve(args[0])
			if err != nil {
				return false, err
			}
			b, err := r.resolve(args[1])
			if err != nil {
				return false, err
			}
			as, err1 := scalarString(a)
			bs, err2 := scalarString(b)
			if err1 != nil || err2 != nil {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				return string(ja) == string(jb), nil
			}
			return as == bs, nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			var vals []bool
			for _, a := range args {
				v, err := r.evalCondition(a)
				if err != nil {
					return false, err
				}
				vals = append(vals, v)
			}
			switch fn {
			case "Fn::Not":
				if len(vals) != 1 {
					return false, fmt.Errorf("Fn::Not wants one condition")
				}
				return !vals[0], nil
			case "Fn::And":
				return !slices.Contains(vals, false), nil
			default:
				return slices.Contains(vals, true), nil
			}
		}
		return false, fmt.Errorf("%s is not a condition function", fn)
	}
	panic("unreachable")
}

// Dynamic references, {{resolve:service:reference}}, are resolved by
// CloudFormation at deployment. Locally, a secret the template creates
// itself (AWS::SecretsManager::Secret) is a random string made once per
// run, as GenerateSecretString would make it, or its SecretString; any
// other reference is left as it is, and reported.
var dynamicRef = regexp.MustCompile(`\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]*)\}\}`)

func (r *resolver) dynamicRefs(s string) (out string, unresolved []string) {
	out = dynamicRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := dynamicRef.FindStringSubmatch(m)
		if sub[1] != "secretsmanager" {
			unresolved = append(unresolved, m)
			return m
		}
		id, rest, _ := strings.Cut(sub[2], ":")
		if rest != "SecretString" && rest != "" {
			unresolved = append(unresolved, m)
			return m
		}
		v, ok := r.secret(id)
		if !ok {
			unresolved = append(unresolved, m)
			return m
		}
		return v
	})
	return out, unresolved
}

func (r *resolver) secret(id string) (string, bool) {
	if v, ok := r.secrets[id]; ok {
		return v, true
	}
	res, ok := r.resources[id]
	if !ok {
		// The secret may be named by its Name property.
		for _, lid := range slices.Sorted(maps.Keys(r.resources)) {
			if rr := r.resources[lid]; rr.Type == "AWS::SecretsManager::Secret" && rr.Properties["Name"] == id {
				res, id, ok = rr, lid, true
				break
			}
		}
	}
	if !ok || res.Type != "AWS::SecretsManager::Secret" {
		return "", false
	}
	if s, ok := res.Properties["SecretString"].(string); ok {
		r.secrets[id] = s
		return s, true
	}
	n := 32 // GenerateSecretString's default PasswordLength
	if g, ok := res.Properties["GenerateSecretString"].(map[string]any); ok {
		if l, ok := g["PasswordLength"].(float64); ok && l > 0 {
			n = int(l)
		}
	}
	r.secrets[id] = randomAlnum(n)
	return r.secrets[id], true
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
