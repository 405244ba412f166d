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
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.TagResourceOutput, error) {
		return s.Store.TagResource(ctx, in, opts...)
	}, func(*dynamodb.TagResourceOutput) (kind, []byte, error) {
		return marshal(kindTag, in)
	})
}

// UntagResource is [memstore.Store.UntagResource], logged.
func (s *Store) UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.UntagResourceOutput, error) {
		return s.Store.UntagResource(ctx, in, opts...)
	}, func(*dynamodb.UntagResourceOutput) (kind, []byte, error) {
		return marshal(kindUntag, in)
	})
}

// UpdateContinuousBackups is [memstore.Store.UpdateContinuousBackups],
// logged.
func (s *Store) UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.UpdateContinuousBackupsOutput, error) {
		return s.Store.UpdateContinuousBackups(ctx, in, opts...)
	}, func(*dynamodb.UpdateContinuousBackupsOutput) (kind, []byte, error) {
		return marshal(kindUpdateBackups, in)
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
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.UpdateContributorInsightsOutput, error) {
		return s.Store.UpdateContributorInsights(ctx, in, opts...)
	}, func(*dynamodb.UpdateContributorInsightsOutput) (kind, []byte, error) {
		return marshal(kindInsights, in)
	})
}

// PutResourcePolicy is [memstore.Store.PutResourcePolicy], logged. A
// replayed policy gets a new revision ID.
func (s *Store) PutResourcePolicy(ctx context.Context, in *dynamodb.PutResourcePolicyInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutResourcePolicyOutput, error) {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.PutResourcePolicyOutput, error) {
		return s.Store.PutResourcePolicy(ctx, in, opts...)
	}, func(*dynamodb.PutResourcePolicyOutput) (kind, []byte, error) {
		return marshal(kindPutPolicy, in)
	})
}

// DeleteResourcePolicy is [memstore.Store.DeleteResourcePolicy], logged.
func (s *Store) DeleteResourcePolicy(ctx context.Context, in *dynamodb.DeleteResourcePolicyInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteResourcePolicyOutput, error) {
	s.ddl.Lock()
	defer s.ddl.Unlock()
	return commit(s, func() (*dynamodb.DeleteResourcePolicyOutput, error) {
		return s.Store.DeleteResourcePolicy(ctx, in, opts...)
	}, func(*dynamodb.DeleteResourcePolicyOutput) (kind, []byte, error) {
		return marshal(kindDeletePolicy, in)
	})
}
