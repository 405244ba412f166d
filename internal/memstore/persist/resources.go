package persist

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Table settings beside the schema: tags and point-in-time recovery. They
// change with the table operations' lock held, like the schema, so a
// snapshot sees them still.

// TagResource is [memstore.Store.TagResource], logged.
func (s *Store) TagResource(ctx context.Context, in *dynamodb.TagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	return logSchema(s, kindTag, in, func() (*dynamodb.TagResourceOutput, error) {
		return s.Store.TagResource(ctx, in, opts...)
	})
}

// UntagResource is [memstore.Store.UntagResource], logged.
func (s *Store) UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	return logSchema(s, kindUntag, in, func() (*dynamodb.UntagResourceOutput, error) {
		return s.Store.UntagResource(ctx, in, opts...)
	})
}

// UpdateContinuousBackups is [memstore.Store.UpdateContinuousBackups],
// logged.
func (s *Store) UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	return logSchema(s, kindUpdateBackups, in, func() (*dynamodb.UpdateContinuousBackupsOutput, error) {
		return s.Store.UpdateContinuousBackups(ctx, in, opts...)
	})
}

// currentARN maps a table ARN from the log to the table's ARN now: the
// region (a flag) may differ from the run that wrote it.
func (s *Store) currentARN(ctx context.Context, arn *string) *string {
	a := aws.ToString(arn)
	i := strings.LastIndex(a, ":table/")
	if i < 0 {
		return arn
	}
	name, _, _ := strings.Cut(a[i+len(":table/"):], "/")
	out, err := s.Store.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return arn // replay reports the table missing
	}
	return out.Table.TableArn
}

// UpdateContributorInsights is [memstore.Store.UpdateContributorInsights],
// logged.
func (s *Store) UpdateContributorInsights(ctx context.Context, in *dynamodb.UpdateContributorInsightsInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateContributorInsightsOutput, error) {
	return logSchema(s, kindInsights, in, func() (*dynamodb.UpdateContributorInsightsOutput, error) {
		return s.Store.UpdateContributorInsights(ctx, in, opts...)
	})
}

// PutResourcePolicy is [memstore.Store.PutResourcePolicy], logged. A
// replayed policy gets a new revision ID.
func (s *Store) PutResourcePolicy(ctx context.Context, in *dynamodb.PutResourcePolicyInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutResourcePolicyOutput, error) {
	return logSchema(s, kindPutPolicy, in, func() (*dynamodb.PutResourcePolicyOutput, error) {
		return s.Store.PutResourcePolicy(ctx, in, opts...)
	})
}

// DeleteResourcePolicy is [memstore.Store.DeleteResourcePolicy], logged.
func (s *Store) DeleteResourcePolicy(ctx context.Context, in *dynamodb.DeleteResourcePolicyInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteResourcePolicyOutput, error) {
	return logSchema(s, kindDeletePolicy, in, func() (*dynamodb.DeleteResourcePolicyOutput, error) {
		return s.Store.DeleteResourcePolicy(ctx, in, opts...)
	})
}
