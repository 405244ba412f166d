package memstore

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Contributor Insights and resource-based policies: settings a table
// carries that deployment tools read and write. A local store has no
// CloudWatch and no IAM, so it keeps the settings and reports them as the
// service does, with every change taking effect at once (as tables are
// ACTIVE at once).

// insight is a table's or index's Contributor Insights setting.
type insight struct {
	enabled bool
	mode    types.ContributorInsightsMode
	updated time.Time
}

// resourcePolicy is a table's resource-based policy.
type resourcePolicy struct {
	document string
	revision string
}

// insightTarget finds a table and, when named, one of its indexes.
func (s *Store) insightTarget(tableName, indexName *string) (*table, string, error) {
	t, err := s.controlTable(tableName)
	if err != nil {
		return nil, "", err
	}
	ix := aws.ToString(indexName)
	if ix != "" && t.index(ix) == nil {
		return nil, "", &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Index: " + ix + " not found")}
	}
	return t, ix, nil
}

// DescribeContributorInsights reports a table's or index's setting:
// DISABLED until UpdateContributorInsights enables it.
func (s *Store) DescribeContributorInsights(ctx context.Context, in *dynamodb.DescribeContributorInsightsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeContributorInsightsOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeContributorInsightsInput{} // as the SDK does for a nil input
	}
	t, ix, err := s.insightTarget(in.TableName, in.IndexName)
	if err != nil {
		return nil, wrap("DescribeContributorInsights", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := &dynamodb.DescribeContributorInsightsOutput{TableName: aws.String(t.name), ContributorInsightsStatus: types.ContributorInsightsStatusDisabled}
	if ix != "" {
		out.IndexName = aws.String(ix)
	}
	if st, ok := t.insights[ix]; ok {
		out.LastUpdateDateTime = aws.Time(st.updated)
		if st.enabled {
			out.ContributorInsightsStatus = types.ContributorInsightsStatusEnabled
			out.ContributorInsightsRuleList = insightRules(t, ix)
			out.ContributorInsightsMode = st.mode
		}
	}
	return out, nil
}

// insightRules names the CloudWatch rules the service creates: partition
// keys accessed and throttled, and sort keys too when there are any.
func insightRules(t *table, ix string) []string {
	keys, name := t.keys, t.name
	if ix != "" {
		keys, name = t.index(ix).keys, t.name+"-"+ix
	}
	stamp := strconv.FormatInt(t.created.UnixMilli(), 10)
	kinds := []string{"PKC", "PKT"}
	if keys.Range != nil {
		kinds = append(kinds, "SKC", "SKT")
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = "DynamoDBContributorInsights-" + k + "-" + name + "-" + stamp
	}
	return out
}

// UpdateContributorInsights enables or disables Contributor Insights on a
// table or one of its global secondary indexes.
func (s *Store) UpdateContributorInsights(ctx context.Context, in *dynamodb.UpdateContributorInsightsInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateContributorInsightsOutput, error) {
	if in == nil {
		in = &dynamodb.UpdateContributorInsightsInput{} // as the SDK does for a nil input
	}
	var c constraints
	switch in.ContributorInsightsAction {
	case "":
		c.add(nil, "contributorInsightsAction", "Member must not be null")
	case types.ContributorInsightsActionEnable, types.ContributorInsightsActionDisable:
	default:
		c.add(string(in.ContributorInsightsAction), "contributorInsightsAction", "Member must satisfy enum value set: [ENABLE, DISABLE]")
	}
	if err := c.err(); err != nil {
		return nil, wrap("UpdateContributorInsights", err)
	}
	t, ix, err := s.insightTarget(in.TableName, in.IndexName)
	if err != nil {
		return nil, wrap("UpdateContributorInsights", err)
	}
	enable := in.ContributorInsightsAction == types.ContributorInsightsActionEnable
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.insights == nil {
		t.insights = map[string]insight{}
	}
	mode := in.ContributorInsightsMode
	if mode == "" {
		mode = types.ContributorInsightsModeAccessedAndThrottledKeys
	}
	t.insights[ix] = insight{enabled: enable, mode: mode, updated: s.now()}
	out := &dynamodb.UpdateContributorInsightsOutput{TableName: aws.String(t.name), ContributorInsightsStatus: types.ContributorInsightsStatusDisabled}
	if enable {
		out.ContributorInsightsStatus = types.ContributorInsightsStatusEnabled
		out.ContributorInsightsMode = mode
	}
	if ix != "" {
		out.IndexName = aws.String(ix)
	}
	return out, nil
}

// ListContributorInsights lists the tables and indexes with Contributor
// Insights enabled, by table and index name, a page of MaxResults (at most
// 100) at a time.
func (s *Store) ListContributorInsights(ctx context.Context, in *dynamodb.ListContributorInsightsInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListContributorInsightsOutput, error) {
	if in == nil {
		in = &dynamodb.ListContributorInsightsInput{} // as the SDK does for a nil input
	}
	limit := 100
	if in.MaxResults != 0 {
		if in.MaxResults < 0 || in.MaxResults > 100 {
			var c constraints
			c.add(in.MaxResults, "maxResults", "Member must have value less than or equal to 100")
			if in.MaxResults < 0 {
				c = constraints{}
				c.add(in.MaxResults, "maxResults", "Member must have value greater than or equal to 0")
			}
			return nil, wrap("ListContributorInsights", c.err())
		}
		limit = int(in.MaxResults)
	}
	var tables []*table
	if in.TableName != nil {
		t, err := s.controlTable(in.TableName)
		if err != nil {
			return nil, wrap("ListContributorInsights", err)
		}
		tables = []*table{t}
	} else {
		s.mu.RLock()
		for _, t := range s.tables {
			tables = append(tables, t)
		}
		s.mu.RUnlock()
	}
	var all []types.ContributorInsightsSummary
	for _, t := range tables {
		t.mu.RLock()
		for ix, st := range t.insights {
			if !st.enabled {
				continue
			}
			sum := types.ContributorInsightsSummary{TableName: aws.String(t.name), ContributorInsightsStatus: types.ContributorInsightsStatusEnabled, ContributorInsightsMode: st.mode}
			if ix != "" {
				sum.IndexName = aws.String(ix)
			}
			all = append(all, sum)
		}
		t.mu.RUnlock()
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if *a.TableName != *b.TableName {
			return *a.TableName < *b.TableName
		}
		return aws.ToString(a.IndexName) < aws.ToString(b.IndexName)
	})
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(all) {
			return nil, wrap("ListContributorInsights", validation("Invalid NextToken"))
		}
		start = n
	}
	out := &dynamodb.ListContributorInsightsOutput{ContributorInsightsSummaries: []types.ContributorInsightsSummary{}}
	end := min(start+limit, len(all))
	out.ContributorInsightsSummaries = append(out.ContributorInsightsSummaries, all[start:end]...)
	if end < len(all) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// PutResourcePolicy attaches a resource-based policy to a table,
// replacing any it has. With ExpectedRevisionId the put happens only if the
// current policy has that revision.
func (s *Store) PutResourcePolicy(ctx context.Context, in *dynamodb.PutResourcePolicyInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutResourcePolicyOutput, error) {
	if in == nil {
		in = &dynamodb.PutResourcePolicyInput{} // as the SDK does for a nil input
	}
	if in.Policy == nil {
		return nil, wrap("PutResourcePolicy", validation("1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(*in.Policy), &doc); err != nil {
		return nil, wrap("PutResourcePolicy", validation("Invalid policy document: the policy is not valid JSON"))
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("PutResourcePolicy", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkRevision(in.ExpectedRevisionId, *in.ResourceArn); err != nil {
		return nil, wrap("PutResourcePolicy", err)
	}
	rev := s.nextRevision(t)
	t.policy = &resourcePolicy{document: *in.Policy, revision: rev}
	return &dynamodb.PutResourcePolicyOutput{RevisionId: aws.String(rev)}, nil
}

// GetResourcePolicy returns a table's resource-based policy.
func (s *Store) GetResourcePolicy(ctx context.Context, in *dynamodb.GetResourcePolicyInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetResourcePolicyOutput, error) {
	if in == nil {
		in = &dynamodb.GetResourcePolicyInput{} // as the SDK does for a nil input
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("GetResourcePolicy", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.policy == nil {
		return nil, wrap("GetResourcePolicy", policyNotFound(*in.ResourceArn))
	}
	return &dynamodb.GetResourcePolicyOutput{Policy: aws.String(t.policy.document), RevisionId: aws.String(t.policy.revision)}, nil
}

// DeleteResourcePolicy removes a table's resource-based policy and returns
// the revision it removed.
func (s *Store) DeleteResourcePolicy(ctx context.Context, in *dynamodb.DeleteResourcePolicyInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteResourcePolicyOutput, error) {
	if in == nil {
		in = &dynamodb.DeleteResourcePolicyInput{} // as the SDK does for a nil input
	}
	t, err := s.tableByARN(in.ResourceArn)
	if err != nil {
		return nil, wrap("DeleteResourcePolicy", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.policy == nil {
		return nil, wrap("DeleteResourcePolicy", policyNotFound(*in.ResourceArn))
	}
	if err := t.checkRevision(in.ExpectedRevisionId, *in.ResourceArn); err != nil {
		return nil, wrap("DeleteResourcePolicy", err)
	}
	rev := t.policy.revision
	t.policy = nil
	return &dynamodb.DeleteResourcePolicyOutput{RevisionId: aws.String(rev)}, nil
}

func policyNotFound(arn string) error {
	return &types.PolicyNotFoundException{Message: aws.String("Resource-based policy not found for the provided ResourceArn: " + arn)}
}

// checkRevision enforces ExpectedRevisionId against the current policy.
func (t *table) checkRevision(expected *string, arn string) error {
	if expected == nil {
		return nil
	}
	if t.policy == nil {
		return policyNotFound(arn)
	}
	if *expected != t.policy.revision {
		return &types.PolicyNotFoundException{Message: aws.String("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id " +
			*expected + ", but the policy associated to target table " + t.name + " has revision id " + t.policy.revision + ".")}
	}
	return nil
}

// nextRevision is a revision ID as the service makes them, a millisecond
// timestamp, kept increasing within a table.
func (s *Store) nextRevision(t *table) string {
	n := s.now().UnixMilli()
	if t.policy != nil {
		if prev, err := strconv.ParseInt(t.policy.revision, 10, 64); err == nil && n <= prev {
			n = prev + 1
		}
	}
	return strconv.FormatInt(n, 10)
}
