package orm_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormcfn"
	"github.com/monotable/monotable/orm/ormtest"
)

type Member struct {
	_      orm.Entity `entity:"member" pk:"TEAM#{Team}" sk:"MEMBER#{ID}" gsi1pk:"TEAMS" gsi1sk:"{Team}#{ID}" gsi2pk:"ROLE#{Role}" gsi2sk:"{ID}" gsi3pk:"EMAIL#{Email}" gsi3sk:"M" lsi1sk:"JOINED#{Joined}"`
	Team   string     `dynamo:"team"`
	ID     string     `dynamo:"id"`
	Role   string     `dynamo:"role"`
	Name   string     `dynamo:"name"`
	Email  string     `dynamo:"email"`
	Joined time.Time  `dynamo:"joined"`
	Bio    string     `dynamo:"bio"`
}

func projectedLayout() orm.Layout {
	return orm.Layout{
		GSIs: []orm.Index{
			{Name: "gsi1"},
			{Name: "gsi2", Projection: orm.ProjectInclude("name", "id", "name")},
			{Name: "gsi3", Projection: orm.ProjectKeys()},
		},
		LSIs: []orm.Index{{Name: "lsi1", Projection: orm.ProjectKeys()}},
	}
}

func TestIndexProjections(t *testing.T) {
	rec := &recorder{DB: ormtest.New(t)}
	table := orm.NewTable(rec, "app", projectedLayout())
	members := orm.MustRegister[Member](table)

	in := table.CreateTableInput()
	got := map[string]string{}
	for _, ix := range in.GlobalSecondaryIndexes {
		got[*ix.IndexName] = string(ix.Projection.ProjectionType) + strings.Join(ix.Projection.NonKeyAttributes, ",")
	}
	for _, ix := range in.LocalSecondaryIndexes {
		got[*ix.IndexName] = string(ix.Projection.ProjectionType) + strings.Join(ix.Projection.NonKeyAttributes, ",")
	}
	want := map[string]string{"gsi1": "ALL", "gsi2": "INCLUDEtype,ttl,name,id", "gsi3": "KEYS_ONLY", "lsi1": "KEYS_ONLY"}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("projections %v, want %v", got, want)
		}
	}
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	for i, m := range []Member{
		{Team: "t", ID: "1", Role: "dev", Name: "Ann", Email: "ann@x", Joined: t0, Bio: "likes Go"},
		{Team: "t", ID: "2", Role: "dev", Name: "Bob", Email: "bob@x", Joined: t0.Add(-time.Hour), Bio: "likes Rust"},
	} {
		if err := members.Put(ctx, &m); err != nil {
			t.Fatal(i, err)
		}
	}

	before := rec.requests
	dev := func() *orm.Query[Member] { return members.Query(Member{Role: "dev"}).Index("gsi2") }
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"no projection", pageErr(dev()), "index gsi2 projects INCLUDE: it does not hold whole member items; name the fields to read with Project"},
		{"field not projected", pageErr(dev().Project("Name", "Bio")), "it does not hold Bio (projected: type, ttl, name, id)"},
		{"filter not projected", pageErr(dev().Project("Name").Filter(orm.Eq("Email", "ann@x"))), "it does not hold Email"},
		{"keys only", pageErr(members.Query(Member{Email: "ann@x"}).Index("gsi3").Project("Name")), "index gsi3 projects KEYS_ONLY: its items carry no entity type"},
		{"collect", collectErr(dev().Project("Name")), "Collect reads whole items"},
	} {
		if !errors.Is(tt.err, orm.ErrIncompleteItem) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v\nwant ErrIncompleteItem and %q", tt.name, tt.err, tt.want)
		}
	}
	if rec.requests != before {
		t.Fatalf("%d requests sent for refused queries", rec.requests-before)
	}

	// What the projection holds comes back, and nothing pretends to more.
	page, _, err := dev().Project("Name", "ID").Filter(orm.BeginsWith("Name", "A")).Page(ctx)
	if err != nil || len(page) != 1 {
		t.Fatalf("projected query: %v %v", err, page)
	}
	if p := page[0]; p.Name != "Ann" || p.ID != "1" || p.Bio != "" || p.Email != "" {
		t.Fatalf("projected item %+v", p)
	}
	// A local index fetches the rest from the table: whole models, in the
	// index's order.
	all, err := members.Query(Member{Team: "t"}).Index("lsi1").All(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "2" || all[0].Bio != "likes Rust" || all[1].Email != "ann@x" {
		t.Fatalf("local index: %v %+v", err, all)
	}
	// An ALL index reads whole models without Project.
	if all, err := members.Query(Member{}).Index("gsi1").All(ctx); err != nil || len(all) != 2 || all[0].Bio != "likes Go" {
		t.Fatalf("ALL index: %v %+v", err, all)
	}
}

func pageErr[T any](q *orm.Query[T]) error {
	_, _, err := q.Page(ctx)
	return err
}

func collectErr[T any](q *orm.Query[T]) error {
	var out []T
	_, err := q.Collect(ctx, &out)
	return err
}

func TestTemplateProjections(t *testing.T) {
	table := orm.NewTable(nil, "app", projectedLayout())
	orm.MustRegister[Member](table)
	yaml, err := ormcfn.Template(table, "AppTable")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ProjectionType: INCLUDE", "NonKeyAttributes:", "ProjectionType: KEYS_ONLY"} {
		if !strings.Contains(string(yaml), want) {
			t.Fatalf("template lacks %q:\n%s", want, yaml)
		}
	}
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, yaml, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ormcfn.Check(path, table); err != nil {
		t.Fatal(err)
	}
	// The same layout with every index ALL has drifted from it.
	l := projectedLayout()
	for i := range l.GSIs {
		l.GSIs[i].Projection = orm.Projection{}
	}
	l.LSIs[0].Projection = orm.ProjectInclude("bio")
	other := orm.NewTable(nil, "app", l)
	orm.MustRegister[Member](other)
	err = ormcfn.Check(path, other)
	var lines []string
	if err != nil {
		lines = strings.Split(err.Error(), "\n\t")[1:]
	}
	want := []string{
		"index gsi2: models need global (gsi2pk HASH, gsi2sk RANGE) projection ALL, template has global (gsi2pk HASH, gsi2sk RANGE) projection INCLUDE [id, name, ttl, type]",
		"index gsi3: models need global (gsi3pk HASH, gsi3sk RANGE) projection ALL, template has global (gsi3pk HASH, gsi3sk RANGE) projection KEYS_ONLY",
		"index lsi1: models need local (pk HASH, lsi1sk RANGE) projection INCLUDE [bio, ttl, type], template has local (pk HASH, lsi1sk RANGE) projection KEYS_ONLY",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("drift:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestProjectionLayoutErrors(t *testing.T) {
	table := orm.NewTable(nil, "app", orm.Layout{GSIs: []orm.Index{{Name: "g", Projection: orm.ProjectInclude("")}}})
	if err := reg[Score](table); err == nil || !strings.Contains(err.Error(), "index g projects an empty attribute name") {
		t.Fatal(err)
	}
}
