package orm_test

// Benchmarks: the ORM against the same operations written by hand with
// guregu/dynamo and with the SDK's attributevalue plus direct client
// calls, all on one in-memory store, in one run:
//
//	go test -run '^$' -bench . -benchmem ./orm

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type reading struct {
	_      orm.Entity `entity:"reading" pk:"DEV#{Device}" sk:"AT#{Seq}"`
	Device string     `dynamo:"device"`
	Seq    int64      `dynamo:"seq"`
	Temp   float64    `dynamo:"temp"`
	Label  string     `dynamo:"label"`
	Tags   []string   `dynamo:"tags"`
}

// handReading is what the same item looks like written by hand: the key
// and type attributes are fields the caller fills.
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

func handKey(dev string, seq int64) (string, string) {
	// The same order-preserving key the ORM writes (19 digits for int64).
	return "DEV#" + dev, fmt.Sprintf("AT#%019d", seq)
}

func newReading(i int) reading {
	return reading{Device: "d1", Seq: int64(i), Temp: 21.5, Label: "kitchen", Tags: []string{"a", "b"}}
}

func newHand(i int) handReading {
	pk, sk := handKey("d1", int64(i))
	return handReading{PK: pk, SK: sk, Type: "reading", Device: "d1", Seq: int64(i), Temp: 21.5, Label: "kitchen", Tags: []string{"a", "b"}}
}

type benchEnv struct {
	db       *ormtest.DB
	readings *orm.Model[reading]
	guregu   dynamo.Table
}

func newBench(b *testing.B, n int) *benchEnv {
	b.Helper()
	db := ormtest.NewDB()
	table := orm.NewTable(db, "bench")
	e := &benchEnv{db: db, readings: orm.MustRegister[reading](table), guregu: dynamo.NewFromIface(db).Table("bench")}
	if err := table.Create(ctx); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		r := newReading(i)
		if err := e.readings.Put(ctx, &r); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

func BenchmarkPut(b *testing.B) {
	b.Run("orm", func(b *testing.B) {
		e := newBench(b, 0)
		for i := 0; b.Loop(); i++ {
			r := newReading(i % 1000)
			if err := e.readings.Put(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("guregu", func(b *testing.B) {
		e := newBench(b, 0)
		for i := 0; b.Loop(); i++ {
			h := newHand(i % 1000)
			if err := e.guregu.Put(h).Run(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("attributevalue", func(b *testing.B) {
		e := newBench(b, 0)
		for i := 0; b.Loop(); i++ {
			item, err := attributevalue.MarshalMap(newHand(i % 1000))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: item}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGet(b *testing.B) {
	b.Run("orm", func(b *testing.B) {
		e := newBench(b, 100)
		for i := 0; b.Loop(); i++ {
			if _, err := e.readings.Get(ctx, reading{Device: "d1", Seq: int64(i % 100)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("guregu", func(b *testing.B) {
		e := newBench(b, 100)
		for i := 0; b.Loop(); i++ {
			pk, sk := handKey("d1", int64(i%100))
			var h handReading
			if err := e.guregu.Get("pk", pk).Range("sk", dynamo.Equal, sk).One(ctx, &h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("attributevalue", func(b *testing.B) {
		e := newBench(b, 100)
		for i := 0; b.Loop(); i++ {
			pk, sk := handKey("d1", int64(i%100))
			out, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
			}})
			if err != nil {
				b.Fatal(err)
			}
			var h handReading
			if err := attributevalue.UnmarshalMap(out.Item, &h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQuery reads a page of 10 from a partition of 100, keeping
// only the entity's items, as the ORM does.
func BenchmarkQuery(b *testing.B) {
	b.Run("orm", func(b *testing.B) {
		e := newBench(b, 100)
		for b.Loop() {
			page, _, err := e.readings.Query(reading{Device: "d1"}).Gt(reading{Seq: 50}).Limit(10).Page(ctx)
			if err != nil || len(page) != 10 {
				b.Fatal(err, len(page))
			}
		}
	})
	b.Run("guregu", func(b *testing.B) {
		e := newBench(b, 100)
		pk, sk := handKey("d1", 50)
		for b.Loop() {
			// guregu sends KeyConditions, and the store (like DynamoDB)
			// refuses them next to a FilterExpression: check the type here.
			var page []handReading
			err := e.guregu.Get("pk", pk).Range("sk", dynamo.Greater, sk).Limit(10).All(ctx, &page)
			if err != nil || len(page) != 10 {
				b.Fatal(err, len(page))
			}
			for _, h := range page {
				if h.Type != "reading" {
					b.Fatal(h.Type)
				}
			}
		}
	})
	b.Run("attributevalue", func(b *testing.B) {
		e := newBench(b, 100)
		pk, sk := handKey("d1", 50)
		for b.Loop() {
			out, err := e.db.Query(ctx, &dynamodb.QueryInput{
				TableName:                aws.String("bench"),
				KeyConditionExpression:   aws.String("#pk = :pk AND #sk > :sk"),
				FilterExpression:         aws.String("#t = :t"),
				ExpressionAttributeNames: map[string]string{"#pk": "pk", "#sk": "sk", "#t": "type"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: sk}, ":t": &types.AttributeValueMemberS{Value: "reading"},
				},
				Limit: aws.Int32(10),
			})
			if err != nil {
				b.Fatal(err)
			}
			var page []handReading
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil || len(page) != 10 {
				b.Fatal(err, len(page))
			}
		}
	})
}

// BenchmarkEncode is item encoding alone: the ORM (guregu's encoder plus
// keys and type) against attributevalue on the hand-keyed struct.
func BenchmarkEncode(b *testing.B) {
	table := orm.NewTable(ormtest.NewDB(), "bench")
	readings := orm.MustRegister[reading](table)
	r, h := newReading(42), newHand(42)
	b.Run("orm", func(b *testing.B) {
		for b.Loop() {
			if _, err := readings.Encode(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("attributevalue", func(b *testing.B) {
		for b.Loop() {
			if _, err := attributevalue.MarshalMap(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	table := orm.NewTable(ormtest.NewDB(), "bench")
	readings := orm.MustRegister[reading](table)
	r := newReading(42)
	item, _ := readings.Encode(&r)
	b.Run("orm", func(b *testing.B) {
		for b.Loop() {
			if _, err := readings.Decode(item); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("attributevalue", func(b *testing.B) {
		for b.Loop() {
			var h handReading
			if err := attributevalue.UnmarshalMap(item, &h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
