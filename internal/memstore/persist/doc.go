// Package persist keeps a [memstore.Store] on disk, for the local endpoint's
// --data directory: a snapshot plus an append-only log, so that a crash at
// any moment (kill -9 included) loses no acknowledged write and never
// leaves a store that fails to load.
//
//	store, err := persist.Open(dir, memstore.New())
//	handler := wire.NewHandler(store)
//	defer store.Close()
//
// # Where it sits
//
// [Store] embeds the memstore and overrides the operations that change
// state (CreateTable, UpdateTable, DeleteTable, UpdateTimeToLive,
// TagResource, UntagResource, UpdateContinuousBackups, PutItem,
// UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems); everything
// else, reads and streams, is the memstore's own method, and a test fails
// if the memstore grows an operation that is neither. It is
// a backend wrapper rather than HTTP middleware because it needs what
// middleware cannot see without decoding every response: typed inputs,
// whether the call succeeded, and the store itself, to read back what a
// write left while nothing else can write. It serves the in-process paths
// ([wire.NewClient], the direct method set) as well as HTTP.
//
// # What is logged
//
// Table operations (schema, TTL, tags, backups) are logged as their
// requests: they are deterministic given the same tables. Item writes are logged as their effect, not
// their request: the full item each key holds after the write (or its
// deletion), read back under the order lock. Replaying requests would
// not be deterministic: a conditional write that succeeded after the TTL
// sweeper removed an item would fail on replay, where the unlogged sweep
// has not happened; a retried TransactWriteItems ClientRequestToken is
// judged by the wall clock. Images replay the same way whatever the
// clock, the sweeper or the conditions, and replaying one twice is
// harmless, which is what lets snapshots run without stopping writes.
// Failed writes (a failed condition, a cancelled transaction) are not
// logged.
//
// # Durability and order
//
// A write is applied and its record appended to the log buffer under one
// lock, so the log's order is the order the store applied writes in; the
// response waits until the record is written and fsynced. The fsync is a
// group commit: whichever waiting writer finds no flush in progress writes
// and syncs everything buffered, acknowledging the whole batch, so many
// concurrent clients share one fsync. A failed write also waits for the
// records before it, since its answer may depend on them. Reads are not
// held back: a read may see a write whose fsync is still in flight, which
// a crash in that instant would lose (with its writer never answered).
//
// If a write or sync fails, the log is dead: that write and every later
// one fail with an internal error, reads go on, and a restart recovers
// every acknowledged write.
//
// # Files
//
// A data directory holds LOCK (one process at a time), snapshot, and
// log-<generation> files. Both kinds are a magic header and frames of
// length (4 bytes), CRC-32C of length and payload (4 bytes), and payload
// (a kind byte and the DynamoDB JSON of an SDK input, see [wire.Marshal]).
// On start the snapshot is loaded and the logs after it replayed; a torn
// last record (a write interrupted by the crash, so never acknowledged) is
// detected by its length or checksum and cut off. Damage anywhere else
// stops the load with an error rather than silently dropping writes.
//
// # Snapshots
//
// When the log passes a size ([WithCompactSize]), a snapshot is taken in
// the background: the log moves to a new generation, then every table is
// dumped (CreateTable from DescribeTable, UpdateTimeToLive, TagResource,
// UpdateContinuousBackups, PutItem images a Scan page at a time) to snapshot.tmp, which is fsynced,
// renamed to snapshot, and the directory fsynced; only then are the older
// logs removed. Item writes continue during the dump (table operations
// wait): an item's image in the snapshot is either its state at the
// rotation or a later one whose write is also in the new log, so the
// snapshot plus that log is the current state.
//
// # What is not kept
//
// TTL deletions by the sweeper are not logged: after a restart, items
// that had expired and been swept may come back until the next sweep
// removes them again (the endpoint sweeps once at start). Stream records
// are not kept: streams restart empty (replay may add records of its
// own), with new stream ARNs. Tables get new ids and creation times.
package persist
