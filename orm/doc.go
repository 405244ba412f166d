// Package orm maps Go structs onto one DynamoDB table: the single-table
// design, typed.
//
// There are only a few types: a [Table] declares the physical layout once,
// a [Model] is the typed door to one entity of it, a [Query] reads a
// partition, a [Tx] groups writes, and errors are sentinels plus
// [ConditionError], [TxError] and [ValidationError].
//
// # Models
//
// A model is a struct with an [Entity] field whose tags name the entity
// and give its key templates; its other fields are attributes, encoded by
// guregu/dynamo (`dynamo:"..."` tags, so a model is also a valid
// guregu/dynamo item) and validated by validator/v10 (`validate:"..."`):
//
//	type Score struct {
//		_       orm.Entity `entity:"score" pk:"GAME#{Game}" sk:"PLAYER#{Player}" gsi1pk:"BOARD#{Game}" gsi1sk:"{Points}"`
//		Game    string     `dynamo:"game" validate:"required,max=64"`
//		Player  string     `dynamo:"player" validate:"required"`
//		Points  int64      `dynamo:"points" validate:"gte=0"`
//		Expires time.Time  `dynamo:"expires,unixtime" orm:"ttl"`
//		Version int64      `dynamo:"v" orm:"version"`
//	}
//
//	table := orm.NewTable(client, "app", orm.Layout{GSIs: orm.GSIs(1)})
//	scores := orm.MustRegister[Score](table)
//
// The `orm` tag marks the TTL field (written as epoch seconds to the
// table's TTL attribute), the version field (optimistic locking), the
// created and updated timestamps, and unique fields.
//
// [Register] compiles a model once and reports every mistake then, naming
// the model and the tag: an unknown field in a template, a key field that
// cannot be a key, an index the table lacks, two entities whose keys could
// collide.
//
// # Keys
//
// A template such as "ORDER#{At}#{ID}" mixes literals and fields. A
// template that is one number field ("{Points}") is a typed N key and
// sorts numerically; numbers and times inside string templates use
// order-preserving encodings (negatives included), so keys sort as their
// values do. Formats adjust a field: "{Email:lower}", "{Day:2006-01-02}",
// "{N:raw}".
//
// # Sparse indexes
//
// An item is in an index only if it has that index's key attributes, and
// the ORM writes an index key only when every field its template reads is
// itself stored: a field the codec leaves out of the item (a nil pointer,
// an empty string, a zero value tagged `dynamo:",omitempty"`) leaves out
// the index keys that read it, so the item is absent from the index. A
// literal index key ("ESCALATED") comes and goes with the other key of
// its index. A zero that is stored is a value and is indexed: a score of
// 0 is on the leaderboard; make the field a pointer or omitempty to keep
// zeros out. Updates follow the same rule: setting such a field writes
// the key, clearing it (Remove, or Set to nil or "") removes it. Pointer
// fields may feed index keys, never the primary key.
//
// # Reads and writes
//
// [Model.Get], [Model.Put], [Model.Update] and [Model.Delete] take and
// return T. Conditions ([If], [IfExists], [IfNotExists]) and update
// changes ([Set], [Add], [Remove], [Append], [SetIfAbsent],
// [DeleteFromSet]) name Go fields, or paths into them: "Address.City"
// into a struct, "Labels.color" into a map, "Lines[0].Qty" into a list.
// Paths resolve through the model's types and dynamo tags to the stored
// names (#addr.#city), and a path that does not exist fails at the call,
// before any request. Values always travel as expression placeholders.
// An update of a field used in a key template rewrites that
// key in the same request, or fails before any request naming the
// fields it also needs ([ErrIncompleteKey]).
//
// Items whose TTL has passed are gone for the ORM even before DynamoDB
// deletes them: Get returns [ErrNotFound], queries skip them, creates may
// replace them. The table's clock is injectable ([WithClock]).
//
// # Queries and cursors
//
// [Model.Query] reads a partition of the table or an index, with a
// sort-key condition, direction, [Query.Limit], filters and projection.
// Only the model's entity comes back; [Query.Collect] reads a mixed
// partition into each entity's own type. Limit means "items returned",
// even with filters. Pages resume from a [Cursor].
//
// An index that does not project ALL ([Index.Projection]) never passes
// for one that does: a typed query of such a global index names the
// fields it reads with [Query.Project], all of them in the projection,
// or fails with [ErrIncompleteItem] before any request. Local indexes
// fetch the rest of each item from the table and decode whole models.
//
// # Transactions, versions, unique values
//
// [Transact] collects PutTx, UpdateTx, DeleteTx and CheckTx across models
// into one TransactWriteItems. A canceled transaction is a [*TxError]
// with one [Reason] per operation: its entity, key, [Kind] (condition,
// version, exists, uniqueness, conflict...) and the stored item, decoded.
// Versioned models check and bump their version on every write, single or
// transactional ([ErrVersionConflict]). Unique fields are guarded by items
// written in the same transaction, moved when the value changes and
// released on delete ([ErrNotUnique]).
//
// # Schema
//
// The table's CloudFormation resource ([Table.Template],
// [Table.Resource]) and its CreateTable request ([Table.CreateTableInput])
// come from the layout (keys, indexes and their projections) and the
// registered models (attribute types); [ormcfn.Check] (package orm/ormcfn) fails when a
// deployed template has drifted from them.
//
// # Testing
//
// Package ormtest is an in-memory DynamoDB with the service's semantics;
// every example in this package runs on it.
//
// # Security
//
// No string of yours becomes expression text: field names are resolved
// through the model and values become placeholders. Cursors are sealed
// with AES-GCM and bound to their query, so clients can neither read nor
// forge the keys inside them; set the key with [WithCursorKey] so that
// every instance of an app shares it. Without it a random per-process key
// is used, and cursors die with the process.
package orm
