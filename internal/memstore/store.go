package memstore

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Store is an in-memory DynamoDB. Its methods take and return the SDK's own
// input, output and error types; it is safe for concurrent use.
type Store struct {
	mu     sync.RWMutex // guards tables (the map, not the tables)
	tables map[string]*table

	idem    idempotency  // TransactWriteItems ClientRequestTokens
	claims  claims       // items held by write transactions in flight
	seqs    sequencer    // stream sequence numbers, store-wide
	streams []*streamLog // every stream ever enabled, guarded by mu

	stopSweep chan struct{} // closes the TTL sweeper; guarded by mu

	eventual   *staleReads // nil: every read sees the latest write
	throttling *Throttling // nil: provisioned tables never throttle

	region  string
	account string
	clock   func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithRegion sets the region used in ARNs. The default is us-east-1.
func WithRegion(region string) Option { return func(s *Store) { s.region = region } }

// WithClock replaces time.Now, so tests control TTL expiry and timestamps.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.clock = now } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		tables:  make(map[string]*table),
		region:  "us-east-1",
		account: "000000000000",
		clock:   time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Store) now() time.Time { return s.clock() }

// table looks up a table by name or ARN.
func (s *Store) table(name *string) (*table, error) {
	if name == nil {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	s.mu.RLock()
	t := s.tables[s.tableName(*name)]
	s.mu.RUnlock()
	if t == nil {
		if err := checkTableName(*name); err != nil {
			return nil, err
		}
		return nil, notFound()
	}
	return t, nil
}

// controlTable is table for the control plane, whose "not found" names
// the table ("Requested resource not found: Table: x not found"); the data
// plane's does not.
func (s *Store) controlTable(name *string) (*table, error) {
	t, err := s.table(name)
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + *name + " not found")}
	}
	return t, err
}

// checkTableName applies the service's name constraints to a name that
// matched no table: a malformed name is a ValidationException, not a
// missing table. Data-plane calls also take ARNs, up to 1024 characters.
func checkTableName(name string) error {
	if strings.HasPrefix(name, "arn:") {
		if len(name) > 1024 {
			var c constraints
			c.add(name, "tableName", "Member must have length less than or equal to 1024")
			return c.err()
		}
		return nil
	}
	var c constraints
	c.name(&name, "tableName", true)
	return c.err()
}

// tableName accepts a table ARN wherever a name is expected, as DynamoDB does.
func (s *Store) tableName(nameOrARN string) string {
	const marker = ":table/"
	for i := 0; i+len(marker) <= len(nameOrARN); i++ {
		if nameOrARN[i:i+len(marker)] == marker && len(nameOrARN) > 4 && nameOrARN[:4] == "arn:" {
			return nameOrARN[i+len(marker):]
		}
	}
	return nameOrARN
}

func (s *Store) tableNames() []string {
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	return names
}
