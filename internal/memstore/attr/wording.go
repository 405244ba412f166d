package attr

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
)

// DynamoDB checks attribute values in one of two layers, which word some
// failures differently (2026-10 captures in us-east-1, eu-west-2,
// eu-west-1, us-west-2). The older layer (BatchWriteItem, the
// transactions, Scan) reads numbers as Java's BigDecimal does and echoes
// sets as sent; the current one (PutItem, UpdateItem, DeleteItem, GetItem,
// BatchGetItem, Query) reads a number's exponent as a 64-bit integer and
// lists a set's members in order up to the first repeat.
//
// A ValueError carries both wordings. Error gives the older one, which is
// what a plain error path reports; [CurrentWording] gives the other.
type ValueError struct {
	older, current string
}

func (e *ValueError) Error() string { return e.older }

func valueError(older, current string) *ValueError {
	return &ValueError{older: older, current: current}
}

// CurrentWording returns err as the current validation layer words it:
// a ValueError's current form, or err unchanged.
func CurrentWording(err error) error {
	var ve *ValueError
	if errors.As(err, &ve) {
		return errors.New(ve.current)
	}
	return err
}

const msgInvalid = "One or more parameter values were invalid: "

// stringSetDuplicates words a string set with a repeated member.
func stringSetDuplicates(sent []string) *ValueError {
	return valueError(
		msgInvalid+"Input collection ["+strings.Join(sent, ", ")+"] contains duplicates.",
		msgInvalid+"Input collection ["+strings.Join(quoteAll(firstRepeatOrder(sent)), ", ")+"] contains duplicates.",
	)
}

// binarySetDuplicates words a binary set with a repeated member: base64,
// and no space before "of" in either layer.
func binarySetDuplicates(sent [][]byte) *ValueError {
	enc := make([]string, len(sent))
	raw := make([]string, len(sent))
	for i, b := range sent {
		enc[i] = base64.StdEncoding.EncodeToString(b)
		raw[i] = string(b)
	}
	ordered := firstRepeatOrder(raw)
	for i, r := range ordered {
		ordered[i] = base64.StdEncoding.EncodeToString([]byte(r))
	}
	return valueError(
		msgInvalid+"Input collection ["+strings.Join(enc, ", ")+"]of type BS contains duplicates.",
		msgInvalid+"Input collection ["+strings.Join(quoteAll(ordered), ",")+"]of type BS contains duplicates.",
	)
}

// errNumberSetDuplicates names no members in either layer.
var errNumberSetDuplicates = valueError("Input collection contains duplicates", msgInvalid+"Input collection contains duplicates.")

// firstRepeatOrder lists members as the current layer echoes them: the
// distinct members read before the first repeat, in byte order, then the
// repeat, then the rest as sent.
func firstRepeatOrder(sent []string) []string {
	seen := map[string]bool{}
	for i, v := range sent {
		if seen[v] {
			head := make([]string, 0, len(sent))
			for k := range seen {
				head = append(head, k)
			}
			slices.Sort(head)
			return append(append(head, v), sent[i+1:]...)
		}
		seen[v] = true
	}
	return slices.Clone(sent)
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = `"` + v + `"`
	}
	return out
}
