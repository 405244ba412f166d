package memstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Request-shape checks of the data-plane operations: required members,
// enum values, lengths and ranges from the API model. DynamoDB checks
// them all before anything else and reports every failure in one
// ValidationException ("2 validation errors detected: ...; ..."), fields
// in the order the service lists them.

const (
	enumConsumedCapacity = "[INDEXES, TOTAL, NONE]"
	enumReturnValues     = "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
	enumCollectionMetric = "[SIZE, NONE]"
	enumConditionalOp    = "[OR, AND]"
	enumSelect           = "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
	enumComparison       = "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
	enumOnCheckFailure   = "[ALL_OLD, NONE]"
)

// enum adds a failure when a set value is not one of its type's values.
func enum[T interface {
	~string
	Values() []T
}](c *constraints, v T, field, set string) {
	if v != "" && !slices.Contains(v.Values(), v) {
		c.add(string(v), field, "Member must satisfy enum value set: "+set)
	}
}

func (c *constraints) consumedCapacity(v types.ReturnConsumedCapacity) {
	enum(c, v, "returnConsumedCapacity", enumConsumedCapacity)
}

func (c *constraints) returnValues(v types.ReturnValue) {
	enum(c, v, "returnValues", enumReturnValues)
}

func (c *constraints) collectionMetrics(v types.ReturnItemCollectionMetrics) {
	enum(c, v, "returnItemCollectionMetrics", enumCollectionMetric)
}

func (c *constraints) conditionalOperator(v types.ConditionalOperator) {
	enum(c, v, "conditionalOperator", enumConditionalOp)
}

func (c *constraints) onCheckFailure(v types.ReturnValuesOnConditionCheckFailure) {
	enum(c, v, "returnValuesOnConditionCheckFailure", enumOnCheckFailure)
}

// dataTableName checks a data-plane table name, which may also be an ARN.
func (c *constraints) dataTableName(name *string) {
	if name == nil {
		c.add(nil, "tableName", "Member must not be null")
		return
	}
	if *name == "" {
		// A data-plane name may be an ARN: the field's bounds are 1 to 1024.
		c.add(name, "tableName", "Member must have length greater than or equal to 1")
		return
	}
	if len(*name) > 4 && (*name)[:4] == "arn:" {
		if len(*name) > 1024 {
			c.add(name, "tableName", "Member must have length less than or equal to 1024")
		}
		return
	}
	c.name(name, "tableName", true)
}

func (c *constraints) attributesToGet(names []string, field string) {
	if names == nil {
		return
	}
	if len(names) < 1 {
		c.add("[]", field, "Member must have length greater than or equal to 1")
	} else if len(names) > 255 {
		c.add(fmt.Sprint(names), field, "Member must have length less than or equal to 255")
	}
}

func (c *constraints) limit(limit *int32) {
	if limit != nil && *limit < 1 {
		c.add(*limit, "limit", "Member must have value greater than or equal to 1")
	}
}

// expected checks the comparison operators of Expected (optional there).
func (c *constraints) expected(exp map[string]types.ExpectedAttributeValue) {
	for _, name := range sortedKeys(exp) {
		enum(c, exp[name].ComparisonOperator, "expected."+name+".member.comparisonOperator", enumComparison)
	}
}

// conditions checks a QueryFilter, ScanFilter or KeyConditions map, whose
// entries must each name a comparison operator.
func (c *constraints) conditions(conds map[string]types.Condition, field string) {
	for _, name := range sortedKeys(conds) {
		f := field + "." + name + ".member.comparisonOperator"
		if op := conds[name].ComparisonOperator; op == "" {
			c.add(nil, f, "Member must not be null")
		} else {
			enum(c, op, f, enumComparison)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func getItemShape(in *dynamodb.GetItemInput) error {
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.attributesToGet(in.AttributesToGet, "attributesToGet")
	c.dataTableName(in.TableName)
	c.notNull(in.Key != nil, "key")
	return c.err()
}

// The service is moving its request validation to a newer framework that
// stops at the first failure and names the member without echoing it. In
// us-east-1 (2026-10 captures) PutItem and UpdateItem answer an empty table
// name, and UpdateItem an unknown ReturnValues, that way once the item or
// key is present; everything else still gets the older, aggregated form.
const (
	msgEmptyTableNameNew = "1 validation error detected: Value at 'TableName' failed to satisfy constraint: Member must have length greater than or equal to 1"
	// sic: the newer framework lists UPDATE_NEW.
	msgReturnValuesNew = "1 validation error detected: Failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]"
)

func putItemShape(in *dynamodb.PutItemInput) error {
	if in.Item != nil && in.TableName != nil && *in.TableName == "" {
		return validationMsg(msgEmptyTableNameNew)
	}
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.dataTableName(in.TableName)
	c.notNull(in.Item != nil, "item")
	c.conditionalOperator(in.ConditionalOperator)
	c.expected(in.Expected)
	c.returnValues(in.ReturnValues)
	c.collectionMetrics(in.ReturnItemCollectionMetrics)
	c.onCheckFailure(in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func deleteItemShape(in *dynamodb.DeleteItemInput) error {
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.dataTableName(in.TableName)
	c.returnValues(in.ReturnValues)
	c.collectionMetrics(in.ReturnItemCollectionMetrics)
	c.notNull(in.Key != nil, "key")
	c.conditionalOperator(in.ConditionalOperator)
	c.expected(in.Expected)
	c.onCheckFailure(in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func updateItemShape(in *dynamodb.UpdateItemInput) error {
	if in.Key != nil {
		if in.TableName != nil && *in.TableName == "" {
			return validationMsg(msgEmptyTableNameNew)
		}
		if v := in.ReturnValues; v != "" && !slices.Contains(v.Values(), v) {
			return validationMsg(msgReturnValuesNew)
		}
	}
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.dataTableName(in.TableName)
	c.collectionMetrics(in.ReturnItemCollectionMetrics)
	c.returnValues(in.ReturnValues)
	c.conditionalOperator(in.ConditionalOperator)
	c.notNull(in.Key != nil, "key")
	c.expected(in.Expected)
	for _, name := range sortedKeys(in.AttributeUpdates) {
		enum(&c, in.AttributeUpdates[name].Action, "attributeUpdates."+name+".member.action", "[ADD, PUT, DELETE]")
	}
	c.onCheckFailure(in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func queryShape(in *dynamodb.QueryInput) error {
	if op := in.ConditionalOperator; op != "" && !slices.Contains(op.Values(), op) && len(in.QueryFilter) >= 2 {
		// Reached while reading the legacy filter, before the members are
		// checked: bare, and alone (us-east-1 and eu-west-2, 2026-10).
		return validationMsg("Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]")
	}
	var c constraints
	enum(&c, in.Select, "select", enumSelect)
	c.name(in.IndexName, "indexName", false)
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.conditions(in.QueryFilter, "queryFilter")
	c.dataTableName(in.TableName)
	c.conditionalOperator(in.ConditionalOperator)
	c.attributesToGet(in.AttributesToGet, "attributesToGet")
	if in.Limit != nil && *in.Limit < 1 {
		c.addBare("Limit", "Member must have value greater than or equal to 1") // Query's wording; Scan's names the value
	}
	c.conditions(in.KeyConditions, "keyConditions")
	return c.err()
}

func scanShape(in *dynamodb.ScanInput) error {
	var c constraints
	enum(&c, in.Select, "select", enumSelect)
	c.name(in.IndexName, "indexName", false)
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.dataTableName(in.TableName)
	c.conditionalOperator(in.ConditionalOperator)
	c.conditions(in.ScanFilter, "scanFilter")
	c.limit(in.Limit)
	c.attributesToGet(in.AttributesToGet, "attributesToGet")
	return c.err()
}

func batchGetShape(in *dynamodb.BatchGetItemInput) error {
	var c constraints
	if badTableNames(in.RequestItems) {
		c.add(jsonRequestItems(in.RequestItems, keysAndAttributesJSON), "requestItems", msgMapKeys)
	}
	c.consumedCapacity(in.ReturnConsumedCapacity)
	for _, name := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[name]
		// The service names these members capitalised and leaves the list out.
		keys := "RequestItems." + name + ".member.Keys"
		switch n := len(ka.Keys); {
		case ka.Keys == nil:
			c.add(nil, keys, "Member must not be null")
		case n < 1:
			c.addBare(keys, "Member must have length greater than or equal to 1")
		case n > maxBatchGetKeys:
			c.addBare(keys, "Member must have length less than or equal to 100")
		}
		c.attributesToGet(ka.AttributesToGet, "requestItems."+name+".member.attributesToGet")
	}
	return c.err()
}

func batchWriteShape(in *dynamodb.BatchWriteItemInput) error {
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.collectionMetrics(in.ReturnItemCollectionMetrics)
	// A malformed table name gives way to an enum failure here, unlike in
	// BatchGetItem, and the map is echoed in its Java rendering.
	if len(c.msgs) == 0 && badTableNames(in.RequestItems) {
		c.add(javaWriteRequests(in.RequestItems), "requestItems", msgMapKeys)
	}
	return c.err()
}

func listTablesShape(in *dynamodb.ListTablesInput) error {
	var c constraints
	if l := in.Limit; l != nil {
		if *l < 1 {
			c.add(*l, "limit", "Member must have value greater than or equal to 1")
		} else if *l > maxListTablesLimit {
			c.add(*l, "limit", "Member must have value less than or equal to 100")
		}
	}
	c.name(in.ExclusiveStartTableName, "exclusiveStartTableName", false)
	return c.err()
}

// mixedProjections rejects a BatchGetItem that projects one table with an
// expression and another with AttributesToGet.
func mixedProjections(items map[string]types.KeysAndAttributes) error {
	var expr, legacy bool
	for _, ka := range items {
		expr = expr || ka.ProjectionExpression != nil
		legacy = legacy || ka.AttributesToGet != nil
	}
	if expr && legacy {
		return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	return nil
}

// javaWrites renders a table's write requests as the service echoes them
// in a constraint failure: the Java rendering of the map entry.
func javaWrites(table string, reqs []types.WriteRequest) string {
	var b strings.Builder
	b.WriteString("{" + table + "=[")
	for i, r := range reqs {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case r.PutRequest != nil:
			b.WriteString("{PutRequest: {Item: " + javaItem(r.PutRequest.Item) + "},}")
		case r.DeleteRequest != nil:
			b.WriteString("{DeleteRequest: {Key: " + javaItem(r.DeleteRequest.Key) + "},}")
		default:
			b.WriteString("{}")
		}
	}
	b.WriteString("]}")
	return b.String()
}

// javaWriteRequests renders BatchWriteItem's RequestItems as the service
// echoes them beside a malformed table name: the model's toString.
func javaWriteRequests(items map[string][]types.WriteRequest) string {
	var b strings.Builder
	b.WriteString("{")
	for i, name := range sortedKeys(items) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name + "=[")
		for j, r := range items[name] {
			if j > 0 {
				b.WriteString(", ")
			}
			put, del := "null", "null"
			if r.PutRequest != nil {
				put = "PutRequest(item=" + javaModelItem(r.PutRequest.Item) + ")"
			}
			if r.DeleteRequest != nil {
				del = "DeleteRequest(key=" + javaModelItem(r.DeleteRequest.Key) + ")"
			}
			b.WriteString("WriteRequest(putRequest=" + put + ", deleteRequest=" + del + ")")
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	return b.String()
}

func javaModelItem(item map[string]types.AttributeValue) string {
	parts := make([]string, 0, len(item))
	for _, k := range sortedKeys(item) {
		parts = append(parts, k+"=AttributeValue("+attr.TypeOf(item[k])+"="+showValue(item[k])+")")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func javaItem(item map[string]types.AttributeValue) string {
	parts := make([]string, 0, len(item))
	for _, k := range sortedKeys(item) {
		parts = append(parts, k+"={"+attr.TypeOf(item[k])+": "+showValue(item[k])+",}")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func showValue(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return x.Value
	case *types.AttributeValueMemberN:
		return x.Value
	}
	return fmt.Sprint(v)
}

const msgMapKeys = "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"

// badTableNames reports a batch keyed by a name that is not a table name
// (ARNs aside).
func badTableNames[V any](items map[string]V) bool {
	for name := range items {
		if strings.HasPrefix(name, "arn:") {
			continue
		}
		if !nameChars(name) || len(name) < 3 || len(name) > 255 {
			return true
		}
	}
	return false
}

// jsonRequestItems renders a batch's RequestItems as the service echoes
// them in a map-keys constraint failure: the request's own JSON.
func jsonRequestItems[V any](items map[string]V, value func(V) any) string {
	out := make(map[string]any, len(items))
	for name, v := range items {
		out[name] = value(v)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func keysAndAttributesJSON(ka types.KeysAndAttributes) any {
	m := map[string]any{"Keys": itemsJSON(ka.Keys)}
	if ka.AttributesToGet != nil {
		m["AttributesToGet"] = ka.AttributesToGet
	}
	if ka.ConsistentRead != nil {
		m["ConsistentRead"] = *ka.ConsistentRead
	}
	if ka.ProjectionExpression != nil {
		m["ProjectionExpression"] = *ka.ProjectionExpression
	}
	if ka.ExpressionAttributeNames != nil {
		m["ExpressionAttributeNames"] = ka.ExpressionAttributeNames
	}
	return m
}

func itemsJSON(items []map[string]types.AttributeValue) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = itemJSON(it)
	}
	return out
}

func itemJSON(item map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(item))
	for k, v := range item {
		out[k] = valueJSON(v)
	}
	return out
}

// valueJSON is an attribute value in the wire protocol's JSON shape.
func valueJSON(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": x.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": x.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": x.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": x.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": x.Value}
	case *types.AttributeValueMemberL:
		out := make([]any, len(x.Value))
		for i, e := range x.Value {
			out[i] = valueJSON(e)
		}
		return map[string]any{"L": out}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": itemJSON(x.Value)}
	}
	return map[string]any{}
}
