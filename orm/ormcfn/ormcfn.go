package ormcfn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	cfn "github.com/awslabs/goformation/v7/cloudformation/dynamodb"

	"github.com/monotable/monotable/orm"
)

// Package ormcfn renders an orm table as CloudFormation and checks a
// deployed template against the models, so drift fails a test. It is a
// package of its own so that the template parser it needs stays out of
// the Lambda binaries that import orm.
//
// The table renders as a goformation struct rather than a text template:
// the same typed value is written out (Template) and compared with a
// deployed template parsed by goformation (CheckTemplate), so property
// names are checked by the compiler and drift is found field by field,
// not by diffing YAML text.

// Resource is the table as an AWS::DynamoDB::Table resource, to place in
// a template of your own. TableName is left to CloudFormation; pass the
// deployed name (!Ref of the resource) to the app, e.g. in an environment
// variable.
func Resource(t *orm.Table) (*cfn.Table, error) {
	s, err := t.Schema()
	if err != nil {
		return nil, err
	}
	return resource(s), nil
}

func resource(s orm.Schema) *cfn.Table {
	in := s.Input
	r := &cfn.Table{
		BillingMode: aws.String(string(in.BillingMode)),
		KeySchema:   cfnKeys(in.KeySchema),
		TimeToLiveSpecification: &cfn.Table_TimeToLiveSpecification{
			AttributeName: aws.String(s.TTLAttribute), Enabled: true,
		},
	}
	for _, a := range in.AttributeDefinitions {
		r.AttributeDefinitions = append(r.AttributeDefinitions, cfn.Table_AttributeDefinition{
			AttributeName: *a.AttributeName, AttributeType: string(a.AttributeType),
		})
	}
	for _, ix := range in.GlobalSecondaryIndexes {
		r.GlobalSecondaryIndexes = append(r.GlobalSecondaryIndexes, cfn.Table_GlobalSecondaryIndex{
			IndexName: *ix.IndexName, KeySchema: cfnKeys(ix.KeySchema), Projection: cfnProjection(ix.Projection),
		})
	}
	for _, ix := range in.LocalSecondaryIndexes {
		r.LocalSecondaryIndexes = append(r.LocalSecondaryIndexes, cfn.Table_LocalSecondaryIndex{
			IndexName: *ix.IndexName, KeySchema: cfnKeys(ix.KeySchema), Projection: cfnProjection(ix.Projection),
		})
	}
	if in.StreamSpecification != nil {
		r.StreamSpecification = &cfn.Table_StreamSpecification{StreamViewType: string(in.StreamSpecification.StreamViewType)}
	}
	if s.PITR {
		r.PointInTimeRecoverySpecification = &cfn.Table_PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}
	}
	if sse := in.SSESpecification; sse != nil && aws.ToBool(sse.Enabled) {
		r.SSESpecification = &cfn.Table_SSESpecification{SSEEnabled: true, SSEType: aws.String("KMS")}
		if sse.KMSMasterKeyId != nil {
			r.SSESpecification.KMSMasterKeyId = aws.String(*sse.KMSMasterKeyId)
		}
	}
	return r
}

func cfnProjection(p *types.Projection) *cfn.Table_Projection {
	if p == nil {
		return &cfn.Table_Projection{ProjectionType: aws.String(string(types.ProjectionTypeAll))}
	}
	return &cfn.Table_Projection{ProjectionType: aws.String(string(p.ProjectionType)), NonKeyAttributes: p.NonKeyAttributes}
}

func cfnKeys(ks []types.KeySchemaElement) []cfn.Table_KeySchema {
	out := make([]cfn.Table_KeySchema, 0, len(ks))
	for _, k := range ks {
		out = append(out, cfn.Table_KeySchema{AttributeName: *k.AttributeName, KeyType: string(k.KeyType)})
	}
	return out
}

// Template renders a CloudFormation template (YAML) holding the table
// as the resource logicalID, with an output of its name and, if streams
// are on, of its stream ARN.
func Template(t *orm.Table, logicalID string) ([]byte, error) {
	s, err := t.Schema()
	if err != nil {
		return nil, err
	}
	tpl := cloudformation.NewTemplate()
	tpl.Description = fmt.Sprintf("DynamoDB table %s, rendered by monotable/orm from its models", t.Name())
	tpl.Resources[logicalID] = resource(s)
	tpl.Outputs[logicalID+"Name"] = cloudformation.Output{Value: cloudformation.Ref(logicalID)}
	if s.Input.StreamSpecification != nil {
		tpl.Outputs[logicalID+"StreamArn"] = cloudformation.Output{Value: cloudformation.GetAtt(logicalID, "StreamArn")}
	}
	return tpl.YAML()
}

// Check compares the DynamoDB table of the CloudFormation or SAM
// template at path with the table and its registered models, and lists
// every difference (keys, attribute types, indexes and their projections,
// TTL, streams, PITR, SSE) in its error, so a test fails when code and template drift. The
// table resource is the template's only one, or the one whose logical ID
// or TableName is the table's name.
func Check(path string, t *orm.Table) error {
	s, err := t.Schema()
	if err != nil {
		return err
	}
	tpl, err := goformation.Open(path)
	if err != nil {
		return fmt.Errorf("ormcfn: check template %s: %w", path, err)
	}
	tables := tpl.GetAllDynamoDBTableResources()
	var got *cfn.Table
	var id string
	for lid, r := range tables {
		if len(tables) == 1 || lid == t.Name() || (r.TableName != nil && *r.TableName == t.Name()) {
			got, id = r, lid
			break
		}
	}
	if got == nil {
		return fmt.Errorf("ormcfn: check template %s: no AWS::DynamoDB::Table for %s among %d tables", path, t.Name(), len(tables))
	}
	diffs := diffTables(resource(s), got)
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("ormcfn: template %s, resource %s, differs from table %s:\n\t%s", path, id, t.Name(), strings.Join(diffs, "\n\t"))
}

// diffTables lists how got differs from want.
func diffTables(want, got *cfn.Table) []string {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	if k1, k2 := keysString(want.KeySchema), keysString(got.KeySchema); k1 != k2 {
		add("key schema: models need %s, template has %s", k1, k2)
	}
	wa, ga := map[string]string{}, map[string]string{}
	for _, a := range want.AttributeDefinitions {
		wa[a.AttributeName] = a.AttributeType
	}
	for _, a := range got.AttributeDefinitions {
		ga[a.AttributeName] = a.AttributeType
	}
	for _, n := range sortedKeys(wa) {
		if ga[n] != wa[n] {
			add("attribute %s: models need type %s, template has %q", n, wa[n], ga[n])
		}
	}
	for _, n := range sortedKeys(ga) {
		if _, ok := wa[n]; !ok {
			add("attribute %s: in the template, not a key of the layout", n)
		}
	}
	indexes := func(g []cfn.Table_GlobalSecondaryIndex, l []cfn.Table_LocalSecondaryIndex) map[string]string {
		m := map[string]string{}
		for _, ix := range g {
			m[ix.IndexName] = "global " + keysString(ix.KeySchema) + " " + projString(ix.Projection)
		}
		for _, ix := range l {
			m[ix.IndexName] = "local " + keysString(ix.KeySchema) + " " + projString(ix.Projection)
		}
		return m
	}
	wi, gi := indexes(want.GlobalSecondaryIndexes, want.LocalSecondaryIndexes), indexes(got.GlobalSecondaryIndexes, got.LocalSecondaryIndexes)
	for _, n := range sortedKeys(wi) {
		switch g, ok := gi[n]; {
		case !ok:
			add("index %s: missing from the template (want %s)", n, wi[n])
		case g != wi[n]:
			add("index %s: models need %s, template has %s", n, wi[n], g)
		}
	}
	for _, n := range sortedKeys(gi) {
		if _, ok := wi[n]; !ok {
			add("index %s: in the template, not in the layout", n)
		}
	}
	if w, g := ttlString(want.TimeToLiveSpecification), ttlString(got.TimeToLiveSpecification); w != g {
		add("TTL: layout has %s, template has %s", w, g)
	}
	if w, g := streamString(want.StreamSpecification), streamString(got.StreamSpecification); w != g {
		add("stream: table options have %s, template has %s", w, g)
	}
	pitr := func(p *cfn.Table_PointInTimeRecoverySpecification) bool {
		return p != nil && p.PointInTimeRecoveryEnabled != nil && *p.PointInTimeRecoveryEnabled
	}
	if pitr(want.PointInTimeRecoverySpecification) != pitr(got.PointInTimeRecoverySpecification) {
		add("point-in-time recovery: table options have %v, template has %v", pitr(want.PointInTimeRecoverySpecification), pitr(got.PointInTimeRecoverySpecification))
	}
	sse := func(s *cfn.Table_SSESpecification) bool { return s != nil && s.SSEEnabled }
	if sse(want.SSESpecification) != sse(got.SSESpecification) {
		add("SSE: table options have %v, template has %v", sse(want.SSESpecification), sse(got.SSESpecification))
	}
	return d
}

func keysString(ks []cfn.Table_KeySchema) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, k.AttributeName+" "+k.KeyType)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func projString(p *cfn.Table_Projection) string {
	if p == nil || p.ProjectionType == nil {
		return "projection ?"
	}
	if len(p.NonKeyAttributes) == 0 {
		return "projection " + *p.ProjectionType
	}
	attrs := slices.Clone(p.NonKeyAttributes)
	slices.Sort(attrs) // their order means nothing to DynamoDB
	return "projection " + *p.ProjectionType + " [" + strings.Join(attrs, ", ") + "]"
}

func ttlString(s *cfn.Table_TimeToLiveSpecification) string {
	if s == nil || !s.Enabled || s.AttributeName == nil {
		return "off"
	}
	return "on " + *s.AttributeName
}

func streamString(s *cfn.Table_StreamSpecification) string {
	if s == nil || s.StreamViewType == "" {
		return "off"
	}
	return s.StreamViewType
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
