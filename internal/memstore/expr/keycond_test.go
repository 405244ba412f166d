package expr

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestParseKeyCondition(t *testing.T) {
	tests := []struct {
		name, expr string
		pk, sk     string
		op         SortOp
		nvals      int
		str        string
	}{
		{"partition only", "pk = :p", "pk", "", 0, 0, "pk = :p"},
		{"sort equal", "pk = :p AND sk = :a", "pk", "sk", SortEQ, 1, "pk = :p AND sk = :a"},
		{"sort less", "pk = :p AND sk < :a", "pk", "sk", SortLT, 1, "pk = :p AND sk < :a"},
		{"sort less equal", "pk = :p AND sk <= :a", "pk", "sk", SortLE, 1, "pk = :p AND sk <= :a"},
		{"sort greater", "pk = :p AND sk > :a", "pk", "sk", SortGT, 1, "pk = :p AND sk > :a"},
		{"sort greater equal", "pk = :p AND sk >= :a", "pk", "sk", SortGE, 1, "pk = :p AND sk >= :a"},
		{"between", "pk = :p AND sk BETWEEN :a AND :b", "pk", "sk", SortBetween, 2, "pk = :p AND sk BETWEEN :a AND :b"},
		{"begins_with", "pk = :p AND begins_with(sk, :a)", "pk", "sk", SortBeginsWith, 1, "pk = :p AND begins_with(sk, :a)"},
		{"sort first", "sk > :a AND pk = :p", "pk", "sk", SortGT, 1, "pk = :p AND sk > :a"},
		{"value on the left flips", "pk = :p AND :a < sk", "pk", "sk", SortGT, 1, "pk = :p AND sk > :a"},
		{"value on the left flips less equal", "#pk = :p AND :a >= #sk", "pk", "sk", SortLE, 1, "#pk = :p AND #sk <= :a"},
		{"value on the left of the partition", ":p = pk", "pk", "", 0, 0, "pk = :p"},
		{"parentheses around each", "(#pk = :p) AND (#sk = :a)", "pk", "sk", SortEQ, 1, "#pk = :p AND #sk = :a"},
		{"parentheses around all", "(#pk = :p AND #sk = :a)", "pk", "sk", SortEQ, 1, "#pk = :p AND #sk = :a"},
		{"nested parentheses", "((#pk = :p) AND (#sk = :a))", "pk", "sk", SortEQ, 1, "#pk = :p AND #sk = :a"},
		{"parentheses around parentheses", "((#pk = :p)) AND ((#sk = :a))", "pk", "sk", SortEQ, 1, "#pk = :p AND #sk = :a"},
		{"parentheses around parentheses around all", "(((#pk = :p AND #sk = :a)))", "pk", "sk", SortEQ, 1, "#pk = :p AND #sk = :a"},
		{"sort key alone", "sk > :a", "", "sk", SortGT, 1, "sk > :a"},
		{"keywords any case", "pk = :p and sk between :a and :b", "pk", "sk", SortBetween, 2, "pk = :p AND sk BETWEEN :a AND :b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := params(t, `{"#pk":"pk","#sk":"sk"}`, `{":p":{"S":"P"},":a":{"S":"A"},":b":{"S":"B"}}`)
			kc, err := ParseKeyCondition(tc.expr, p)
			if err != nil {
				t.Fatalf("%q: %v", tc.expr, err)
			}
			if kc.PartitionName != tc.pk || kc.SortName != tc.sk || kc.SortOp != tc.op || len(kc.SortValues) != tc.nvals {
				t.Errorf("%q: got %+v", tc.expr, kc)
			}
			if tc.pk != "" && kc.PartitionValue.(*types.AttributeValueMemberS).Value != "P" {
				t.Errorf("%q: partition value %v", tc.expr, kc.PartitionValue)
			}
			if tc.nvals > 0 && kc.SortValues[0].(*types.AttributeValueMemberS).Value != "A" {
				t.Errorf("%q: sort value %v", tc.expr, kc.SortValues[0])
			}
			if got := kc.String(); got != tc.str {
				t.Errorf("%q: String() = %q, want %q", tc.expr, got, tc.str)
			}
			if _, err := ParseKeyCondition(kc.String(), p); err != nil {
				t.Errorf("%q: String() does not parse: %v", tc.expr, err)
			}
		})
	}
}

func TestKeyConditionOrient(t *testing.T) {
	p := params(t, "", `{":p":{"S":"P"},":a":{"S":"A"}}`)
	kc, err := ParseKeyCondition("sk = :a AND pk = :p", p)
	if err != nil {
		t.Fatal(err)
	}
	if kc.PartitionName != "sk" {
		t.Fatalf("both equalities: the first written is taken, got %q", kc.PartitionName)
	}
	kc.Orient("pk")
	if kc.PartitionName != "pk" || kc.SortName != "sk" || kc.PartitionValue.(*types.AttributeValueMemberS).Value != "P" ||
		kc.SortValues[0].(*types.AttributeValueMemberS).Value != "A" || kc.SortOp != SortEQ {
		t.Errorf("after Orient: %+v", kc)
	}
	if got := kc.String(); got != "pk = :p AND sk = :a" {
		t.Errorf("String() = %q", got)
	}
	kc.Orient("pk") // already oriented: no change
	if kc.PartitionName != "pk" {
		t.Errorf("second Orient swapped back: %+v", kc)
	}
	kc2, _ := ParseKeyCondition("pk = :p AND sk > :a", p)
	kc2.Orient("sk") // the sort term is not an equality: nothing to swap
	if kc2.PartitionName != "pk" {
		t.Errorf("Orient swapped a non-equality: %+v", kc2)
	}
}

func TestSortOpString(t *testing.T) {
	for op, want := range map[SortOp]string{SortEQ: "=", SortLT: "<", SortLE: "<=", SortGT: ">", SortGE: ">=", SortBetween: "BETWEEN", SortBeginsWith: "begins_with", SortOp(42): "SortOp(42)"} {
		if got := op.String(); got != want {
			t.Errorf("%d: %q, want %q", op, got, want)
		}
	}
}
