package memstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The small control-plane calls that infrastructure tools (the AWS CLI,
// Terraform, CloudFormation-style deployers, SDK endpoint discovery) make
// beside the data plane: tags, continuous backups, endpoints and limits.

const maxTagsPerResource = 50

// tableByARN resolves a table ARN as the tagging calls take it.
func (s *Store) tableByARN(arn *string) (*table, error) {
	if arn == nil {
		return nil, validation("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(*arn, "arn:") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s: ARNs must start with \"arn:\"", *arn)
	}
	if !strings.Contains(*arn, ":table/") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s", *arn)
	}
	name := (*arn)[strings.LastIndex(*arn, ":table/")+len(":table/"):]
	if i := strings.IndexByte(name, '/'); i >= 0 {
		// An index has no tags or policy of its own: only a table (or its
		// stream) is a resource here.
		if strings.HasPrefix(name[i:], "/index/") {
			return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s", *arn)
		}
		name = name[:i]
	}
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: ResourcArn: " + *arn + " not found")}
	}
	return t, nil
}

// TagResource adds or replaces tags on a table.
func (s *Store) TagResource(ctx context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	if in == nil {
		in = &dynamodb.TagResourceInput{} // as the SDK does for a nil input
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("TagResource", err)
	}
	if in.Tags == nil {
		return nil, wrap("TagResource", validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"))
	}
	if len(in.Tags) == 0 {
		return nil, wrap("TagResource", validation("Atleast one Tag needs to be provided as Input."))
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, wrap("TagResource", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tags == nil {
		t.tags = map[string]string{}
	}
	added := 0
	for _, tag := range in.Tags {
		if _, ok := t.tags[aws.ToString(tag.Key)]; !ok {
			added++
		}
	}
	if len(t.tags)+added > maxTagsPerResource {
		return nil, wrap("TagResource", errTooManyTags)
	}
	for _, tag := range in.Tags {
		t.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return &dynamodb.TagResourceOutput{}, nil
}

// UntagResource removes tags by key.
func (s *Store) UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	if in == nil {
		in = &dynamodb.UntagResourceInput{} // as the SDK does for a nil input
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("UntagResource", err)
	}
	if in.TagKeys == nil {
		return nil, wrap("UntagResource", validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range in.TagKeys {
		delete(t.tags, k)
	}
	return &dynamodb.UntagResourceOutput{}, nil
}

// ListTagsOfResource lists a table's tags, sorted by key.
func (s *Store) ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	if in == nil {
		in = &dynamodb.ListTagsOfResourceInput{} // as the SDK does for a nil input
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("ListTagsOfResource", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	keys := make([]string, 0, len(t.tags))
	for k := range t.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &dynamodb.ListTagsOfResourceOutput{Tags: []types.Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, types.Tag{Key: aws.String(k), Value: aws.String(t.tags[k])})
	}
	return out, nil
}

// DescribeContinuousBackups reports point-in-time recovery for a table.
func (s *Store) DescribeContinuousBackups(ctx context.Context, in *dynamodb.DescribeContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeContinuousBackupsInput{} // as the SDK does for a nil input
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, wrap("DescribeContinuousBackups", backupTableNotFound(in.TableName))
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: t.backups()}, nil
}

// UpdateContinuousBackups turns point-in-time recovery on or off. The
// store keeps no history to restore from; the setting is recorded so
// deployment tools see what they set.
func (s *Store) UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	if in == nil {
		in = &dynamodb.UpdateContinuousBackupsInput{} // as the SDK does for a nil input
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, wrap("UpdateContinuousBackups", backupTableNotFound(in.TableName))
	}
	if in.PointInTimeRecoverySpecification == nil || in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled == nil {
		return nil, wrap("UpdateContinuousBackups", validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null"))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pitr = *in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled
	return &dynamodb.UpdateContinuousBackupsOutput{ContinuousBackupsDescription: t.backups()}, nil
}

// backupTableNotFound is how the backup APIs report a missing table.
func backupTableNotFound(name *string) error {
	return &types.TableNotFoundException{Message: aws.String("Table not found: " + aws.ToString(name))}
}

func (t *table) backups() *types.ContinuousBackupsDescription {
	pitr := types.PointInTimeRecoveryStatusDisabled
	if t.pitr {
		pitr = types.PointInTimeRecoveryStatusEnabled
	}
	return &types.ContinuousBackupsDescription{
		ContinuousBackupsStatus:        types.ContinuousBackupsStatusEnabled,
		PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: pitr},
	}
}

// DescribeEndpoints returns this endpoint, as SDK endpoint discovery asks.
func (s *Store) DescribeEndpoints(ctx context.Context, in *dynamodb.DescribeEndpointsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeEndpointsOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeEndpointsInput{} // as the SDK does for a nil input
	}
	return &dynamodb.DescribeEndpointsOutput{Endpoints: []types.Endpoint{{
		Address: aws.String("dynamodb." + s.region + ".amazonaws.com"), CachePeriodInMinutes: 1440,
	}}}, nil
}

// DescribeLimits reports the default account and table quotas.
func (s *Store) DescribeLimits(ctx context.Context, in *dynamodb.DescribeLimitsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeLimitsOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeLimitsInput{} // as the SDK does for a nil input
	}
	return &dynamodb.DescribeLimitsOutput{
		AccountMaxReadCapacityUnits:  aws.Int64(80000),
		AccountMaxWriteCapacityUnits: aws.Int64(80000),
		TableMaxReadCapacityUnits:    aws.Int64(40000),
		TableMaxWriteCapacityUnits:   aws.Int64(40000),
	}, nil
}

// errTooManyTags: over 50 tags is a ValidationException, as the service
// reports it, in CreateTable as in TagResource.
var errTooManyTags = validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50 per resource.")

// checkTags applies the tag constraints: a key of 1 to 128 characters and a
// value of 0 to 256, both of Unicode letters, digits, white space and
// + - = . _ : / @; Value required.
func checkTags(tags []types.Tag) error {
	var c constraints
	for i, tag := range tags {
		at := fmt.Sprintf("tags.%d.member.", i+1)
		switch {
		case tag.Key == nil:
			c.add(nil, at+"key", "Member must not be null")
		case utf8.RuneCountInString(*tag.Key) < 1:
			c.add(tag.Key, at+"key", "Member must have length greater than or equal to 1")
		case utf8.RuneCountInString(*tag.Key) > 128:
			c.add(tag.Key, at+"key", "Member must have length less than or equal to 128")
		case !tagChars(*tag.Key):
			c.add(tag.Key, at+"key", `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		switch {
		case tag.Value == nil:
			c.add(nil, at+"value", "Member must not be null")
		case utf8.RuneCountInString(*tag.Value) > 256:
			c.add(tag.Value, at+"value", "Member must have length less than or equal to 256")
		case !tagChars(*tag.Value):
			c.add(tag.Value, at+"value", `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
	}
	return c.err()
}

func tagChars(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}
