package attr

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestCopierCopiesAreIndependent: copies carved from shared blocks change
// neither the source nor each other, across block boundaries.
func TestCopierCopiesAreIndependent(t *testing.T) {
	c := Copier{Block: 3}
	var src, dst []map[string]types.AttributeValue
	for i := range 5 {
		item := map[string]types.AttributeValue{
			"s": &types.AttributeValueMemberS{Value: fmt.Sprint("s", i)},
			"n": &types.AttributeValueMemberN{Value: fmt.Sprint(i)},
			"t": &types.AttributeValueMemberS{Value: fmt.Sprint("t", i)},
			"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}}},
		}
		src = append(src, item)
		dst = append(dst, c.Item(item))
	}
	for i, d := range dst {
		d["s"].(*types.AttributeValueMemberS).Value = "changed"
		d["n"].(*types.AttributeValueMemberN).Value = "-1"
		d["l"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberS).Value = "changed"
		if got := src[i]["s"].(*types.AttributeValueMemberS).Value; got != fmt.Sprint("s", i) {
			t.Fatalf("item %d: source changed to %q", i, got)
		}
		if got := src[i]["l"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberS).Value; got != "x" {
			t.Fatalf("item %d: source list changed to %q", i, got)
		}
		for j := i + 1; j < len(dst); j++ {
			if got := dst[j]["s"].(*types.AttributeValueMemberS).Value; got != fmt.Sprint("s", j) {
				t.Fatalf("changing copy %d changed copy %d to %q", i, j, got)
			}
			if got := dst[j]["t"].(*types.AttributeValueMemberS).Value; got != fmt.Sprint("t", j) {
				t.Fatalf("changing copy %d changed copy %d's t to %q", i, j, got)
			}
			if got := dst[j]["n"].(*types.AttributeValueMemberN).Value; got != fmt.Sprint(j) {
				t.Fatalf("changing copy %d changed copy %d's n to %q", i, j, got)
			}
		}
	}
	if CopyItem(nil) != nil || c.Item(nil) != nil {
		t.Fatal("nil must copy to nil")
	}
}
