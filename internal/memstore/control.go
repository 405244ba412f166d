package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Service limits from the Developer Guide's quotas page.
const (
	maxGSIs             = 20
	maxLSIs             = 5
	maxProjectedNonKeys = 100
	maxListTablesLimit  = 100
	maxProvisionedUnits = 1000000000000
)

// CreateTable creates a table; it is ACTIVE at once.
func (s *Store) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	if in == nil {
		in = &dynamodb.CreateTableInput{} // as the SDK does for a nil input
	}
	t, err := s.buildTable(in)
	if err != nil {
		return nil, wrap("CreateTable", err)
	}
	s.mu.Lock()
	if _, exists := s.tables[t.name]; exists {
		s.mu.Unlock()
		return nil, wrap("CreateTable", resourceInUse("Table already exists: "+t.name))
	}
	s.tables[t.name] = t
	if t.streamLog != nil {
		t.latestStream = t.streamLog
		s.streams = append(s.streams, t.streamLog)
	}
	s.mu.Unlock()
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &dynamodb.CreateTableOutput{TableDescription: s.describe(t)}, nil
}

// maxKeyAttributeName bounds the name of a key attribute, or of an
// attribute an index projects: 255 bytes (other attributes may have names
// of up to 64 KB).
const maxKeyAttributeName = 255

func keyAttributeName(c *constraints, name *string, field string) {
	if name != nil && len(*name) > maxKeyAttributeName {
		c.add(name, field, "Member must have length less than or equal to 255")
	}
}

func (s *Store) buildTable(in *dynamodb.CreateTableInput) (*table, error) {
	if in.TableName == nil {
		return nil, validation("The parameter 'TableName' is required but was not present in the request")
	}
	var c constraints
	c.name(in.TableName, "tableName", true)
	c.notNull(in.KeySchema != nil, "keySchema")
	c.notNull(in.AttributeDefinitions != nil, "attributeDefinitions")
	if in.KeySchema != nil && (len(in.KeySchema) < 1 || len(in.KeySchema) > 2) {
		c.add(fmt.Sprint(keySchemaString(in.KeySchema)), "keySchema", "Member must have length less than or equal to 2")
	}
	for i, d := range in.AttributeDefinitions {
		keyAttributeName(&c, d.AttributeName, fmt.Sprintf("attributeDefinitions.%d.member.attributeName", i+1))
	}
	for i, k := range in.KeySchema {
		keyAttributeName(&c, k.AttributeName, fmt.Sprintf("keySchema.%d.member.attributeName", i+1))
		if k.KeyType != "" && k.KeyType != types.KeyTypeHash && k.KeyType != types.KeyTypeRange {
			c.add(string(k.KeyType), fmt.Sprintf("keySchema.%d.member.keyType", i+1), "Member must satisfy enum value set: [HASH, RANGE]")
		}
	}
	indexShape := func(kind string, i int, name *string, ks []types.KeySchemaElement, proj *types.Projection) {
		at := fmt.Sprintf("%s.%d.member.", kind, i+1)
		c.name(name, at+"indexName", true)
		c.notNull(proj != nil, at+"projection")
		c.notNull(ks != nil, at+"keySchema")
		for j, k := range ks {
			keyAttributeName(&c, k.AttributeName, fmt.Sprintf("%skeySchema.%d.member.attributeName", at, j+1))
		}
		if proj != nil {
			for _, n := range proj.NonKeyAttributes {
				if len(n) > maxKeyAttributeName {
					c.add(fmt.Sprint(proj.NonKeyAttributes), at+"projection.nonKeyAttributes",
						"Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]")
					break
				}
			}
		}
	}
	for i, ix := range in.GlobalSecondaryIndexes {
		indexShape("globalSecondaryIndexes", i, ix.IndexName, ix.KeySchema, ix.Projection)
	}
	for i, ix := range in.LocalSecondaryIndexes {
		indexShape("localSecondaryIndexes", i, ix.IndexName, ix.KeySchema, ix.Projection)
	}
	if in.BillingMode != "" && in.BillingMode != types.BillingModeProvisioned && in.BillingMode != types.BillingModePayPerRequest {
		c.add(string(in.BillingMode), "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")
	}
	if err := c.err(); err != nil {
		return nil, err
	}

	billing := in.BillingMode
	if billing == "" {
		billing = types.BillingModeProvisioned
	}
	if err := checkThroughput(billing, in.ProvisionedThroughput); err != nil {
		return nil, err
	}

	defs := map[string]types.ScalarAttributeType{}
	var defNames []string
	for _, d := range in.AttributeDefinitions {
		if d.AttributeName == nil {
			return nil, validation("1 validation error detected: Value null at 'attributeDefinitions.member.attributeName' failed to satisfy constraint: Member must not be null")
		}
		switch d.AttributeType {
		case types.ScalarAttributeTypeS, types.ScalarAttributeTypeN, types.ScalarAttributeTypeB:
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, len(defNames)+1)
		}
		if _, dup := defs[*d.AttributeName]; dup {
			return nil, validation("Cannot have two attributes with the same name")
		}
		defs[*d.AttributeName] = d.AttributeType
		defNames = append(defNames, *d.AttributeName)
	}

	keys, err := parseKeySchema(in.KeySchema, defs, defNames)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, n := range keys.names() {
		used[n] = true
	}

	t := &table{
		name:               *in.TableName,
		keys:               keys,
		billing:            billing,
		created:            s.now(),
		deletionProtection: aws.ToBool(in.DeletionProtectionEnabled),
		tableClass:         in.TableClass,
		sse:                in.SSESpecification,
		rows:               newTree(),
		byKey:              map[string]*row{},
		now:                s.now,
	}
	if s.eventual != nil {
		t.history = &history{lag: s.eventual.cfg.Lag, lastWrite: t.created}
	}
	if in.ProvisionedThroughput != nil {
		t.throughput = *in.ProvisionedThroughput
	}
	t.onDemand = copyOnDemand(in.OnDemandThroughput)
	if len(in.Tags) > 0 {
		if len(in.Tags) > maxTagsPerResource {
			return nil, errTooManyTags
		}
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		t.tags = make(map[string]string, len(in.Tags))
		for _, tag := range in.Tags {
			t.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	t.id = newID()
	t.arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.region, s.account, t.name)

	names := map[string]bool{}
	if in.LocalSecondaryIndexes != nil {
		if len(in.LocalSecondaryIndexes) == 0 {
			return nil, validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
		}
		if keys.Range == nil {
			return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		for _, l := range in.LocalSecondaryIndexes {
			ix, err := parseIndex(*l.IndexName, l.KeySchema, l.Projection, nil, false, billing, defs, defNames, names)
			if err != nil {
				return nil, err
			}
			if ix.keys.Range == nil {
				return nil, validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", ix.name)
			}
			if ix.keys.Hash.Name != keys.Hash.Name {
				return nil, validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", ix.name, ix.keys.Hash.Name, keys.Hash.Name)
			}
			for _, n := range ix.keys.names() {
				used[n] = true
			}
			t.indexes = append(t.indexes, ix)
		}
		if len(in.LocalSecondaryIndexes) > maxLSIs {
			return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs)
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return nil, validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
		}
		for _, g := range in.GlobalSecondaryIndexes {
			ix, err := parseIndex(*g.IndexName, g.KeySchema, g.Projection, g.ProvisionedThroughput, true, billing, defs, defNames, names)
			if err != nil {
				return nil, err
			}
			ix.onDemand = copyOnDemand(g.OnDemandThroughput)
			for _, n := range ix.keys.names() {
				used[n] = true
			}
			t.indexes = append(t.indexes, ix)
		}
		if len(in.GlobalSecondaryIndexes) > maxGSIs {
			return nil, validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
		}
	}
	if len(used) != len(defs) {
		if in.GlobalSecondaryIndexes == nil && in.LocalSecondaryIndexes == nil {
			return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
		return nil, validation("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", strings.Join(defNames, ", "), strings.Join(usedNames(used, defNames), ", "))
	}
	for _, n := range defNames {
		t.attrDefs = append(t.attrDefs, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: defs[n]})
	}
	if sp := in.StreamSpecification; sp != nil && !aws.ToBool(sp.StreamEnabled) && sp.StreamViewType != "" {
		return nil, validation("One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified")
	}
	if in.StreamSpecification != nil && aws.ToBool(in.StreamSpecification.StreamEnabled) {
		if err := checkStreamSpec(in.StreamSpecification); err != nil {
			return nil, err
		}
		spec := *in.StreamSpecification
		t.stream = &spec
		t.streamLog = newStreamLog(t, spec.StreamViewType, t.created, &s.seqs)
	}
	return t, nil
}

func usedNames(used map[string]bool, order []string) []string {
	var out []string
	for _, n := range order {
		if used[n] {
			out = append(out, n)
		}
	}
	return out
}

func checkStreamSpec(spec *types.StreamSpecification) error {
	switch spec.StreamViewType {
	case types.StreamViewTypeKeysOnly, types.StreamViewTypeNewImage, types.StreamViewTypeOldImage, types.StreamViewTypeNewAndOldImages:
		return nil
	case "":
		return validation("One or more parameter values were invalid: You must specify a StreamViewType when enabling a stream")
	}
	return validation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", spec.StreamViewType)
}

func checkThroughput(billing types.BillingMode, pt *types.ProvisionedThroughput) error {
	if billing == types.BillingModePayPerRequest {
		if pt != nil {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return nil
	}
	if pt == nil || aws.ToInt64(pt.ReadCapacityUnits) == 0 || aws.ToInt64(pt.WriteCapacityUnits) == 0 {
		return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	if r := aws.ToInt64(pt.ReadCapacityUnits); r > maxProvisionedUnits {
		return validation("Given value %d for ReadCapacityUnits is out of bounds", r)
	}
	if w := aws.ToInt64(pt.WriteCapacityUnits); w > maxProvisionedUnits {
		return validation("Given value %d for WriteCapacityUnits is out of bounds", w)
	}
	return nil
}

func keySchemaString(ks []types.KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("KeySchemaElement(attributeName=%s, keyType=%s)", aws.ToString(k.AttributeName), k.KeyType)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func parseKeySchema(ks []types.KeySchemaElement, defs map[string]types.ScalarAttributeType, defNames []string) (keySchema, error) {
	var out keySchema
	if len(ks) == 0 || len(ks) > 2 {
		return out, validation("1 validation error detected: Value '%s' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", keySchemaString(ks))
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		if k.AttributeName == nil {
			return out, validation("1 validation error detected: Value null at 'keySchema.%d.member.attributeName' failed to satisfy constraint: Member must not be null", i+1)
		}
		names[i] = *k.AttributeName
	}
	if len(ks) > len(defs) {
		return out, validation("Invalid KeySchema: Some index key attribute have no definition")
	}
	for _, n := range names {
		if _, ok := defs[n]; !ok {
			return out, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(names, ", "), strings.Join(defNames, ", "))
		}
	}
	if len(names) == 2 && names[0] == names[1] {
		return out, validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if ks[0].KeyType != types.KeyTypeHash {
		return out, validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 && ks[1].KeyType != types.KeyTypeRange {
		return out, validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	out.Hash = keyDef{Name: names[0], Type: defs[names[0]]}
	if len(ks) == 2 {
		out.Range = &keyDef{Name: names[1], Type: defs[names[1]]}
	}
	return out, nil
}

// maxMultiKeyAttrs bounds each half of a multi-attribute GSI key.
const maxMultiKeyAttrs = 4

// parseMultiKeySchema reads a GSI key of more than two attributes: up to
// four HASH attributes, then up to four RANGE attributes, each defined,
// none twice.
func parseMultiKeySchema(ks []types.KeySchemaElement, defs map[string]types.ScalarAttributeType, defNames []string) (keySchema, error) {
	var out keySchema
	if len(ks) > 2*maxMultiKeyAttrs {
		return out, validation("1 validation error detected: Value '%s' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to %d", keySchemaString(ks), 2*maxMultiKeyAttrs)
	}
	names := make([]string, len(ks))
	seen := map[string]bool{}
	for i, k := range ks {
		if k.AttributeName == nil {
			return out, validation("1 validation error detected: Value null at 'keySchema.%d.member.attributeName' failed to satisfy constraint: Member must not be null", i+1)
		}
		names[i] = *k.AttributeName
		if seen[names[i]] {
			return out, validation("Invalid KeySchema: Some index key attributes are used more than once: %s", names[i])
		}
		seen[names[i]] = true
	}
	for _, n := range names {
		if _, ok := defs[n]; !ok {
			return out, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(names, ", "), strings.Join(defNames, ", "))
		}
	}
	if ks[0].KeyType != types.KeyTypeHash {
		return out, validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	var hashes, ranges []keyDef
	for i, k := range ks {
		d := keyDef{Name: names[i], Type: defs[names[i]]}
		switch {
		case k.KeyType == types.KeyTypeHash && len(ranges) == 0:
			hashes = append(hashes, d)
		case k.KeyType == types.KeyTypeRange:
			ranges = append(ranges, d)
		default:
			return out, validation("Invalid KeySchema: HASH key attributes must come before RANGE key attributes")
		}
	}
	if len(hashes) > maxMultiKeyAttrs || len(ranges) > maxMultiKeyAttrs {
		return out, validation("Invalid KeySchema: A key may have at most %d HASH and %d RANGE attributes", maxMultiKeyAttrs, maxMultiKeyAttrs)
	}
	out.Hash, out.MoreHash = hashes[0], hashes[1:]
	if len(ranges) > 0 {
		out.Range, out.MoreRange = &ranges[0], ranges[1:]
	}
	return out, nil
}

func parseIndex(name string, ks []types.KeySchemaElement, proj *types.Projection, pt *types.ProvisionedThroughput, global bool,
	billing types.BillingMode, defs map[string]types.ScalarAttributeType, defNames []string, seen map[string]bool) (*index, error) {
	var keys keySchema
	var err error
	if global && (len(ks) > 2 || len(ks) == 2 && ks[1].KeyType == types.KeyTypeHash) {
		keys, err = parseMultiKeySchema(ks, defs, defNames)
	} else {
		keys, err = parseKeySchema(ks, defs, defNames)
	}
	if err != nil {
		return nil, err
	}
	if proj == nil || proj.ProjectionType == "" {
		return nil, validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	}
	switch proj.ProjectionType {
	case types.ProjectionTypeAll, types.ProjectionTypeKeysOnly, types.ProjectionTypeInclude:
	default:
		return nil, validation("One or more parameter values were invalid: Unknown ProjectionType: %s", proj.ProjectionType)
	}
	if proj.NonKeyAttributes != nil && proj.ProjectionType != types.ProjectionTypeInclude {
		return nil, validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", proj.ProjectionType)
	}
	if proj.ProjectionType == types.ProjectionTypeInclude && proj.NonKeyAttributes == nil {
		return nil, validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
	}
	if proj.ProjectionType == types.ProjectionTypeInclude && len(proj.NonKeyAttributes) == 0 {
		return nil, validation("One or more parameter values were invalid: NonKeyAttributes must not be empty")
	}
	if len(proj.NonKeyAttributes) > maxProjectedNonKeys {
		return nil, validation("One or more parameter values were invalid: The number of projected attributes in all indexes exceeds the limit of %d", maxProjectedNonKeys)
	}
	if global {
		if billing == types.BillingModePayPerRequest && pt != nil {
			return nil, validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
		}
		if billing == types.BillingModeProvisioned && pt == nil {
			return nil, validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", name)
		}
	}
	if seen[name] {
		return nil, validation("One or more parameter values were invalid: Duplicate index name: %s", name)
	}
	seen[name] = true
	ix := &index{
		name:       name,
		global:     global,
		keys:       keys,
		projection: types.Projection{ProjectionType: proj.ProjectionType, NonKeyAttributes: append([]string(nil), proj.NonKeyAttributes...)},
		rows:       newTree(),
		status:     types.IndexStatusActive,
	}
	if len(ix.projection.NonKeyAttributes) == 0 {
		ix.projection.NonKeyAttributes = nil
	}
	if pt != nil {
		cp := *pt
		ix.throughput = &cp
	}
	if proj.ProjectionType == types.ProjectionTypeInclude {
		ix.include = map[string]bool{}
		for _, a := range proj.NonKeyAttributes {
			ix.include[a] = true
		}
	}
	return ix, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// DescribeTable returns the table's current description with live counts.
func (s *Store) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeTableInput{} // as the SDK does for a nil input
	}
	t, err := s.controlTable(in.TableName)
	if err != nil {
		return nil, wrap("DescribeTable", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &dynamodb.DescribeTableOutput{Table: s.describe(t)}, nil
}

// describe renders a table description; the caller holds t.mu.
func (s *Store) describe(t *table) *types.TableDescription {
	d := &types.TableDescription{
		TableName:                 aws.String(t.name),
		TableArn:                  aws.String(t.arn),
		TableId:                   aws.String(t.id),
		TableStatus:               types.TableStatusActive,
		CreationDateTime:          aws.Time(t.created),
		KeySchema:                 t.keys.sdk(),
		AttributeDefinitions:      append([]types.AttributeDefinition(nil), t.attrDefs...),
		ItemCount:                 aws.Int64(int64(t.rows.Len())),
		TableSizeBytes:            aws.Int64(t.sizeBytes),
		DeletionProtectionEnabled: aws.Bool(t.deletionProtection),
		ProvisionedThroughput:     throughputDescription(&t.throughput),
	}
	if t.billing == types.BillingModePayPerRequest {
		d.BillingModeSummary = &types.BillingModeSummary{BillingMode: t.billing, LastUpdateToPayPerRequestDateTime: aws.Time(t.created)}
	}
	d.OnDemandThroughput = copyOnDemand(t.onDemand)
	if t.tableClass != "" {
		d.TableClassSummary = &types.TableClassSummary{TableClass: t.tableClass}
	}
	if t.sse != nil && aws.ToBool(t.sse.Enabled) {
		sseType := t.sse.SSEType
		if sseType == "" {
			sseType = types.SSETypeKms
		}
		d.SSEDescription = &types.SSEDescription{
			Status:          types.SSEStatusEnabled,
			SSEType:         sseType,
			KMSMasterKeyArn: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.region, s.account, t.id)),
		}
	}
	if t.stream != nil {
		spec := *t.stream
		d.StreamSpecification = &spec
	}
	if l := t.latestStream; l != nil {
		d.LatestStreamLabel = aws.String(l.label)
		d.LatestStreamArn = aws.String(l.arn)
	}
	for _, ix := range t.indexes {
		if ix.global {
			g := types.GlobalSecondaryIndexDescription{
				IndexName:      aws.String(ix.name),
				IndexArn:       aws.String(t.arn + "/index/" + ix.name),
				KeySchema:      ix.keys.sdk(),
				Projection:     copyProjection(ix.projection),
				IndexStatus:    ix.status,
				ItemCount:      aws.Int64(int64(ix.rows.Len())),
				IndexSizeBytes: aws.Int64(ix.sizeBytes),
			}
			if ix.throughput != nil {
				g.ProvisionedThroughput = throughputDescription(ix.throughput)
			} else {
				g.ProvisionedThroughput = throughputDescription(&types.ProvisionedThroughput{})
			}
			g.OnDemandThroughput = copyOnDemand(ix.onDemand)
			d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, g)
		} else {
			d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, types.LocalSecondaryIndexDescription{
				IndexName:      aws.String(ix.name),
				IndexArn:       aws.String(t.arn + "/index/" + ix.name),
				KeySchema:      ix.keys.sdk(),
				Projection:     copyProjection(ix.projection),
				ItemCount:      aws.Int64(int64(ix.rows.Len())),
				IndexSizeBytes: aws.Int64(ix.sizeBytes),
			})
		}
	}
	return d
}

func copyProjection(p types.Projection) *types.Projection {
	cp := p
	cp.NonKeyAttributes = append([]string(nil), p.NonKeyAttributes...)
	if len(cp.NonKeyAttributes) == 0 {
		cp.NonKeyAttributes = nil
	}
	return &cp
}

// copyOnDemand copies on-demand limits, so that no caller shares them
// with the store.
func copyOnDemand(o *types.OnDemandThroughput) *types.OnDemandThroughput {
	if o == nil {
		return nil
	}
	return &types.OnDemandThroughput{
		MaxReadRequestUnits:  copyInt64(o.MaxReadRequestUnits),
		MaxWriteRequestUnits: copyInt64(o.MaxWriteRequestUnits),
	}
}

func throughputDescription(pt *types.ProvisionedThroughput) *types.ProvisionedThroughputDescription {
	return &types.ProvisionedThroughputDescription{
		ReadCapacityUnits:      aws.Int64(aws.ToInt64(pt.ReadCapacityUnits)),
		WriteCapacityUnits:     aws.Int64(aws.ToInt64(pt.WriteCapacityUnits)),
		NumberOfDecreasesToday: aws.Int64(0),
	}
}

// ListTables pages through table names in order.
func (s *Store) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	if in == nil {
		in = &dynamodb.ListTablesInput{} // as the SDK does for a nil input
	}
	if err := listTablesShape(in); err != nil {
		return nil, wrap("ListTables", err)
	}
	limit := maxListTablesLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	names := s.tableNames()
	start := 0
	if in.ExclusiveStartTableName != nil {
		for start < len(names) && names[start] <= *in.ExclusiveStartTableName {
			start++
		}
	}
	out := &dynamodb.ListTablesOutput{TableNames: []string{}}
	end := start + limit
	if end > len(names) {
		end = len(names)
	}
	out.TableNames = append(out.TableNames, names[start:end]...)
	if end < len(names) {
		out.LastEvaluatedTableName = aws.String(names[end-1])
	}
	return out, nil
}

// DeleteTable removes a table; its description comes back as DELETING.
func (s *Store) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	if in == nil {
		in = &dynamodb.DeleteTableInput{} // as the SDK does for a nil input
	}
	t, err := s.controlTable(in.TableName)
	if err != nil {
		return nil, wrap("DeleteTable", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deletionProtection {
		return nil, wrap("DeleteTable", validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."))
	}
	s.mu.Lock()
	if s.tables[t.name] == t {
		delete(s.tables, t.name)
	}
	s.mu.Unlock()
	if t.streamLog != nil {
		t.streamLog.disable()
	}
	d := s.describe(t)
	d.TableStatus = types.TableStatusDeleting
	return &dynamodb.DeleteTableOutput{TableDescription: d}, nil
}

func copyInt64(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
