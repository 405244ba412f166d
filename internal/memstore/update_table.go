package memstore

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// UpdateTable changes billing, throughput, streams and deletion protection,
// and creates or deletes global secondary indexes. A new index is filled
// from the existing items before the call returns, so it is ACTIVE at once.
func (s *Store) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	if in == nil {
		in = &dynamodb.UpdateTableInput{} // as the SDK does for a nil input
	}
	t, err := s.controlTable(in.TableName)
	if err != nil {
		return nil, wrap("UpdateTable", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.updateTable(t, in); err != nil {
		return nil, wrap("UpdateTable", err)
	}
	return &dynamodb.UpdateTableOutput{TableDescription: s.describe(t)}, nil
}

func (s *Store) updateTable(t *table, in *dynamodb.UpdateTableInput) error {
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.StreamSpecification == nil &&
		in.GlobalSecondaryIndexUpdates == nil && in.DeletionProtectionEnabled == nil && in.TableClass == "" &&
		in.SSESpecification == nil && in.AttributeDefinitions == nil && in.OnDemandThroughput == nil {
		return validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	billing := t.billing
	if in.BillingMode != "" {
		billing = in.BillingMode
	}
	if in.ProvisionedThroughput != nil || in.BillingMode != "" {
		pt := in.ProvisionedThroughput
		if pt == nil && billing == types.BillingModeProvisioned {
			if t.billing == types.BillingModeProvisioned {
				pt = &t.throughput
			}
		}
		if err := checkThroughput(billing, pt); err != nil {
			return err
		}
	}
	if pt := in.ProvisionedThroughput; pt != nil && t.billing == types.BillingModeProvisioned && billing == types.BillingModeProvisioned &&
		aws.ToInt64(pt.ReadCapacityUnits) == aws.ToInt64(t.throughput.ReadCapacityUnits) &&
		aws.ToInt64(pt.WriteCapacityUnits) == aws.ToInt64(t.throughput.WriteCapacityUnits) {
		return validation("The provisioned throughput for the table will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. "+
			"Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
			aws.ToInt64(t.throughput.ReadCapacityUnits), aws.ToInt64(pt.ReadCapacityUnits),
			aws.ToInt64(t.throughput.WriteCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits))
	}

	defs := map[string]types.ScalarAttributeType{}
	var defNames []string
	for _, d := range t.attrDefs {
		defs[*d.AttributeName] = d.AttributeType
		defNames = append(defNames, *d.AttributeName)
	}
	for _, d := range in.AttributeDefinitions {
		if d.AttributeName == nil {
			continue
		}
		if cur, ok := defs[*d.AttributeName]; ok && cur != d.AttributeType {
			return validation("Cannot update attribute definitions: Attributes cannot be redefined: attribute %s is already defined with type %s", *d.AttributeName, cur)
		}
		if _, ok := defs[*d.AttributeName]; !ok {
			defs[*d.AttributeName] = d.AttributeType
			defNames = append(defNames, *d.AttributeName)
		}
	}

	if err := indexUpdatesShape(in.GlobalSecondaryIndexUpdates); err != nil {
		return err
	}
	// A new index's key attributes must be defined in this request, even
	// ones the table already knows.
	requested := map[string]bool{}
	for _, d := range in.AttributeDefinitions {
		requested[aws.ToString(d.AttributeName)] = true
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Create == nil {
			continue
		}
		for _, k := range u.Create.KeySchema {
			if n := aws.ToString(k.AttributeName); !requested[n] {
				var names []string
				for _, d := range in.AttributeDefinitions {
					names = append(names, aws.ToString(d.AttributeName))
				}
				return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
					strings.Join(keyNames(u.Create.KeySchema), ", "), strings.Join(names, ", "))
			}
		}
	}

	// Validate every index change before applying any.
	var creates []*index
	deletes := map[string]bool{}
	seen := map[string]bool{}
	for _, ix := range t.indexes {
		seen[ix.name] = true
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			c := u.Create
			if c.IndexName == nil {
				return validation("1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: Member must not be null")
			}
			if t.index(*c.IndexName) != nil {
				return validation("Attempting to create an index which already exists")
			}
			if seen[*c.IndexName] {
				return validation("One or more parameter values were invalid: Duplicate index name: %s", *c.IndexName)
			}
			ix, err := parseIndex(*c.IndexName, c.KeySchema, c.Projection, c.ProvisionedThroughput, true, billing, defs, defNames, seen)
			if err != nil {
				return err
			}
			ix.onDemand = copyOnDemand(c.OnDemandThroughput)
			creates = append(creates, ix)
		case u.Delete != nil:
			name := aws.ToString(u.Delete.IndexName)
			ix := t.index(name)
			if ix == nil || !ix.global {
				return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + t.name + " index: " + name + " not found")}
			}
			deletes[name] = true
		case u.Update != nil:
			name := aws.ToString(u.Update.IndexName)
			ix := t.index(name)
			if ix == nil || !ix.global {
				return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + t.name + " index: " + name + " not found")}
			}
			if billing == types.BillingModePayPerRequest && u.Update.OnDemandThroughput == nil {
				return validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
			}
		}
	}
	if len(creates)+len(deletes) > 1 {
		return &types.LimitExceededException{Message: aws.String("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")}
	}
	gsis := 0
	for _, ix := range t.indexes {
		if ix.global {
			gsis++
		}
	}
	if gsis+len(creates) > maxGSIs {
		return &types.LimitExceededException{Message: aws.String("Subscriber limit exceeded: The number of global secondary indexes exceeds the per-table limit of 20")}
	}
	if in.StreamSpecification != nil {
		enable := aws.ToBool(in.StreamSpecification.StreamEnabled)
		if enable && t.stream != nil {
			return validation("Table already has an enabled stream: %s", t.streamLog.arn)
		}
		if !enable && t.stream == nil {
			return validation("Table already has no enabled stream")
		}
		if enable {
			if err := checkStreamSpec(in.StreamSpecification); err != nil {
				return err
			}
		}
	}

	// Apply.
	t.billing = billing
	if in.ProvisionedThroughput != nil {
		t.throughput = *in.ProvisionedThroughput
	} else if billing == types.BillingModePayPerRequest {
		t.throughput = types.ProvisionedThroughput{}
	}
	if in.DeletionProtectionEnabled != nil {
		t.deletionProtection = *in.DeletionProtectionEnabled
	}
	if in.TableClass != "" {
		t.tableClass = in.TableClass
	}
	if in.OnDemandThroughput != nil {
		t.onDemand = copyOnDemand(in.OnDemandThroughput)
	}
	if in.SSESpecification != nil {
		t.sse = in.SSESpecification
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Update != nil && u.Update.ProvisionedThroughput != nil {
			cp := *u.Update.ProvisionedThroughput
			t.index(*u.Update.IndexName).throughput = &cp
		}
		if u.Update != nil && u.Update.OnDemandThroughput != nil {
			t.index(*u.Update.IndexName).onDemand = copyOnDemand(u.Update.OnDemandThroughput)
		}
	}
	if len(deletes) > 0 {
		t.dropIndexes(deletes)
	}
	for _, ix := range creates {
		t.backfill(ix)
	}
	t.attrDefs = t.attrDefs[:0]
	used := map[string]bool{}
	for _, n := range t.keys.names() {
		used[n] = true
	}
	for _, ix := range t.indexes {
		for _, n := range ix.keys.names() {
			used[n] = true
		}
	}
	for _, n := range defNames {
		if used[n] {
			t.attrDefs = append(t.attrDefs, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: defs[n]})
		}
	}
	if in.StreamSpecification != nil {
		if aws.ToBool(in.StreamSpecification.StreamEnabled) {
			spec := *in.StreamSpecification
			t.stream = &spec
			t.streamLog = newStreamLog(t, spec.StreamViewType, s.now(), &s.seqs)
			t.latestStream = t.streamLog
			s.mu.Lock()
			s.streams = append(s.streams, t.streamLog)
			s.mu.Unlock()
		} else {
			t.stream = nil
			t.streamLog.disable()
			t.streamLog = nil
		}
	}
	return nil
}

// typesMatch reports whether an item's index key attributes have the
// declared types; a backfill skips items that don't, as DynamoDB does.
func (ix *index) typesMatch(item map[string]types.AttributeValue) bool {
	for i, kd := range ix.keys.all() {
		v := item[kd.Name]
		if v == nil || string(kd.Type) != attr.TypeOf(v) || isEmptyKey(v) {
			return false
		}
		// nor an item whose value is too long for a key
		if checkKeyValue(kd.Name, v, i < 1+len(ix.keys.MoreHash)) != nil {
			return false
		}
	}
	return true
}

// dropIndexes removes the named indexes and each row's entries for them.
func (t *table) dropIndexes(names map[string]bool) {
	keep := make([]bool, len(t.indexes))
	kept := t.indexes[:0]
	for i, ix := range t.indexes {
		if keep[i] = !names[ix.name]; keep[i] {
			kept = append(kept, ix)
		}
	}
	t.indexes = kept
	t.rows.Ascend(func(r *row) bool {
		entries := r.ixRows[:0]
		for i, e := range r.ixRows {
			if keep[i] {
				entries = append(entries, e)
			}
		}
		r.ixRows = entries
		return true
	})
}

// backfill adds a new index and fills it from the table's items; items
// whose index key attributes have the wrong type stay out, as in DynamoDB.
func (t *table) backfill(ix *index) {
	t.indexes = append(t.indexes, ix)
	t.rows.Ascend(func(r *row) bool {
		var e *row
		if ix.typesMatch(r.item) {
			e = ix.insert(t.keys, r.item, r.size)
		}
		r.ixRows = append(r.ixRows, e)
		return true
	})
}

// indexUpdatesShape checks GlobalSecondaryIndexUpdates before any index is
// looked up: not empty, exactly one action per update, and one update per
// request.
func indexUpdatesShape(updates []types.GlobalSecondaryIndexUpdate) error {
	if updates == nil {
		return nil
	}
	if len(updates) == 0 {
		return validation("1 validation error detected: Value '[]' at 'globalSecondaryIndexUpdates' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for i, u := range updates {
		n := 0
		for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
			if set {
				n++
			}
		}
		switch {
		case n == 0:
			return validation("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be set (globalSecondaryIndexUpdates.%d)", i+1)
		case n > 1:
			return validation("One or more parameter values were invalid: Only one of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete may be set (globalSecondaryIndexUpdates.%d)", i+1)
		}
	}
	creates := 0
	for _, u := range updates {
		if u.Create != nil || u.Delete != nil {
			creates++
		}
	}
	if creates > 1 {
		return &types.LimitExceededException{Message: aws.String("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")}
	}
	return nil
}

func keyNames(ks []types.KeySchemaElement) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = aws.ToString(k.AttributeName)
	}
	return out
}
