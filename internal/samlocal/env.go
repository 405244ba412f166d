package samlocal

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// EnvVars are the environment overrides of an env.json file, as
// `sam local` reads them: variables by function logical ID, and under
// "Parameters" for every function. As in sam local, they override only
// variables the template declares for the function.
type EnvVars map[string]map[string]string

// ReadEnvVars reads an env.json file.
func ReadEnvVars(path string) (EnvVars, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ev := EnvVars{}
	for fn, vars := range raw {
		ev[fn] = map[string]string{}
		for k, v := range vars {
			s, err := scalarString(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s.%s: %w", path, fn, k, err)
			}
			ev[fn][k] = s
		}
	}
	return ev, nil
}

// override returns env.json's value of a function's variable.
func (ev EnvVars) override(fn, name string) (string, bool) {
	if v, ok := ev[fn][name]; ok {
		return v, true
	}
	v, ok := ev["Parameters"][name]
	return v, ok
}

// tableNames names each table locally: its TableName; else the name
// env.json gives the variables the template sets to its Ref (so that
// TABLE_NAME from env.json and the table created agree); else its logical
// ID, which is what sam local makes of a resource's Ref.
func (t *Template) tableNames(ev EnvVars) (map[string]string, error) {
	names := map[string]string{}
	for _, tb := range t.Tables {
		if tb.Name != "" {
			names[tb.ID] = tb.Name
			continue
		}
		seen := map[string][]string{} // name -> where
		for _, fn := range t.Functions {
			for _, k := range slices.Sorted(maps.Keys(fn.env)) {
				ref, ok := fn.env[k].(map[string]any)
				if !ok || len(ref) != 1 || ref["Ref"] != tb.ID {
					continue
				}
				if v, ok := ev.override(fn.Name, k); ok && v != "" {
					seen[v] = append(seen[v], fn.Name+"."+k)
				}
			}
		}
		switch len(seen) {
		case 0:
			names[tb.ID] = tb.ID
		case 1:
			for v := range seen {
				names[tb.ID] = v
			}
		default:
			var desc []string
			for _, v := range slices.Sorted(maps.Keys(seen)) {
				desc = append(desc, fmt.Sprintf("%q (%s)", v, strings.Join(seen[v], ", ")))
			}
			return nil, fmt.Errorf("env.json gives table %s different names: %s", tb.ID, strings.Join(desc, ", "))
		}
	}
	return names, nil
}

// environment is a function's environment: the template's variables
// (Globals merged) resolved, env.json's overrides, then what local runs
// need: the DynamoDB (and Streams) endpoint, and credentials, which
// locally no execution role provides. It returns the dynamic references
// left unresolved.
func environment(fn *Function, res *resolver, ev EnvVars, endpoint string) (map[string]string, []string, error) {
	env := map[string]string{}
	var unresolved []string
	for _, k := range slices.Sorted(maps.Keys(fn.env)) {
		if v, ok := ev.override(fn.Name, k); ok {
			env[k] = v
			continue
		}
		rv, err := res.resolve(fn.env[k])
		if err != nil {
			return nil, nil, fmt.Errorf("environment variable %s: %w", k, err)
		}
		if _, drop := rv.(noValue); drop {
			continue
		}
		s, err := scalarString(rv)
		if err != nil {
			return nil, nil, fmt.Errorf("environment variable %s: %w", k, err)
		}
		s, un := res.dynamicRefs(s)
		for _, u := range un {
			unresolved = append(unresolved, k+": "+u)
		}
		env[k] = s
	}
	if endpoint != "" {
		// env.json's endpoint (host.docker.internal, for sam local's
		// containers) is not this one: the functions run on this host.
		env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
		env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = endpoint
	}
	if env["AWS_ACCESS_KEY_ID"] == "" || env["AWS_SECRET_ACCESS_KEY"] == "" {
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "local", "local"
		delete(env, "AWS_SESSION_TOKEN")
	}
	return env, unresolved, nil
}
