package memstore

import (
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// streamRetention is how long DynamoDB Streams keeps a record.
const streamRetention = 24 * time.Hour

// streamLog is one table stream: a single shard of change records in commit
// order. Writers append under the table's write lock; readers take only the
// log's own lock, so stream consumers never block the table.
type streamLog struct {
	arn     string
	label   string
	table   string
	keys    keySchema
	view    types.StreamViewType
	created time.Time
	shardID string
	seqs    *sequencer

	mu       sync.Mutex
	records  []streamRecord
	disabled bool
	closedAt uint64        // last sequence number once disabled
	wake     chan struct{} // closed and replaced on every append
}

// streamRecord is one change as the stream stores it.
type streamRecord struct {
	seq     uint64
	id      string
	at      time.Time
	event   string // INSERT, MODIFY, REMOVE
	keys    attr.Item
	old     attr.Item
	new     attr.Item
	size    int
	service bool // deleted by TTL
}

// sequencer hands out store-wide increasing sequence numbers.
type sequencer struct {
	mu   sync.Mutex
	next uint64
}

func (q *sequencer) take() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	return q.next
}

func formatSeq(n uint64) string { return fmt.Sprintf("%021d", n) }

func newStreamLog(t *table, view types.StreamViewType, created time.Time, seqs *sequencer) *streamLog {
	label := created.UTC().Format("2006-01-02T15:04:05.000")
	return &streamLog{
		arn:     t.arn + "/stream/" + label,
		label:   label,
		table:   t.name,
		keys:    t.keys,
		view:    view,
		created: created,
		shardID: fmt.Sprintf("shardId-%020d-%s", created.UnixMilli(), newID()[:8]),
		seqs:    seqs,
		wake:    make(chan struct{}),
	}
}

// append records one change; a write that changes nothing is not recorded.
func (l *streamLog) append(old, new attr.Item, service bool, now time.Time) {
	var event string
	switch {
	case old == nil && new == nil:
		return
	case old == nil:
		event = "INSERT"
	case new == nil:
		event = "REMOVE"
	default:
		if attr.EqualItems(old, new) {
			return
		}
		event = "MODIFY"
	}
	src := new
	if src == nil {
		src = old
	}
	rec := streamRecord{id: newID(), at: now, event: event, keys: l.keys.project(src, nil), service: service}
	switch l.view {
	case types.StreamViewTypeNewImage:
		rec.new = new
	case types.StreamViewTypeOldImage:
		rec.old = old
	case types.StreamViewTypeNewAndOldImages:
		rec.new, rec.old = new, old
	}
	rec.size = attr.ItemSize(rec.keys) + attr.ItemSize(rec.new) + attr.ItemSize(rec.old)

	l.mu.Lock()
	rec.seq = l.seqs.take()
	l.records = append(l.records, rec)
	l.trim(now)
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
}

// trim drops records past the retention period; the caller holds l.mu.
func (l *streamLog) trim(now time.Time) {
	i := 0
	for i < len(l.records) && now.Sub(l.records[i].at) > streamRetention {
		i++
	}
	if i > 0 {
		l.records = append(l.records[:0:0], l.records[i:]...)
	}
}

// disable closes the shard: no more records, readers drain what is left.
func (l *streamLog) disable() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.disabled = true
	if n := len(l.records); n > 0 {
		l.closedAt = l.records[n-1].seq
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// after returns up to max records with sequence numbers greater than seq,
// and a channel that is closed when more arrive.
func (l *streamLog) after(seq uint64, max int) ([]streamRecord, <-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lo, hi := 0, len(l.records)
	for lo < hi {
		m := (lo + hi) / 2
		if l.records[m].seq <= seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo + max
	if end > len(l.records) {
		end = len(l.records)
	}
	out := append([]streamRecord(nil), l.records[lo:end]...)
	return out, l.wake, l.disabled
}

// bounds returns the first retained and the last sequence number (0 when
// empty).
func (l *streamLog) bounds() (first, last uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.records) == 0 {
		return 0, 0
	}
	return l.records[0].seq, l.records[len(l.records)-1].seq
}

// current is the last sequence number handed out.
func (q *sequencer) current() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.next
}

// clear drops every record, keeping the stream and its shard.
func (l *streamLog) clear() {
	l.mu.Lock()
	l.records = nil
	l.mu.Unlock()
}
