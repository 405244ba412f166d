package orm

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Client is the part of *dynamodb.Client the ORM uses, with the SDK's own
// types. The real client satisfies it, and so does ormtest's in-memory DB;
// users never implement it.
type Client interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ Client = (*dynamodb.Client)(nil)

// Layout is a table's physical layout, declared once. Zero fields take
// the single-table defaults: "pk"/"sk", "type", "ttl", and for an index
// named gsi1 the attributes "gsi1pk"/"gsi1sk".
type Layout struct {
	PK, SK string  // primary key attributes; SK "-" for a table without a sort key
	Type   string  // entity-type attribute
	TTL    string  // TTL attribute, written as epoch seconds
	GSIs   []Index // global secondary indexes
	LSIs   []Index // local secondary indexes (PK is the table's)
}

// Index is a secondary index. Models fill it through the tags
// "<Name>pk" and "<Name>sk".
type Index struct {
	Name   string
	PK, SK string // default Name+"pk", Name+"sk"; SK "-" for none

	// Projection is what the index copies of each item: every attribute
	// (the zero value), [ProjectKeys] or [ProjectInclude]. A query of a
	// global index that does not hold whole items must name the fields it
	// reads with [Query.Project], and they must be in the projection, or
	// it fails with ErrIncompleteItem before any request: the ORM never
	// returns a model with fields silently missing. Local indexes fetch
	// what they lack from the table (at the cost of a read of the table
	// per item), so typed reads of them always decode whole models.
	Projection Projection
}

// Projection is an index's choice of attributes; the zero value is all
// of them (ALL).
type Projection struct {
	typ   types.ProjectionType
	attrs []string // INCLUDE: the non-key attributes, the ORM's own first
}

// ProjectKeys makes an index hold the table's and the index's keys only
// (KEYS_ONLY): the cheapest index, for code that reads keys, but without
// the entity type the ORM's typed queries cannot read it.
func ProjectKeys() Projection { return Projection{typ: types.ProjectionTypeKeysOnly} }

// ProjectInclude makes an index hold the keys and the named attributes
// (INCLUDE). Names are stored attribute names, as dynamo tags give them,
// since a layout is shared by every model of the table; the ORM adds the
// type and TTL attributes it reads.
func ProjectInclude(attrs ...string) Projection {
	return Projection{typ: types.ProjectionTypeInclude, attrs: append([]string(nil), attrs...)}
}

func (p Projection) all() bool { return p.typ == "" || p.typ == types.ProjectionTypeAll }

// sdk is the projection as CreateTable takes it.
func (p Projection) sdk() *types.Projection {
	if p.all() {
		return &types.Projection{ProjectionType: types.ProjectionTypeAll}
	}
	return &types.Projection{ProjectionType: p.typ, NonKeyAttributes: p.attrs}
}

// holds reports whether the index copies attribute a of each item.
func (p Projection) holds(a string) bool { return p.all() || slices.Contains(p.attrs, a) }

// GSIs returns n indexes gsi1..gsiN with the default attribute names.
func GSIs(n int) []Index {
	out := make([]Index, n)
	for i := range out {
		out[i] = Index{Name: fmt.Sprintf("gsi%d", i+1)}
	}
	return out
}

// TableOption configures a [Table]. A [Layout] is one.
type TableOption interface{ applyTable(*Table) }

type tableOptionFunc func(*Table)

func (f tableOptionFunc) applyTable(t *Table) { f(t) }

func (l Layout) applyTable(t *Table) { t.layout = l }

// WithClock sets the table's clock: TTL liveness, created/updated stamps
// and Touch read time from it. Tests pass ormtest's Clock.Now.
func WithClock(now func() time.Time) TableOption {
	return tableOptionFunc(func(t *Table) { t.now = now })
}

// WithCursorKey sets the 16- or 32-byte AES key that seals cursors. Every
// instance of an app must share it for cursors to survive across them;
// without it a random per-process key is used.
func WithCursorKey(key []byte) TableOption {
	return tableOptionFunc(func(t *Table) { t.cursorKey = key })
}

// WithStream enables DynamoDB Streams in the rendered schema.
func WithStream(view types.StreamViewType) TableOption {
	return tableOptionFunc(func(t *Table) { t.stream = view })
}

// WithPITR enables point-in-time recovery in the rendered schema.
func WithPITR() TableOption { return tableOptionFunc(func(t *Table) { t.pitr = true }) }

// WithSSE enables server-side encryption with a KMS key in the rendered
// schema ("" for the AWS-managed key).
func WithSSE(kmsKeyID string) TableOption {
	return tableOptionFunc(func(t *Table) { t.sse, t.kmsKey = true, kmsKeyID })
}

// WithRetry bounds the retries of unprocessed batch items: at most
// attempts tries, backing off exponentially from base with full jitter.
func WithRetry(attempts int, base time.Duration) TableOption {
	return tableOptionFunc(func(t *Table) { t.retryAttempts, t.retryBase = attempts, base })
}

// Table is one DynamoDB table holding many entities. Create it once, at
// start-up, and [Register] its models on it; it is safe for concurrent use.
type Table struct {
	client Client
	name   string
	layout Layout
	now    func() time.Time

	cursorKey []byte
	aead      cipher.AEAD

	stream types.StreamViewType
	pitr   bool
	sse    bool
	kmsKey string

	retryAttempts int
	retryBase     time.Duration
	err           error // first configuration error

	mu       sync.RWMutex
	byEntity map[string]*codec
	byType   map[reflect.Type]*codec
	order    []*codec
}

// NewTable describes the table name reached through client. A bad layout
// is reported by Register and by every operation, so that tables can be
// package-level variables.
func NewTable(client Client, name string, opts ...TableOption) *Table {
	t := &Table{
		client:        client,
		name:          name,
		now:           time.Now,
		retryAttempts: 8,
		retryBase:     25 * time.Millisecond,
		byEntity:      map[string]*codec{},
		byType:        map[reflect.Type]*codec{},
	}
	for _, o := range opts {
		o.applyTable(t)
	}
	if t.cursorKey == nil {
		t.cursorKey = make([]byte, 32)
		_, _ = rand.Read(t.cursorKey)
	}
	if t.err = t.fillLayout(); t.err == nil {
		t.aead, t.err = newAEAD(t.cursorKey)
	}
	return t
}

// Name is the table's name.
func (t *Table) Name() string { return t.name }

func (t *Table) fillLayout() error {
	l := &t.layout
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&l.PK, "pk")
	def(&l.SK, "sk")
	def(&l.Type, "type")
	def(&l.TTL, "ttl")
	if l.SK == "-" {
		l.SK = ""
	}
	seen := map[string]bool{}
	fill := func(ixs []Index, local bool) ([]Index, error) {
		out := make([]Index, len(ixs))
		for i, ix := range ixs {
			if ix.Name == "" {
				return nil, fmt.Errorf("orm: table %s: an index has no name", t.name)
			}
			if seen[ix.Name] {
				return nil, fmt.Errorf("orm: table %s: two indexes named %s", t.name, ix.Name)
			}
			seen[ix.Name] = true
			if local {
				ix.PK = l.PK
			}
			def(&ix.PK, ix.Name+"pk")
			def(&ix.SK, ix.Name+"sk")
			if ix.SK == "-" {
				ix.SK = ""
			}
			if local && ix.SK == "" {
				return nil, fmt.Errorf("orm: table %s: local index %s needs a sort key", t.name, ix.Name)
			}
			switch ix.Projection.typ {
			case "", types.ProjectionTypeAll, types.ProjectionTypeKeysOnly:
			case types.ProjectionTypeInclude:
				// The ORM reads the type and TTL of every item it returns.
				attrs := []string{l.Type, l.TTL}
				for _, a := range ix.Projection.attrs {
					if a == "" {
						return nil, fmt.Errorf("orm: table %s: index %s projects an empty attribute name", t.name, ix.Name)
					}
					if !slices.Contains(attrs, a) {
						attrs = append(attrs, a)
					}
				}
				ix.Projection.attrs = attrs
			default:
				return nil, fmt.Errorf("orm: table %s: index %s has projection %q", t.name, ix.Name, ix.Projection.typ)
			}
			out[i] = ix
		}
		return out, nil
	}
	var err error
	if l.GSIs, err = fill(l.GSIs, false); err != nil {
		return err
	}
	if l.LSIs, err = fill(l.LSIs, true); err != nil {
		return err
	}
	if l.SK == "" && len(l.LSIs) > 0 {
		return fmt.Errorf("orm: table %s: local indexes need a table sort key", t.name)
	}
	return nil
}

// index finds an index of the layout by name; "" is the table itself.
func (t *Table) index(name string) (Index, bool) {
	if name == "" {
		return Index{PK: t.layout.PK, SK: t.layout.SK}, true
	}
	for _, ix := range t.layout.GSIs {
		if ix.Name == name {
			return ix, true
		}
	}
	for _, ix := range t.layout.LSIs {
		if ix.Name == name {
			return ix, true
		}
	}
	return Index{}, false
}

func (t *Table) isGSI(name string) bool {
	for _, ix := range t.layout.GSIs {
		if ix.Name == name {
			return true
		}
	}
	return false
}

func (t *Table) indexNames() string {
	var names []string
	for _, ix := range t.layout.GSIs {
		names = append(names, ix.Name)
	}
	for _, ix := range t.layout.LSIs {
		names = append(names, ix.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// reservedAttrs are the attributes the table itself writes.
func (t *Table) reservedAttrs() map[string]string {
	m := map[string]string{t.layout.PK: "the partition key", t.layout.Type: "the entity type", t.layout.TTL: "the TTL"}
	if t.layout.SK != "" {
		m[t.layout.SK] = "the sort key"
	}
	for _, ix := range append(append([]Index(nil), t.layout.GSIs...), t.layout.LSIs...) {
		m[ix.PK] = "a key of index " + ix.Name
		if ix.SK != "" {
			m[ix.SK] = "a key of index " + ix.Name
		}
	}
	m[t.layout.PK] = "the partition key"
	return m
}

func (t *Table) codecFor(entity string) *codec {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byEntity[entity]
}

func (t *Table) codecs() []*codec {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := append([]*codec(nil), t.order...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].entity < out[j].entity })
	return out
}

// Decode turns a raw item of any registered entity into its model value
// (a T, not a *T), as stream handlers need. Items of no registered entity
// return ErrNotFound.
func (t *Table) Decode(item map[string]types.AttributeValue) (any, error) {
	c := t.codecFor(entityOf(item, t.layout.Type))
	if c == nil {
		return nil, fmt.Errorf("orm: item of unknown entity %q: %w", entityOf(item, t.layout.Type), ErrNotFound)
	}
	pv := reflect.New(c.info.typ)
	if err := c.decodeInto(item, pv.Interface()); err != nil {
		return nil, err
	}
	return pv.Elem().Interface(), nil
}

func entityOf(item map[string]types.AttributeValue, attr string) string {
	if s, ok := item[attr].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
