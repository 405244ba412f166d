package expr

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// values decodes a JSON list of typed values.
func values(t *testing.T, js string) []types.AttributeValue {
	t.Helper()
	if js == "" {
		return nil
	}
	var raw []any
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatal(err)
	}
	out := []types.AttributeValue{}
	for _, r := range raw {
		out = append(out, decodeAV(t, r))
	}
	return out
}

const legacyItem = `{
	"s": {"S": "hello"}, "n": {"N": "5"}, "b": {"B": "AQID"}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
	"l": {"L": [{"N": "4"}, {"S": "x"}]}, "m": {"M": {"k": {"S": "v"}}}, "z": {"NULL": true}, "t": {"BOOL": true}
}`

func TestFromFilter(t *testing.T) {
	tests := []struct {
		name, attr string
		op         types.ComparisonOperator
		vals       string
		want       bool
	}{
		{"EQ", "n", "EQ", `[{"N":"5"}]`, true},
		{"EQ other type", "n", "EQ", `[{"S":"5"}]`, false},
		{"EQ set", "ss", "EQ", `[{"SS":["b","a"]}]`, true},
		{"EQ list", "l", "EQ", `[{"L":[{"N":"4"},{"S":"x"}]}]`, true},
		{"EQ map", "m", "EQ", `[{"M":{"k":{"S":"v"}}}]`, true},
		{"EQ missing", "nothing", "EQ", `[{"N":"5"}]`, false},
		{"NE", "n", "NE", `[{"N":"4"}]`, true},
		{"NE equal", "n", "NE", `[{"N":"5"}]`, false},
		{"NE other type", "n", "NE", `[{"S":"5"}]`, true},
		{"NE missing", "nothing", "NE", `[{"N":"5"}]`, true},
		{"LE", "n", "LE", `[{"N":"5"}]`, true},
		{"LT", "n", "LT", `[{"N":"5"}]`, false},
		{"GE", "s", "GE", `[{"S":"hell"}]`, true},
		{"GT", "b", "GT", `[{"B":"AQI="}]`, true},
		{"GT other type", "n", "GT", `[{"S":"1"}]`, false},
		{"NOT_NULL", "z", "NOT_NULL", ``, true},
		{"NOT_NULL missing", "nothing", "NOT_NULL", ``, false},
		{"NULL", "nothing", "NULL", ``, true},
		{"NULL of a null value", "z", "NULL", ``, false},
		{"CONTAINS substring", "s", "CONTAINS", `[{"S":"ell"}]`, true},
		{"CONTAINS set", "ns", "CONTAINS", `[{"N":"2"}]`, true},
		{"CONTAINS list", "l", "CONTAINS", `[{"N":"4"}]`, true},
		{"CONTAINS binary", "b", "CONTAINS", `[{"B":"AgM="}]`, true},
		{"CONTAINS missing", "nothing", "CONTAINS", `[{"S":"a"}]`, false},
		{"NOT_CONTAINS", "ss", "NOT_CONTAINS", `[{"S":"c"}]`, true},
		{"NOT_CONTAINS present", "ss", "NOT_CONTAINS", `[{"S":"a"}]`, false},
		{"NOT_CONTAINS missing is false", "nothing", "NOT_CONTAINS", `[{"S":"a"}]`, false},
		{"BEGINS_WITH", "s", "BEGINS_WITH", `[{"S":"he"}]`, true},
		{"BEGINS_WITH other type", "n", "BEGINS_WITH", `[{"S":"5"}]`, false},
		{"IN", "n", "IN", `[{"N":"1"},{"N":"5"}]`, true},
		{"IN no match", "n", "IN", `[{"N":"1"},{"N":"2"}]`, false},
		{"IN against a set", "ns", "IN", `[{"N":"1"},{"N":"2"}]`, false},
		{"BETWEEN", "n", "BETWEEN", `[{"N":"1"},{"N":"5"}]`, true},
		{"BETWEEN outside", "n", "BETWEEN", `[{"N":"6"},{"N":"9"}]`, false},
		{"BETWEEN missing", "nothing", "BETWEEN", `[{"N":"0"},{"N":"9"}]`, false},
	}
	in := item(t, legacyItem)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromFilter(map[string]types.Condition{tc.attr: {ComparisonOperator: tc.op, AttributeValueList: values(t, tc.vals)}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Eval(in); got != tc.want {
				t.Errorf("%s %s %s = %v, want %v (%s)", tc.attr, tc.op, tc.vals, got, tc.want, c)
			}
		})
	}
}

func TestFromFilterErrors(t *testing.T) {
	tests := []struct {
		op   types.ComparisonOperator
		vals string
		want string
	}{
		{"EQ", ``, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"NE", `[{"S":"a"},{"S":"a"}]`, "One or more parameter values were invalid: Invalid number of argument(s) for the NE ComparisonOperator"},
		{"NULL", `[{"S":"a"}]`, "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"NOT_NULL", `[{"S":"a"}]`, "One or more parameter values were invalid: Invalid number of argument(s) for the NOT_NULL ComparisonOperator"},
		{"IN", ``, "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"},
		{"BETWEEN", `[{"N":"1"}]`, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"BETWEEN", `[{"N":"1"},{"N":"2"},{"N":"3"}]`, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"LE", `[{"SS":["a"]}]`, "One or more parameter values were invalid: ComparisonOperator LE is not valid for SS AttributeValue type"},
		{"LT", `[{"NS":["1"]}]`, "One or more parameter values were invalid: ComparisonOperator LT is not valid for NS AttributeValue type"},
		{"GE", `[{"BS":["AQ=="]}]`, "One or more parameter values were invalid: ComparisonOperator GE is not valid for BS AttributeValue type"},
		{"GT", `[{"L":[]}]`, "One or more parameter values were invalid: ComparisonOperator GT is not valid for L AttributeValue type"},
		{"CONTAINS", `[{"SS":["a"]}]`, "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type"},
		{"NOT_CONTAINS", `[{"L":[]}]`, "One or more parameter values were invalid: ComparisonOperator NOT_CONTAINS is not valid for L AttributeValue type"},
		{"BEGINS_WITH", `[{"N":"1"}]`, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{"IN", `[{"SS":["a"]}]`, "One or more parameter values were invalid: ComparisonOperator IN is not valid for SS AttributeValue type"},
		{"IN", `[{"N":"3"},{"S":"dog"}]`, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{"BETWEEN", `[{"S":"a"},{"SS":["a"]}]`, "One or more parameter values were invalid: ComparisonOperator BETWEEN is not valid for SS AttributeValue type"},
		{"BETWEEN", `[{"N":"4"},{"S":"dog"}]`, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{"BETWEEN", `[{"N":"4"},{"N":"3"}]`, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{"EQ", `[{"N":"x"}]`, "The parameter cannot be converted to a numeric value: x"},
		{"EQ", `[{"SS":[]}]`, "One or more parameter values were invalid: An string set  may not be empty"},
	}
	for _, tc := range tests {
		t.Run(string(tc.op)+" "+tc.vals, func(t *testing.T) {
			_, err := FromFilter(map[string]types.Condition{"a": {ComparisonOperator: tc.op, AttributeValueList: values(t, tc.vals)}}, "")
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestFromFilterConditionalOperator(t *testing.T) {
	in := item(t, legacyItem)
	conds := map[string]types.Condition{
		"n": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"N":"5"}]`)},
		"s": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"nope"}]`)},
	}
	and, _ := FromFilter(conds, "")
	or, _ := FromFilter(conds, types.ConditionalOperatorOr)
	if and.Eval(in) || !or.Eval(in) {
		t.Errorf("AND = %v, OR = %v", and.Eval(in), or.Eval(in))
	}
	if got := or.String(); got != `n = 5 OR s = "nope"` {
		t.Errorf("String() = %q", got)
	}
	if c, err := FromFilter(nil, ""); c != nil || err != nil {
		t.Errorf("no conditions: %v, %v", c, err)
	}
}

func TestFromExpected(t *testing.T) {
	in := item(t, legacyItem)
	tests := []struct {
		name string
		e    types.ExpectedAttributeValue
		want bool
	}{
		{"Value", types.ExpectedAttributeValue{Value: &types.AttributeValueMemberN{Value: "5"}}, true},
		{"Value differs", types.ExpectedAttributeValue{Value: &types.AttributeValueMemberN{Value: "6"}}, false},
		{"Exists true with Value", types.ExpectedAttributeValue{Exists: aws.Bool(true), Value: &types.AttributeValueMemberN{Value: "5"}}, true},
		{"Exists false", types.ExpectedAttributeValue{Exists: aws.Bool(false)}, false},
		{"ComparisonOperator", types.ExpectedAttributeValue{ComparisonOperator: "GT", AttributeValueList: values(t, `[{"N":"1"}]`)}, true},
		{"ComparisonOperator with Value", types.ExpectedAttributeValue{ComparisonOperator: "LT", Value: &types.AttributeValueMemberN{Value: "1"}}, false},
		{"NOT_NULL", types.ExpectedAttributeValue{ComparisonOperator: "NOT_NULL"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromExpected(map[string]types.ExpectedAttributeValue{"n": tc.e}, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Eval(in); got != tc.want {
				t.Errorf("got %v, want %v (%s)", got, tc.want, c)
			}
		})
	}
	c, err := FromExpected(map[string]types.ExpectedAttributeValue{"nothing": {Exists: aws.Bool(false)}}, "")
	if err != nil || !c.Eval(in) {
		t.Errorf("Exists false on a missing attribute: %v %v", c, err)
	}
	multi := map[string]types.ExpectedAttributeValue{
		"n":       {Value: &types.AttributeValueMemberN{Value: "74"}},
		"s":       {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"no"}]`)},
		"nothing": {Exists: aws.Bool(false)},
	}
	if c, _ := FromExpected(multi, types.ConditionalOperatorOr); !c.Eval(in) {
		t.Error("OR of one true condition should hold")
	}
	if c, _ := FromExpected(multi, types.ConditionalOperatorAnd); c.Eval(in) {
		t.Error("AND with false conditions should fail")
	}
}

func TestFromExpectedErrors(t *testing.T) {
	n := &types.AttributeValueMemberN{Value: "1"}
	tests := []struct {
		e    types.ExpectedAttributeValue
		want string
	}{
		{types.ExpectedAttributeValue{Value: n, AttributeValueList: []types.AttributeValue{n}, ComparisonOperator: "EQ"},
			"One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"},
		{types.ExpectedAttributeValue{Exists: aws.Bool(false), ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{n}},
			"One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{types.ExpectedAttributeValue{ComparisonOperator: "EQ"},
			"One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{types.ExpectedAttributeValue{AttributeValueList: []types.AttributeValue{n}},
			"One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{types.ExpectedAttributeValue{},
			"One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
		{types.ExpectedAttributeValue{Exists: aws.Bool(true)},
			"One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
		{types.ExpectedAttributeValue{Exists: aws.Bool(false), Value: n},
			"One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
		{types.ExpectedAttributeValue{ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{n, n}},
			"One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{types.ExpectedAttributeValue{ComparisonOperator: "CONTAINS", AttributeValueList: []types.AttributeValue{&types.AttributeValueMemberL{}}},
			"One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type"},
		{types.ExpectedAttributeValue{ComparisonOperator: "BETWEEN", AttributeValueList: values(t, `[{"N":"4"},{"N":"3"}]`)},
			"The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{types.ExpectedAttributeValue{Value: &types.AttributeValueMemberN{Value: "1e200"}},
			"Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := FromExpected(map[string]types.ExpectedAttributeValue{"a": tc.e}, "")
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestFromKeyConditions(t *testing.T) {
	kc, err := FromKeyConditions(map[string]types.Condition{
		"pk": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"P"}]`)},
		"sk": {ComparisonOperator: "BETWEEN", AttributeValueList: values(t, `[{"N":"1"},{"N":"5"}]`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if kc.PartitionName != "pk" || kc.SortName != "sk" || kc.SortOp != SortBetween || len(kc.SortValues) != 2 {
		t.Errorf("got %+v", kc)
	}
	if got := kc.String(); got != `pk = "P" AND sk BETWEEN 1 AND 5` {
		t.Errorf("String() = %q", got)
	}
	kc, err = FromKeyConditions(map[string]types.Condition{
		"a": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: values(t, `[{"S":"x"}]`)},
		"z": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"P"}]`)},
	})
	if err != nil || kc.PartitionName != "z" || kc.SortName != "a" || kc.SortOp != SortBeginsWith {
		t.Errorf("got %+v, %v", kc, err)
	}
	for _, tc := range []struct {
		conds map[string]types.Condition
		want  string
	}{
		{map[string]types.Condition{"pk": {ComparisonOperator: "NE", AttributeValueList: values(t, `[{"S":"P"}]`)}},
			"Attempted conditional constraint is not an indexable operation"},
		{map[string]types.Condition{"pk": {ComparisonOperator: "IN", AttributeValueList: values(t, `[{"S":"P"}]`)}},
			"Attempted conditional constraint is not an indexable operation"},
		{map[string]types.Condition{"pk": {ComparisonOperator: "EQ"}},
			"One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{map[string]types.Condition{},
			"Conditions can be of length 1 or 2 only"},
		{map[string]types.Condition{
			"a": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"P"}]`)},
			"b": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"P"}]`)},
			"c": {ComparisonOperator: "EQ", AttributeValueList: values(t, `[{"S":"P"}]`)}},
			"Conditions can be of length 1 or 2 only"},
		{map[string]types.Condition{
			"a": {ComparisonOperator: "GT", AttributeValueList: values(t, `[{"S":"P"}]`)},
			"b": {ComparisonOperator: "LT", AttributeValueList: values(t, `[{"S":"P"}]`)}},
			"Query key condition not supported"},
	} {
		if _, err := FromKeyConditions(tc.conds); err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %s", tc.conds, err, tc.want)
		}
	}
}

func TestFromAttributeUpdates(t *testing.T) {
	upd := func(action types.AttributeAction, js string) types.AttributeValueUpdate {
		u := types.AttributeValueUpdate{Action: action}
		if js != "" {
			u.Value = values(t, "["+js+"]")[0]
		}
		return u
	}
	tests := []struct {
		name    string
		updates map[string]types.AttributeValueUpdate
		item    string
		want    string
		err     string
	}{
		{name: "put", updates: map[string]types.AttributeValueUpdate{"a": upd("PUT", `{"S":"x"}`)}, item: `{"a":{"N":"1"}}`, want: `{"a":{"S":"x"}}`},
		{name: "default action is put", updates: map[string]types.AttributeValueUpdate{"a": upd("", `{"S":"x"}`)}, item: ``, want: `{"a":{"S":"x"}}`},
		{name: "add number", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"N":"2"}`)}, item: `{"a":{"N":"1"}}`, want: `{"a":{"N":"3"}}`},
		{name: "add number to missing", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"N":"2"}`)}, item: `{}`, want: `{"a":{"N":"2"}}`},
		{name: "add set", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"SS":["b","c"]}`)}, item: `{"a":{"SS":["a","b"]}}`, want: `{"a":{"SS":["a","b","c"]}}`},
		{name: "add list appends", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"L":[{"N":"2"}]}`)}, item: `{"a":{"L":[{"N":"1"}]}}`, want: `{"a":{"L":[{"N":"1"},{"N":"2"}]}}`},
		{name: "add type mismatch", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"N":"2"}`)}, item: `{"a":{"S":"x"}}`, err: "Type mismatch for attribute to update"},
		{name: "delete attribute", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", ``)}, item: `{"a":{"S":"x"},"b":{"S":"y"}}`, want: `{"b":{"S":"y"}}`},
		{name: "delete elements", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", `{"NS":["1"]}`)}, item: `{"a":{"NS":["1","2"]}}`, want: `{"a":{"NS":["2"]}}`},
		{name: "delete last element", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", `{"NS":["1"]}`)}, item: `{"a":{"NS":["1"]}}`, want: `{}`},
		{name: "delete from missing", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", `{"NS":["1"]}`)}, item: `{}`, want: `{}`},
		{name: "delete type mismatch", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", `{"NS":["1"]}`)}, item: `{"a":{"SS":["1"]}}`, err: "Type mismatch for attribute to update"},
		{name: "no value", updates: map[string]types.AttributeValueUpdate{"a": upd("PUT", ``)}, err: "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
		{name: "delete with a scalar", updates: map[string]types.AttributeValueUpdate{"a": upd("DELETE", `{"S":"x"}`)}, err: "One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
		{name: "add a string", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"S":"x"}`)}, err: "One or more parameter values were invalid: ADD action is not supported for the type S"},
		{name: "add a map", updates: map[string]types.AttributeValueUpdate{"a": upd("ADD", `{"M":{}}`)}, err: "One or more parameter values were invalid: ADD action is not supported for the type M"},
		{name: "invalid value", updates: map[string]types.AttributeValueUpdate{"a": upd("PUT", `{"N":"x"}`)}, err: "The parameter cannot be converted to a numeric value: x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := FromAttributeUpdates(tc.updates)
			if err == nil {
				in := item(t, tc.item)
				var got map[string]types.AttributeValue
				got, err = u.Apply(in)
				if err == nil && show(got) != show(item(t, tc.want)) {
					t.Errorf("got %s, want %s", show(got), tc.want)
				}
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
	u, _ := FromAttributeUpdates(map[string]types.AttributeValueUpdate{"b": upd("PUT", `{"S":"x"}`), "a": upd("DELETE", ``)})
	if got := u.Targets(); len(got) != 2 || got[0].String() != "a" || got[1].String() != "b" {
		t.Errorf("Targets() = %v", got)
	}
	if got := u.String(); got != `DELETE a PUT b "x"` {
		t.Errorf("String() = %q", got)
	}
}
