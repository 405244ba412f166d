package orm_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type Embedded struct {
	Note string `dynamo:"note"`
}

type kitchenSink struct {
	_ orm.Entity `entity:"sink" pk:"SINK#{ID}" sk:"SINK"`
	Embedded
	ID       string             `dynamo:"id"`
	I8       int8               `dynamo:"i8"`
	U        uint32             `dynamo:"u"`
	F32      float32            `dynamo:"f32"`
	B        bool               `dynamo:"b"`
	T        time.Time          `dynamo:"t"`
	UT       time.Time          `dynamo:"ut,unixtime"`
	L        []string           `dynamo:"l"`
	SS       []string           `dynamo:"ss,set"`
	NS       []int              `dynamo:"ns,set"`
	M        map[string]int     `dynamo:"m"`
	P        *string            `dynamo:"p"`
	D        time.Duration      `dynamo:"d"`
	Raw      []byte             `dynamo:"raw"`
	Nested   struct{ A, B int } `dynamo:"nested"`
	Untagged string
	Skipped  string `dynamo:"-"`
}

// The ORM's decoder must produce exactly what guregu/dynamo produces.
func TestDecodeMatchesGuregu(t *testing.T) {
	sinks := orm.MustRegister[kitchenSink](orm.NewTable(ormtest.New(t), "app"))
	p := "ptr"
	in := kitchenSink{
		Embedded: Embedded{Note: "n"}, ID: "1", I8: -8, U: 7, F32: 1.5, B: true,
		T: time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("x", 3600)), UT: time.Unix(1700000000, 0),
		L: []string{"a", "b"}, SS: []string{"x"}, NS: []int{3, 1}, M: map[string]int{"k": 1}, P: &p,
		D: time.Second, Raw: []byte{1, 2}, Untagged: "u", Skipped: "s",
	}
	in.Nested.A = 4
	item, err := sinks.Encode(&in)
	if err != nil {
		t.Fatal(err)
	}
	var want kitchenSink
	if err := dynamo.UnmarshalItem(item, &want); err != nil {
		t.Fatal(err)
	}
	got, err := sinks.Decode(item)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("orm  %+v\nguregu %+v", got, want)
	}
	// Unexpected shapes fall back to guregu: a NULL string, a number as a
	// string list element.
	item["id"] = &types.AttributeValueMemberNULL{Value: true}
	item["l"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberNULL{Value: true}}}
	var want2 kitchenSink
	errG := dynamo.UnmarshalItem(item, &want2)
	got2, errO := sinks.Decode(item)
	if (errG == nil) != (errO == nil) || (errG == nil && !reflect.DeepEqual(got2, want2)) {
		t.Fatalf("fallback: orm %v %+v\nguregu %v %+v", errO, got2, errG, want2)
	}
}

// FuzzDecode: on any item, the ORM's direct decoder agrees with
// guregu/dynamo, the reference it stands in for: both fail, or both
// produce the same value.
func FuzzDecode(f *testing.F) {
	sinks := orm.MustRegister[kitchenSink](orm.NewTable(ormtest.NewDB(), "app"))
	f.Add([]byte{1, 2, 2, 2, 3, 2, 1, 2, 5, 6, 6, 7, 2, 1, 8, 9, 2, 1}, "a", "2024-05-06T07:08:09Z", "12")
	f.Add([]byte{2, 1, 1, 1, 1, 1, 2, 1, 7, 5, 0, 0, 9, 4, 4, 4, 4, 4}, "1e3", "-0", "1.5")
	f.Add([]byte{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, "", "", "-129")
	f.Add([]byte{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, "x", "y", "340282356779733661637539395458142568448")
	names := []string{"note", "id", "i8", "u", "f32", "b", "t", "ut", "l", "ss", "ns", "m", "p", "d", "raw", "nested", "Untagged", "type"}
	f.Fuzz(func(t *testing.T, sel []byte, s1, s2, n string) {
		item := map[string]types.AttributeValue{}
		for i, name := range names {
			if i >= len(sel) {
				break
			}
			switch sel[i] % 10 {
			case 1:
				item[name] = &types.AttributeValueMemberS{Value: s1}
			case 2:
				item[name] = &types.AttributeValueMemberN{Value: n}
			case 3:
				item[name] = &types.AttributeValueMemberBOOL{Value: sel[i]&16 != 0}
			case 4:
				item[name] = &types.AttributeValueMemberNULL{Value: true}
			case 5:
				item[name] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: s1}, &types.AttributeValueMemberS{Value: s2}}}
			case 6:
				item[name] = &types.AttributeValueMemberSS{Value: []string{s1, s2}}
			case 7:
				item[name] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: n}}}
			case 8:
				item[name] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{s1: &types.AttributeValueMemberN{Value: n}, "A": &types.AttributeValueMemberN{Value: n}}}
			case 9:
				item[name] = &types.AttributeValueMemberNS{Value: []string{n}}
			}
		}
		item["type"] = &types.AttributeValueMemberS{Value: "sink"}
		var want kitchenSink
		errG := dynamo.UnmarshalItem(item, &want)
		got, errO := sinks.Decode(item)
		if (errG == nil) != (errO == nil) {
			t.Fatalf("item %v: orm says %v, guregu says %v", item, errO, errG)
		}
		if errG == nil && !reflect.DeepEqual(got, want) && fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("item %v:\norm    %+v\nguregu %+v", item, got, want)
		}
	})
}
