package persist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

// DefaultCompactSize is the log size past which a snapshot is taken and
// the log restarted (see [WithCompactSize]).
const DefaultCompactSize = 64 << 20

// Store is a [memstore.Store] whose writes survive a restart. Reads go
// straight to the embedded store; the operations that change state are
// logged. Serve it with [wire.NewHandler] like the store itself.
type Store struct {
	*memstore.Store

	dir         string
	log         *slog.Logger
	compactSize int64
	unlock      func() error

	// mu orders writes: a write is applied and its record appended under
	// it, so the log's order is the order the store applied them in.
	mu     sync.Mutex
	w      *wal
	gen    uint64              // generation of the log file being appended to
	keys   map[string][]string // table name -> key attribute names; under mu
	closed bool                // under mu

	// ddl keeps the set of tables and their schemas still while a
	// snapshot is written; item writes go on meanwhile.
	ddl sync.Mutex

	compacting   atomic.Bool
	snapshotSize atomic.Int64 // bytes in the last snapshot
	bg           sync.WaitGroup
}

// Option configures [Open].
type Option func(*Store)

// WithCompactSize sets the log size, in bytes, past which a snapshot is
// taken and the log restarted, unless the last snapshot is larger: then
// the log may grow to that size, so that writing snapshots costs at most
// as much as writing the log. The default is [DefaultCompactSize]; n <= 0
// keeps it.
func WithCompactSize(n int64) Option {
	return func(s *Store) {
		if n > 0 {
			s.compactSize = n
		}
	}
}

// WithLogger sets where recovery and compaction are reported. The default
// discards.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

var errClosed = errors.New("persist: store is closed")

// Open loads the state saved in dir (created if missing) into store, which
// should be empty, and returns store wrapped so that its writes are saved
// there too. Only one process may use dir at a time.
func Open(dir string, store *memstore.Store, opts ...Option) (*Store, error) {
	s := &Store{
		Store:       store,
		dir:         dir,
		log:         slog.New(slog.DiscardHandler),
		compactSize: DefaultCompactSize,
		keys:        map[string][]string{},
	}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s.unlock = unlock
	logSize, err := s.load()
	if err != nil {
		unlock()
		return nil, err
	}
	// Replaying wrote every item again; those are not new changes.
	s.Store.DiscardStreamRecords()
	if logSize > max(s.compactSize, s.snapshotSize.Load()) {
		s.compactInBackground()
	}
	return s, nil
}

// Close waits for a running compaction, makes every write durable, closes
// the files and stops the store's sweeper. Writes after Close fail.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.bg.Wait()
	err := s.w.close()
	if uerr := s.unlock(); err == nil {
		err = uerr
	}
	if cerr := s.Store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Compact writes a snapshot of the whole store and drops the logs it
// covers. Writes go on while it runs; table changes wait.
func (s *Store) Compact() error {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return s.snapshot()
}

func (s *Store) compactInBackground() {
	if !s.compacting.CompareAndSwap(false, true) {
		return
	}
	s.mu.Lock() // Close waits for bg once closed is set: no Add after that
	if s.closed {
		s.mu.Unlock()
		s.compacting.Store(false)
		return
	}
	s.bg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		defer s.compacting.Store(false)
		if err := s.Compact(); err != nil && !errors.Is(err, errClosed) {
			s.log.Error("persist: compaction failed; the log keeps growing", "dir", s.dir, "error", err)
		}
	}()
}

// commit applies a write and logs it. Under the order lock it runs apply
// and, if that succeeds, rec, which returns the record (kind 0: nothing to
// log); it then waits, without the lock, until the record is durable, so
// concurrent writers share fsyncs. A write that fails still waits for the
// records before it: its answer may depend on them.
func commit[O any](s *Store, apply func() (O, error), rec func(O) (kind, []byte, error)) (O, error) {
	var zero O
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return zero, errClosed
	}
	if err := s.w.failed(); err != nil {
		s.mu.Unlock()
		return zero, err
	}
	out, err := apply()
	if err != nil {
		seq := s.w.last()
		s.mu.Unlock()
		s.w.wait(seq) //nolint:errcheck // the write's own error is the answer
		return out, err
	}
	k, body, err := rec(out)
	if err != nil {
		// Applied but not logged: the store is ahead of its log. Fail
		// closed, as for a disk error, before anything else is appended.
		err = fmt.Errorf("persist: logging %T: %w", out, err)
		s.w.fail(err)
		s.mu.Unlock()
		s.log.Error("persist: the log is dead; writes fail until a restart", "error", err)
		return zero, err
	}
	seq := s.w.last()
	if k != 0 {
		seq = s.w.append(k, body)
	}
	s.mu.Unlock()
	if err := s.w.wait(seq); err != nil {
		return zero, err
	}
	if s.w.bytes() > max(s.compactSize, s.snapshotSize.Load()) {
		s.compactInBackground()
	}
	return out, nil
}

// marshal renders an SDK input as a record body.
func marshal(k kind, v any) (kind, []byte, error) {
	b, err := wire.Marshal(v)
	return k, b, err
}

// logSchema runs a control-plane call under the schema lock and logs its
// input once the call succeeds: every table-level write goes this way.
func logSchema[O any](s *Store, k kind, in any, call func() (O, error)) (O, error) {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, call, func(O) (kind, []byte, error) { return marshal(k, in) })
}

// CreateTable is [memstore.Store.CreateTable], logged.
func (s *Store) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return logSchema(s, kindCreateTable, in, func() (*dynamodb.CreateTableOutput, error) {
		if in != nil && in.TableName != nil {
			delete(s.keys, *in.TableName)
		}
		return s.Store.CreateTable(ctx, in, opts...)
	})
}

// UpdateTable is [memstore.Store.UpdateTable], logged.
func (s *Store) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return logSchema(s, kindUpdateTable, in, func() (*dynamodb.UpdateTableOutput, error) {
		return s.Store.UpdateTable(ctx, in, opts...)
	})
}

// DeleteTable is [memstore.Store.DeleteTable], logged.
func (s *Store) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return logSchema(s, kindDeleteTable, in, func() (*dynamodb.DeleteTableOutput, error) {
		out, err := s.Store.DeleteTable(ctx, in, opts...)
		if err == nil {
			delete(s.keys, tableName(aws.ToString(in.TableName)))
		}
		return out, err
	})
}

// UpdateTimeToLive is [memstore.Store.UpdateTimeToLive], logged.
func (s *Store) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return logSchema(s, kindUpdateTTL, in, func() (*dynamodb.UpdateTimeToLiveOutput, error) {
		return s.Store.UpdateTimeToLive(ctx, in, opts...)
	})
}

// PutItem is [memstore.Store.PutItem], logged as the item it stored.
func (s *Store) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return commit(s, func() (*dynamodb.PutItemOutput, error) {
		return s.Store.PutItem(ctx, in, opts...)
	}, func(*dynamodb.PutItemOutput) (kind, []byte, error) {
		return marshal(kindWrite, oneWrite(*in.TableName, types.WriteRequest{PutRequest: &types.PutRequest{Item: in.Item}}))
	})
}

// DeleteItem is [memstore.Store.DeleteItem], logged as the key it
// removed.
func (s *Store) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return commit(s, func() (*dynamodb.DeleteItemOutput, error) {
		return s.Store.DeleteItem(ctx, in, opts...)
	}, func(*dynamodb.DeleteItemOutput) (kind, []byte, error) {
		return marshal(kindWrite, oneWrite(*in.TableName, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: in.Key}}))
	})
}

// UpdateItem is [memstore.Store.UpdateItem], logged as the item it left.
func (s *Store) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return commit(s, func() (*dynamodb.UpdateItemOutput, error) {
		return s.Store.UpdateItem(ctx, in, opts...)
	}, func(out *dynamodb.UpdateItemOutput) (kind, []byte, error) {
		name := *in.TableName
		wr := types.WriteRequest{PutRequest: &types.PutRequest{Item: out.Attributes}}
		if in.ReturnValues != types.ReturnValueAllNew || out.Attributes == nil {
			var err error
			if wr, err = s.image(name, in.Key); err != nil {
				return 0, nil, err
			}
		}
		return marshal(kindWrite, oneWrite(name, wr))
	})
}

// BatchWriteItem is [memstore.Store.BatchWriteItem], logged as the items
// it stored and the keys it removed.
func (s *Store) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return commit(s, func() (*dynamodb.BatchWriteItemOutput, error) {
		return s.Store.BatchWriteItem(ctx, in, opts...)
	}, func(out *dynamodb.BatchWriteItemOutput) (kind, []byte, error) {
		if len(out.UnprocessedItems) == 0 {
			return marshal(kindWrite, &dynamodb.BatchWriteItemInput{RequestItems: in.RequestItems})
		}
		// Some writes were throttled: log what the processed ones left by
		// reading every key back (an unprocessed key reads as it was).
		rec := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{}}
		for name, reqs := range in.RequestItems {
			for _, r := range reqs {
				key := map[string]types.AttributeValue(nil)
				if r.DeleteRequest != nil {
					key = r.DeleteRequest.Key
				} else if r.PutRequest != nil {
					var err error
					if key, err = s.keyOf(name, r.PutRequest.Item); err != nil {
						return 0, nil, err
					}
				}
				wr, err := s.image(name, key)
				if err != nil {
					return 0, nil, err
				}
				rec.RequestItems[name] = append(rec.RequestItems[name], wr)
			}
		}
		return marshal(kindWrite, rec)
	})
}

// TransactWriteItems is [memstore.Store.TransactWriteItems], logged as
// one record of the items it left and removed, so replay applies all of
// it or, if the record is torn, none.
func (s *Store) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return commit(s, func() (*dynamodb.TransactWriteItemsOutput, error) {
		return s.Store.TransactWriteItems(ctx, in, opts...)
	}, func(*dynamodb.TransactWriteItemsOutput) (kind, []byte, error) {
		// Read every written key back rather than trusting the request: a
		// retried ClientRequestToken succeeds without writing again, and
		// what the items hold now is what replay must produce.
		rec := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{}}
		for _, ti := range in.TransactItems {
			var name string
			var key map[string]types.AttributeValue
			switch {
			case ti.Put != nil:
				name = aws.ToString(ti.Put.TableName)
				var err error
				if key, err = s.keyOf(name, ti.Put.Item); err != nil {
					return 0, nil, err
				}
			case ti.Update != nil:
				name, key = aws.ToString(ti.Update.TableName), ti.Update.Key
			case ti.Delete != nil:
				name, key = aws.ToString(ti.Delete.TableName), ti.Delete.Key
			default:
				continue // ConditionCheck writes nothing
			}
			wr, err := s.image(name, key)
			if err != nil {
				return 0, nil, err
			}
			rec.RequestItems[name] = append(rec.RequestItems[name], wr)
		}
		if len(rec.RequestItems) == 0 {
			return 0, nil, nil
		}
		return marshal(kindWrite, rec)
	})
}

func oneWrite(table string, wr types.WriteRequest) *dynamodb.BatchWriteItemInput {
	return &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: {wr}}}
}

// image reads the item at key as it is now, as a put of it or, if it is
// gone, a delete of the key. The caller holds the order lock, so no other
// logged write can come between the write and this read.
func (s *Store) image(table string, key map[string]types.AttributeValue) (types.WriteRequest, error) {
	out, err := s.Store.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return types.WriteRequest{}, err
	}
	if out.Item == nil {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key}}, nil
	}
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: out.Item}}, nil
}

// keyOf projects an item onto its table's primary key. The caller holds
// the order lock, which guards the schema cache.
func (s *Store) keyOf(table string, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	name := tableName(table)
	names, ok := s.keys[name]
	if !ok {
		out, err := s.Store.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		for _, k := range out.Table.KeySchema {
			names = append(names, aws.ToString(k.AttributeName))
		}
		s.keys[name] = names
	}
	key := make(map[string]types.AttributeValue, len(names))
	for _, n := range names {
		key[n] = item[n]
	}
	return key, nil
}

// tableName accepts a table ARN wherever a name is expected, as DynamoDB
// does.
func tableName(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		if _, name, ok := strings.Cut(nameOrARN, ":table/"); ok {
			return name
		}
	}
	return nameOrARN
}
