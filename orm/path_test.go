package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type Address struct {
	City string `dynamo:"city" validate:"max=20"`
	Zip  string `dynamo:"zip"`
	Geo  struct {
		Lat, Lng float64
	} `dynamo:"geo"`
}

type Line struct {
	SKU string `dynamo:"sku"`
	Qty int    `dynamo:"qty"`
}

type Prefs struct {
	Theme  string `dynamo:"theme"`
	Visits int    `dynamo:"visits"`
}

type Customer struct {
	_       orm.Entity        `entity:"customer" pk:"CUST#{ID}" sk:"CUST"`
	ID      string            `dynamo:"id"`
	Address Address           `dynamo:"addr"`
	Labels  map[string]string `dynamo:"labels"`
	Lines   []Line            `dynamo:"lines"`
	Prefs   *Prefs            `dynamo:"prefs"`
	Since   time.Time         `dynamo:"since"`
	Tags    []string          `dynamo:"tags,set"`
}

// recorder counts the requests that reach the store and keeps the last
// update, to see the expressions the ORM wrote.
type recorder struct {
	*ormtest.DB
	requests int
	update   *dynamodb.UpdateItemInput
}

func (r *recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.requests++
	r.update = in
	return r.DB.UpdateItem(ctx, in, o...)
}

func (r *recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.requests++
	return r.DB.Query(ctx, in, o...)
}

func (r *recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.requests++
	return r.DB.PutItem(ctx, in, o...)
}

func newCustomers(t *testing.T) (*recorder, *orm.Model[Customer]) {
	t.Helper()
	rec := &recorder{DB: ormtest.New(t)}
	table := orm.NewTable(rec, "app")
	customers := orm.MustRegister[Customer](table)
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	c := Customer{ID: "c1", Address: Address{City: "Bergen", Zip: "5003"}, Labels: map[string]string{"color": "red"},
		Lines: []Line{{"a", 1}, {"b", 2}}, Prefs: &Prefs{Theme: "dark"}, Since: t0, Tags: []string{"x"}}
	if err := customers.Put(ctx, &c); err != nil {
		t.Fatal(err)
	}
	return rec, customers
}

func TestNestedPaths(t *testing.T) {
	rec, customers := newCustomers(t)
	got, err := customers.Update(ctx, Customer{ID: "c1"},
		orm.Set("Address.City", "Oslo"),
		orm.Set("Address.Geo.Lat", 59.9),
		orm.Remove("Address.Zip"),
		orm.Add("Lines[1].Qty", 3),
		orm.Set("Labels.color", "blue"),
		orm.Set("Labels.size", "L"),
		orm.Add("Prefs.Visits", 1),
		orm.If(orm.Eq("Address.City", "Bergen")),
		orm.If(orm.Gt("Lines[1].Qty", 1)),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := Customer{ID: "c1", Labels: map[string]string{"color": "blue", "size": "L"},
		Lines: []Line{{"a", 1}, {"b", 5}}, Prefs: &Prefs{Theme: "dark", Visits: 1}, Since: t0, Tags: []string{"x"}}
	want.Address.City, want.Address.Geo.Lat = "Oslo", 59.9
	if got.Address != want.Address || got.Lines[1] != want.Lines[1] || got.Labels["color"] != "blue" || got.Labels["size"] != "L" || *got.Prefs != *want.Prefs {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// The expression names every attribute through a placeholder, and the
	// names are the dynamo names: addr.city, not Address.City.
	expr, names := *rec.update.UpdateExpression, rec.update.ExpressionAttributeNames
	if !strings.Contains(expr, "#0.#1 = :") || names["#0"] != "addr" || names["#1"] != "city" || strings.Contains(expr, "City") {
		t.Fatalf("expression %q names %v", expr, names)
	}
	if !strings.Contains(*rec.update.ConditionExpression, "[1].#") {
		t.Fatalf("condition %q", *rec.update.ConditionExpression)
	}

	// Conditions on nested paths fail as conditions.
	_, err = customers.Update(ctx, Customer{ID: "c1"}, orm.Set("Labels.color", "green"), orm.If(orm.Eq("Address.City", "Bergen")))
	if !errors.Is(err, orm.ErrConditionFailed) {
		t.Fatalf("failed nested condition: %v", err)
	}
	// Filters and projections take paths too.
	page, _, err := customers.Query(Customer{ID: "c1"}).Filter(orm.Eq("Labels.size", "L")).Project("Address.City", "Lines[1].Qty").Page(ctx)
	if err != nil || len(page) != 1 {
		t.Fatalf("query: %v %d", err, len(page))
	}
	if p := page[0]; p.Address.City != "Oslo" || p.Address.Zip != "" || len(p.Lines) != 1 || p.Lines[0].Qty != 5 || p.Labels != nil {
		t.Fatalf("projected %+v", p)
	}
}

func TestNestedPathErrors(t *testing.T) {
	rec, customers := newCustomers(t)
	before := rec.requests
	update := func(opts ...orm.Option) error {
		_, err := customers.Update(ctx, Customer{ID: "c1"}, opts...)
		return err
	}
	query := func(q *orm.Query[Customer]) error {
		_, _, err := q.Page(ctx)
		return err
	}
	q := func() *orm.Query[Customer] { return customers.Query(Customer{ID: "c1"}) }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown nested field", update(orm.Set("Address.Town", "x")), `path "Address.Town": Address (orm_test.Address) has no field Town (fields: City, Zip, Geo)`},
		{"unknown top field", update(orm.Set("Adress.City", "x")), `has no field Adress`},
		{"unknown plain field", update(orm.Set("Nope", 1)), `customer has no field "Nope"`},
		{"into an opaque value", update(orm.Set("Since.Year", 2020)), `Since is a time.Time, stored as one value; it has no fields`},
		{"index into a set", update(orm.Set("Tags[0]", "y")), `Tags is a []string, not a list; [0] does not apply`},
		{"bad index", update(orm.Set("Lines[x].Qty", 1)), `list index "x" is not a non-negative integer`},
		{"negative index", update(orm.Set("Lines[-1].Qty", 1)), `list index "-1" is not a non-negative integer`},
		{"name into a list", update(orm.Set("Lines.Qty", 1)), `Lines is a []orm_test.Line; only structs and maps with string keys have named parts`},
		{"overlap", update(orm.Set("Labels", map[string]string{}), orm.Set("Labels.color", "x")), `changes of Labels and Labels.color overlap`},
		{"same path twice", update(orm.Set("Address.City", "a"), orm.Set("Address.City", "b")), `two changes of Address.City`},
		{"wrong type", update(orm.Set("Lines[0].Qty", "many")), `field Lines[0].Qty is int, got string`},
		{"nested validation", update(orm.Set("Address.City", strings.Repeat("x", 21))), `Address.City fails max=20`},
		{"unknown path in a condition", update(orm.Set("Address.City", "a"), orm.If(orm.Eq("Address.Cty", "b"))), `Address (orm_test.Address) has no field Cty`},
		{"unknown path in a filter", query(q().Filter(orm.Exists("Prefs.Colour"))), `Prefs (orm_test.Prefs) has no field Colour (fields: Theme, Visits)`},
		{"unknown path in a projection", query(q().Project("Lines[0].Sku")), `Line) has no field Sku (fields: SKU, Qty)`},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v\nwant %q", tt.name, tt.err, tt.want)
		}
	}
	if rec.requests != before {
		t.Errorf("%d requests were sent; every mistake must fail at the call", rec.requests-before)
	}
	var ve *orm.ValidationError
	if err := update(orm.Set("Address.City", strings.Repeat("x", 21))); !errors.As(err, &ve) || ve.Fields[0].Field != "Address.City" || ve.Fields[0].Attr != "" {
		t.Fatalf("validation error: %#v", err)
	}
}
