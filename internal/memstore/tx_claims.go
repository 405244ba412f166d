package memstore

import (
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Transaction conflicts, as DynamoDB reports them. A write transaction
// first claims every item it touches, without waiting: if another
// transaction holds one of them, it is cancelled at once with
// TransactionConflict on that item (so it can never deadlock), and a
// single-item write or a TransactGetItems that meets a claimed item fails
// the way the service fails it. Claims are held while the transaction
// evaluates and commits under the table locks.

const msgTransactionOngoing = "Transaction is ongoing for the item"

// txOwner identifies one transaction's claims (not zero-sized: every
// pointer to a zero-sized value may be the same).
type txOwner struct{ _ byte }

type itemRef struct {
	t   *table
	key string
}

type claims struct {
	mu     sync.Mutex
	owner  map[itemRef]*txOwner
	active atomic.Int64 // claimed items; lets writes skip the lock when 0
}

// claim takes every ref for owner, or none: it returns the indexes of the
// refs another transaction holds.
func (c *claims) claim(owner *txOwner, refs []itemRef) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var busy []int
	for i, r := range refs {
		if o, held := c.owner[r]; held && o != owner {
			busy = append(busy, i)
		}
	}
	if len(busy) > 0 {
		return busy
	}
	if c.owner == nil {
		c.owner = map[itemRef]*txOwner{}
	}
	for _, r := range refs {
		c.owner[r] = owner
	}
	c.active.Add(int64(len(refs)))
	return nil
}

func (c *claims) release(owner *txOwner, refs []itemRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range refs {
		if c.owner[r] == owner {
			delete(c.owner, r)
			c.active.Add(-1)
		}
	}
}

// held reports whether a transaction holds the item.
func (c *claims) held(r itemRef) bool {
	if c.active.Load() == 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.owner[r]
	return ok
}

// conflictReasons cancels a transaction whose items at busy are held by
// another transaction.
func conflictReasons(n int, busy []int) error {
	reasons := make([]types.CancellationReason, n)
	for i := range reasons {
		reasons[i] = types.CancellationReason{Code: aws.String("None")}
	}
	for _, i := range busy {
		reasons[i] = types.CancellationReason{Code: aws.String("TransactionConflict"), Message: aws.String(msgTransactionOngoing)}
	}
	return cancelled(reasons)
}

// checkNotInTransaction fails a single-item write on an item that a
// transaction is committing, with TransactionConflictException.
func (s *Store) checkNotInTransaction(t *table, key attr.Item) error {
	if s.claims.active.Load() == 0 || !s.claims.held(itemRef{t: t, key: string(t.keys.rowKey(nil, key))}) {
		return nil
	}
	return &types.TransactionConflictException{Message: aws.String(msgTransactionOngoing)}
}
