package layers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

// The ORM's contenders: the same reads and writes of one entity through
// orm.Model, and written by hand with guregu/dynamo and with the SDK's
// attributevalue plus direct client calls. Each has its own in-memory
// store (called directly), so the differences are the client code.

const ormTable = "bench"

// reading is the ORM's model: keys come from the templates.
type reading struct {
	_      orm.Entity `entity:"reading" pk:"DEV#{Device}" sk:"AT#{Seq}"`
	Device string     `dynamo:"device"`
	Seq    int64      `dynamo:"seq"`
	Temp   float64    `dynamo:"temp"`
	Label  string     `dynamo:"label"`
	Tags   []string   `dynamo:"tags"`
}

// handReading is the same item written by hand: the caller fills the key
// and type attributes.
type handReading struct {
	PK     string   `dynamo:"pk" dynamodbav:"pk"`
	SK     string   `dynamo:"sk" dynamodbav:"sk"`
	Type   string   `dynamo:"type" dynamodbav:"type"`
	Device string   `dynamo:"device" dynamodbav:"device"`
	Seq    int64    `dynamo:"seq" dynamodbav:"seq"`
	Temp   float64  `dynamo:"temp" dynamodbav:"temp"`
	Label  string   `dynamo:"label" dynamodbav:"label"`
	Tags   []string `dynamo:"tags" dynamodbav:"tags"`
}

// handKey is the order-preserving key the ORM writes (19 digits for int64).
func handKey(dev string, seq int64) (string, string) {
	return "DEV#" + dev, fmt.Sprintf("AT#%019d", seq)
}

func newReading(seq int64, label string) reading {
	return reading{Device: "d1", Seq: seq, Temp: 21.5, Label: label, Tags: []string{"a", "b"}}
}

func newHand(seq int64, label string) handReading {
	pk, sk := handKey("d1", seq)
	return handReading{PK: pk, SK: sk, Type: "reading", Device: "d1", Seq: seq, Temp: 21.5, Label: label, Tags: []string{"a", "b"}}
}

// ormPartition is how many readings the read workloads' partition holds.
const ormPartition = 1000

// ormEnv is one contender's store with the partition seeded.
type ormEnv struct {
	db       *ormtest.DB
	readings *orm.Model[reading]
	guregu   dynamo.Table
}

func newORMEnv(ctx context.Context, seeded int) (*ormEnv, error) {
	db := ormtest.NewDB()
	table := orm.NewTable(db, ormTable)
	readings, err := orm.Register[reading](table)
	if err != nil {
		return nil, err
	}
	if err := table.Create(ctx); err != nil {
		return nil, err
	}
	e := &ormEnv{db: db, readings: readings, guregu: dynamo.NewFromIface(db).Table(ormTable)}
	for i := range seeded {
		r := newReading(int64(i), "kitchen")
		if err := readings.Put(ctx, &r); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// readBack checks, through the store itself, that the last writes of a
// round are stored with that round's label.
func (e *ormEnv) readBack(ctx context.Context, ops int, label string) error {
	for i := max(0, ops-8); i < ops; i++ {
		seq := int64(i % ring)
		pk, sk := handKey("d1", seq)
		out, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ormTable), ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
		}})
		if err != nil {
			return err
		}
		if err := bench.WantAll(bench.WantS(out.Item, "label", label), bench.WantS(out.Item, "type", "reading")); err != nil {
			return fmt.Errorf("read-back of reading %d: %w", seq, err)
		}
	}
	return nil
}

const ring = 1024

var ormNames = []string{"orm", "guregu", "attributevalue"}

// ORM returns the ORM layer's contests: orm vs guregu/dynamo vs
// attributevalue, on whole operations and on encoding alone.
func ORM() []Contest {
	return []Contest{ormPut(), ormGet(), ormQuery(), ormEncode(), ormDecode()}
}

func ormPut() Contest {
	return Contest{
		Workload: bench.Workload{ID: "Put", Name: "Put (PutItem of a 5-field item)"},
		Names:    ormNames,
		New: eachEnv(0, func(k int, e *ormEnv) bench.Instance {
			label := ""
			begin := func(_ context.Context, r int) error { label = fmt.Sprintf("round %d", r); return nil }
			end := func(ctx context.Context, ops int) error { return e.readBack(ctx, ops, label) }
			var do func(ctx context.Context, i int) (any, error)
			switch k {
			case 0:
				do = func(ctx context.Context, i int) (any, error) {
					r := newReading(int64(i%ring), label)
					return nil, e.readings.Put(ctx, &r)
				}
			case 1:
				do = func(ctx context.Context, i int) (any, error) {
					return nil, e.guregu.Put(newHand(int64(i%ring), label)).Run(ctx)
				}
			case 2:
				do = func(ctx context.Context, i int) (any, error) {
					item, err := attributevalue.MarshalMap(newHand(int64(i%ring), label))
					if err != nil {
						return nil, err
					}
					_, err = e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ormTable), Item: item})
					return nil, err
				}
			}
			return bench.Steps{OnBegin: begin, OnDo: do, OnEnd: end}
		}),
	}
}

// eachEnv gives each contender its own store, seeded with n readings, and
// builds contender k's instance on it.
func eachEnv(n int, build func(k int, e *ormEnv) bench.Instance) func(context.Context) ([]bench.Instance, error) {
	return func(ctx context.Context) ([]bench.Instance, error) {
		insts := make([]bench.Instance, len(ormNames))
		for k := range ormNames {
			e, err := newORMEnv(ctx, n)
			if err != nil {
				return nil, err
			}
			insts[k] = build(k, e)
		}
		return insts, nil
	}
}

// checkReading is the answer check shared by the read workloads.
func checkReading(seq int64, dev string, gotSeq int64, label string) error {
	if dev != "d1" || gotSeq != seq || label != "kitchen" {
		return fmt.Errorf("got reading %s/%d %q, want d1/%d \"kitchen\"", dev, gotSeq, label, seq)
	}
	return nil
}

func ormGet() Contest {
	return Contest{
		Workload: bench.Workload{ID: "Get", Name: "Get (GetItem + decode)", Size: ormPartition},
		Names:    ormNames,
		New: eachEnv(ormPartition, func(k int, e *ormEnv) bench.Instance {
			seq := func(i int) int64 { return int64(i*7919) % ormPartition }
			var do func(ctx context.Context, i int) (any, error)
			switch k {
			case 0:
				do = func(ctx context.Context, i int) (any, error) {
					r, err := e.readings.Get(ctx, reading{Device: "d1", Seq: seq(i)})
					return handReading{Device: r.Device, Seq: r.Seq, Label: r.Label}, err
				}
			case 1:
				do = func(ctx context.Context, i int) (any, error) {
					pk, sk := handKey("d1", seq(i))
					var h handReading
					err := e.guregu.Get("pk", pk).Range("sk", dynamo.Equal, sk).One(ctx, &h)
					return h, err
				}
			case 2:
				do = func(ctx context.Context, i int) (any, error) {
					pk, sk := handKey("d1", seq(i))
					out, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ormTable), Key: map[string]types.AttributeValue{
						"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
					}})
					if err != nil {
						return nil, err
					}
					var h handReading
					err = attributevalue.UnmarshalMap(out.Item, &h)
					return h, err
				}
			}
			check := func(i int, out any) error {
				h := out.(handReading)
				return checkReading(seq(i), h.Device, h.Seq, h.Label)
			}
			return bench.Steps{OnDo: do, OnCheck: check}
		}),
	}
}

// ormQuery reads a page of 10 after a position in the partition, keeping
// only the entity's items (the ORM checks the type attribute; the
// hand-written paths check it too).
func ormQuery() Contest {
	return Contest{
		Workload: bench.Workload{ID: "Query", Name: "Query, a page of 10, entity check", Size: ormPartition},
		Names:    ormNames,
		New: eachEnv(ormPartition, func(k int, e *ormEnv) bench.Instance {
			// From 1: the ORM reads a zero field as "not given" (a key prefix).
			after := func(i int) int64 { return 1 + int64(i*7919)%(ormPartition-11) }
			var do func(ctx context.Context, i int) (any, error)
			switch k {
			case 0:
				do = func(ctx context.Context, i int) (any, error) {
					page, _, err := e.readings.Query(reading{Device: "d1"}).Gt(reading{Seq: after(i)}).Limit(10).Page(ctx)
					seqs := make([]int64, len(page))
					for j, r := range page {
						seqs[j] = r.Seq
					}
					return seqs, err
				}
			case 1:
				do = func(ctx context.Context, i int) (any, error) {
					pk, sk := handKey("d1", after(i))
					// guregu sends KeyConditions, which DynamoDB refuses next to a
					// FilterExpression: the type is checked here instead.
					var page []handReading
					if err := e.guregu.Get("pk", pk).Range("sk", dynamo.Greater, sk).Limit(10).All(ctx, &page); err != nil {
						return nil, err
					}
					return handSeqs(page)
				}
			case 2:
				do = func(ctx context.Context, i int) (any, error) {
					pk, sk := handKey("d1", after(i))
					out, err := e.db.Query(ctx, &dynamodb.QueryInput{
						TableName:                aws.String(ormTable),
						KeyConditionExpression:   aws.String("#pk = :pk AND #sk > :sk"),
						FilterExpression:         aws.String("#t = :t"),
						ExpressionAttributeNames: map[string]string{"#pk": "pk", "#sk": "sk", "#t": "type"},
						ExpressionAttributeValues: map[string]types.AttributeValue{
							":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: sk}, ":t": &types.AttributeValueMemberS{Value: "reading"},
						},
						Limit: aws.Int32(10),
					})
					if err != nil {
						return nil, err
					}
					var page []handReading
					if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
						return nil, err
					}
					return handSeqs(page)
				}
			}
			check := func(i int, out any) error {
				seqs := out.([]int64)
				if len(seqs) != 10 {
					return fmt.Errorf("page of %d readings, want 10", len(seqs))
				}
				for j, s := range seqs {
					if want := after(i) + 1 + int64(j); s != want {
						return fmt.Errorf("position %d: reading %d, want %d", j, s, want)
					}
				}
				return nil
			}
			return bench.Steps{OnDo: do, OnCheck: check}
		}),
	}
}

func handSeqs(page []handReading) ([]int64, error) {
	seqs := make([]int64, len(page))
	for j, h := range page {
		if h.Type != "reading" {
			return nil, fmt.Errorf("item of type %q in the page", h.Type)
		}
		seqs[j] = h.Seq
	}
	return seqs, nil
}

// ormEncode is item encoding alone: the ORM (keys, type and fields)
// against guregu/dynamo's and attributevalue's marshalling of the
// hand-keyed struct.
func ormEncode() Contest {
	return Contest{
		Workload: bench.Workload{ID: "Encode", Name: "item encoding alone"},
		Names:    ormNames,
		New: func(ctx context.Context) ([]bench.Instance, error) {
			e, err := newORMEnv(ctx, 0)
			if err != nil {
				return nil, err
			}
			r, h := newReading(42, "kitchen"), newHand(42, "kitchen")
			dos := []func(context.Context, int) (any, error){
				func(context.Context, int) (any, error) { return e.readings.Encode(&r) },
				func(context.Context, int) (any, error) { return dynamo.MarshalItem(h) },
				func(context.Context, int) (any, error) { return attributevalue.MarshalMap(h) },
			}
			pk, sk := handKey("d1", 42)
			check := func(_ int, out any) error {
				item := out.(map[string]types.AttributeValue)
				return bench.WantAll(bench.WantS(item, "pk", pk), bench.WantS(item, "sk", sk), bench.WantS(item, "label", "kitchen"), wantN(item, "seq", "42"))
			}
			return checked(check, dos...), nil
		},
	}
}

// ormDecode is item decoding alone, from the item the ORM stores.
func ormDecode() Contest {
	return Contest{
		Workload: bench.Workload{ID: "Decode", Name: "item decoding alone"},
		Names:    ormNames,
		New: func(ctx context.Context) ([]bench.Instance, error) {
			e, err := newORMEnv(ctx, 0)
			if err != nil {
				return nil, err
			}
			r := newReading(42, "kitchen")
			item, err := e.readings.Encode(&r)
			if err != nil {
				return nil, err
			}
			dos := []func(context.Context, int) (any, error){
				func(context.Context, int) (any, error) {
					r, err := e.readings.Decode(item)
					return handReading{Device: r.Device, Seq: r.Seq, Label: r.Label}, err
				},
				func(context.Context, int) (any, error) {
					var h handReading
					err := dynamo.UnmarshalItem(item, &h)
					return h, err
				},
				func(context.Context, int) (any, error) {
					var h handReading
					err := attributevalue.UnmarshalMap(item, &h)
					return h, err
				},
			}
			check := func(_ int, out any) error {
				h := out.(handReading)
				return checkReading(42, h.Device, h.Seq, h.Label)
			}
			return checked(check, dos...), nil
		},
	}
}

// checked makes one instance per function, all with the same check.
func checked(check func(int, any) error, dos ...func(context.Context, int) (any, error)) []bench.Instance {
	insts := make([]bench.Instance, len(dos))
	for k, do := range dos {
		insts[k] = bench.Steps{OnDo: do, OnCheck: check}
	}
	return insts
}

func wantN(item map[string]types.AttributeValue, name, want string) error {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok || n.Value != want {
		return fmt.Errorf("%s = %v, want N %s", name, item[name], want)
	}
	return nil
}
