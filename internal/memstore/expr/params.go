package expr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// maxPlaceholderKey is the longest key ExpressionAttributeNames or
// ExpressionAttributeValues may use, in bytes.
const maxPlaceholderKey = 255

// Params holds a request's ExpressionAttributeNames and
// ExpressionAttributeValues, and remembers which of them the request's
// expressions used: DynamoDB rejects a request that defines one it never
// uses. A Params belongs to one request; it is not safe for concurrent use.
type Params struct {
	names      map[string]string
	values     map[string]types.AttributeValue
	usedNames  map[string]bool
	usedValues map[string]bool
}

// NewParams validates the placeholders of a request. Values are checked and
// put in the form DynamoDB stores (canonical numbers). Either map may be
// nil; a non-nil empty map is an error, as in DynamoDB.
func NewParams(names map[string]string, values map[string]types.AttributeValue) (*Params, error) {
	return newParams(names, values, attr.Normalize)
}

// NewOlderParams is NewParams as the older validation layer (the
// transactions) checks values: one level deeper is allowed (see
// attr.NormalizeExpressionValue).
func NewOlderParams(names map[string]string, values map[string]types.AttributeValue) (*Params, error) {
	return newParams(names, values, attr.NormalizeExpressionValue)
}

func newParams(names map[string]string, values map[string]types.AttributeValue,
	normalize func(types.AttributeValue) (types.AttributeValue, error)) (*Params, error) {
	p := &Params{usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	if names != nil {
		if len(names) == 0 {
			return nil, newError("ExpressionAttributeNames must not be empty")
		}
		for _, k := range sortedKeys(names) {
			if err := checkPlaceholderKey("ExpressionAttributeNames", k, '#'); err != nil {
				return nil, err
			}
			if names[k] == "" {
				return nil, newError("ExpressionAttributeNames contains invalid value: Empty attribute name for key " + k)
			}
			if len(names[k]) > attr.MaxNameBytes {
				return nil, newError("ExpressionAttributeNames contains invalid value: " + attr.ErrNameTooLarge.Error() + " for key " + k)
			}
		}
		p.names = names
	}
	if values != nil {
		if len(values) == 0 {
			return nil, newError("ExpressionAttributeValues must not be empty")
		}
		keys := sortedKeys(values)
		for _, k := range keys {
			if err := checkPlaceholderKey("ExpressionAttributeValues", k, ':'); err != nil {
				return nil, err
			}
		}
		p.values = make(map[string]types.AttributeValue, len(values))
		for _, k := range keys {
			v, err := normalize(values[k])
			if err != nil {
				return nil, &Error{msg: "ExpressionAttributeValues contains invalid value: " + err.Error() + " for key " + k, cause: err}
			}
			p.values[k] = v
		}
	}
	return p, nil
}

func checkPlaceholderKey(param, key string, prefix byte) error {
	if len(key) > maxPlaceholderKey {
		return newError(param + " contains invalid key: The expression attribute map contains a key that is too long; size of key: " + strconv.Itoa(len(key)))
	}
	ok := len(key) > 1 && key[0] == prefix
	for i := 1; ok && i < len(key); i++ {
		ok = isWord(key[i])
	}
	if !ok {
		return newError(param + ` contains invalid key: Syntax error; key: "` + key + `"`)
	}
	return nil
}

// CheckUnused reports placeholders no expression of the request used. Call
// it after parsing every expression of the request.
func (p *Params) CheckUnused() error {
	if p == nil {
		return nil
	}
	if keys := unused(p.names, p.usedNames); keys != "" {
		return newError("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}")
	}
	if keys := unused(p.values, p.usedValues); keys != "" {
		return newError("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys + "}")
	}
	return nil
}

func unused[V any](m map[string]V, used map[string]bool) string {
	var keys []string
	for k := range m {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func (p *Params) name(ref string) (string, bool) {
	if p == nil {
		return "", false
	}
	n, ok := p.names[ref]
	if ok {
		p.usedNames[ref] = true
	}
	return n, ok
}

func (p *Params) value(ref string) (types.AttributeValue, bool) {
	if p == nil {
		return nil, false
	}
	v, ok := p.values[ref]
	if ok {
		p.usedValues[ref] = true
	}
	return v, ok
}

// resolve substitutes #placeholders without marking them used; callers
// have checked they are defined.
func (p *Params) resolve(raw Path) Path {
	elems := make([]PathElem, len(raw.Elems))
	for i, e := range raw.Elems {
		if !e.IsIndex && e.ref != "" && p != nil {
			e.Name = p.names[e.ref]
		}
		elems[i] = e
	}
	return Path{Elems: elems}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
