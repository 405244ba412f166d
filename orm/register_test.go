package orm_test

import (
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type badUnknownField struct {
	_  orm.Entity `entity:"bad" pk:"X#{Nope}" sk:"X"`
	ID string
}

type badKeyType struct {
	_    orm.Entity `entity:"bad" pk:"X#{Tags}" sk:"X"`
	Tags []string
}

type badIndex struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID}" sk:"X" gsi9pk:"{ID}" gsi9sk:"{ID}"`
	ID string
}

type badNoEntity struct{ ID string }

type badTag struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID}" sk:"X" skk:"oops"`
	ID string
}

type badReserved struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID}" sk:"X"`
	ID string     `dynamo:"pk"`
}

type badHalfIndex struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID}" sk:"X" gsi1pk:"{ID}"`
	ID string
}

type badVersion struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID}" sk:"X"`
	ID string
	V  string `orm:"version"`
}

type badTemplate struct {
	_  orm.Entity `entity:"bad" pk:"X#{ID" sk:"X"`
	ID string
}

type profileA struct {
	_  orm.Entity `entity:"a" pk:"USER#{ID}" sk:"PROFILE"`
	ID string
}

type profileB struct {
	_  orm.Entity `entity:"b" pk:"USER#{ID}" sk:"PROFILE"`
	ID string
}

type prefixB struct {
	_  orm.Entity `entity:"b" pk:"USER#{ID}" sk:"PROF{ID}"`
	ID string
}

type freeForm struct {
	_  orm.Entity `entity:"free" pk:"U{ID}" sk:"U{ID}"`
	ID string
}

type uniqueThing struct {
	_    orm.Entity `entity:"thing" pk:"THING#{ID}" sk:"THING"`
	ID   string
	Name string `orm:"unique"`
}

type numA struct {
	_  orm.Entity `entity:"na" pk:"A#{ID}" sk:"A" gsi1pk:"X" gsi1sk:"{N}"`
	ID string
	N  int
}

type strB struct {
	_  orm.Entity `entity:"sb" pk:"B#{ID}" sk:"B" gsi1pk:"X" gsi1sk:"N#{N}"`
	ID string
	N  int
}

func TestRegisterErrors(t *testing.T) {
	db := ormtest.New(t)
	tests := []struct {
		name     string
		register func(*orm.Table) error
		want     string // substring of the error
	}{
		{"unknown field", reg[badUnknownField], `tag pk:"X#{Nope}": unknown field "Nope"`},
		{"key type", reg[badKeyType], "field Tags of type []string cannot be part of a key"},
		{"missing index", reg[badIndex], `tag gsi9pk: table app has no index "gsi9"`},
		{"no entity", reg[badNoEntity], "no orm.Entity field"},
		{"unknown tag", reg[badTag], `unknown orm.Entity tag "skk"`},
		{"reserved attribute", reg[badReserved], `field ID is stored as "pk", which is the partition key`},
		{"half index", reg[badHalfIndex], "gsi1pk without gsi1sk"},
		{"version type", reg[badVersion], `orm:"version" needs an integer`},
		{"template syntax", reg[badTemplate], "unterminated {"},
		{"same keys", func(tb *orm.Table) error { return reg2[profileA, profileB](tb) }, `could collide with entity "a"`},
		{"prefix keys", func(tb *orm.Table) error { return reg2[profileA, prefixB](tb) }, `could collide with entity "a"`},
		{"guards", func(tb *orm.Table) error { return reg2[uniqueThing, freeForm](tb) }, "unique-value guards"},
		{"attribute types", func(tb *orm.Table) error { return reg2[numA, strB](tb) }, "makes gsi1sk a string (S), but na (tag gsi1sk) makes it a number (N)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := orm.NewTable(db, "app", orm.Layout{GSIs: orm.GSIs(1)})
			err := tt.register(table)
			if err == nil || !contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func reg[T any](t *orm.Table) error { _, err := orm.Register[T](t); return err }

func reg2[A, B any](t *orm.Table) error {
	if err := reg[A](t); err != nil {
		return err
	}
	return reg[B](t)
}

// A model stays a valid guregu/dynamo item: what the ORM writes, guregu
// reads back unchanged, and the other way round.
func TestGureguRoundTrip(t *testing.T) {
	e := newEnv(t)
	o := Order{UserID: "u", ID: "1", At: t0, Status: "new", Total: 9.5, Items: []string{"a"}, Tags: []string{"x", "y"}}
	if err := e.orders.Put(ctx, &o); err != nil {
		t.Fatal(err)
	}
	g := dynamo.NewFromIface(e.db).Table("app")
	var viaGuregu Order
	if err := g.Get("pk", "USER#u").Range("sk", dynamo.Equal, "ORDER#2025-01-02T03:04:05.000000000Z#1").One(ctx, &viaGuregu); err != nil {
		t.Fatal(err)
	}
	if !equalOrder(viaGuregu, o) {
		t.Fatalf("guregu read %+v, want %+v", viaGuregu, o)
	}
	// guregu's own encoding of the struct is the ORM's, minus the derived
	// attributes the ORM adds.
	item, _ := e.orders.Encode(&o)
	plain, _ := dynamo.MarshalItem(o)
	for k, v := range plain {
		if avs(item[k]) != avs(v) {
			t.Fatalf("attribute %s: orm %v, guregu %v", k, item[k], v)
		}
	}
	for _, k := range []string{"pk", "sk", "gsi2pk", "gsi2sk", "type"} {
		if _, ok := item[k]; !ok {
			t.Fatalf("derived attribute %s missing", k)
		}
	}
	back, err := e.orders.Decode(item)
	if err != nil || !equalOrder(back, o) {
		t.Fatalf("decode: %v %+v", err, back)
	}
}

func equalOrder(a, b Order) bool {
	return a.UserID == b.UserID && a.ID == b.ID && a.At.Equal(b.At) && a.Status == b.Status &&
		a.Total == b.Total && len(a.Items) == len(b.Items) && len(a.Tags) == len(b.Tags)
}

var _ = time.Second
