package persist

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// snapshot writes the whole store as records and drops the logs it
// covers. The caller holds ddl, so no table is created, changed or
// deleted meanwhile; item writes go on.
//
// It first starts a new log generation G under the order lock; the
// snapshot is then read while writes continue into log G. Each item in it
// is the item as it was at the rotation or as a later write left it, and
// every such write is also in log G, so the snapshot followed by log G is
// the current state: replaying an item image twice is harmless. The
// snapshot is written to a temporary file, synced, renamed over the old
// one and the directory synced, so a crash at any point leaves either the
// old snapshot with its logs or the new one.
func (s *Store) snapshot() error {
	start := time.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	gen := s.gen + 1
	f, err := createLog(s.dir, gen)
	if err == nil {
		if err = s.w.rotate(f, int64(len(magic))); err != nil {
			f.Close()
		}
	}
	if err == nil {
		s.gen = gen
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.log.Info("persist: snapshot started", "dir", s.dir, "generation", gen)

	tables, items, size, err := s.writeSnapshot(gen)
	if err != nil {
		return err
	}
	s.snapshotSize.Store(size)
	gens, err := listLogs(s.dir)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g < gen {
			if err := removeIfExists(filepath.Join(s.dir, logName(g))); err != nil {
				return err
			}
		}
	}
	s.log.Info("persist: snapshot done", "dir", s.dir, "generation", gen,
		"tables", tables, "items", items, "bytes", size, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// writeSnapshot dumps the store into the snapshot file of generation gen.
func (s *Store) writeSnapshot(gen uint64) (tables, items int, size int64, err error) {
	tmp := filepath.Join(s.dir, snapshotTemp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("persist: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	var frame []byte
	put := func(k kind, body []byte) error {
		frame = appendFrame(frame[:0], k, body)
		size += int64(len(frame))
		_, err := bw.Write(frame)
		return err
	}
	if _, err = bw.WriteString(magic); err != nil {
		return
	}
	size = int64(len(magic))
	if err = put(kindSnapshot, binary.LittleEndian.AppendUint64(nil, gen)); err != nil {
		return
	}
	ctx := context.Background()
	var names []string
	for in := (&dynamodb.ListTablesInput{}); ; {
		out, lerr := s.Store.ListTables(ctx, in)
		if lerr != nil {
			return 0, 0, 0, lerr
		}
		names = append(names, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		in.ExclusiveStartTableName = out.LastEvaluatedTableName
	}
	for _, name := range names {
		n, terr := s.dumpTable(ctx, name, put)
		if terr != nil {
			return 0, 0, 0, fmt.Errorf("persist: snapshot of table %s: %w", name, terr)
		}
		tables++
		items += n
	}
	if err = put(kindEnd, nil); err != nil {
		return
	}
	if err = bw.Flush(); err != nil {
		return
	}
	if err = f.Sync(); err != nil {
		return
	}
	if err = f.Close(); err != nil {
		return
	}
	if err = os.Rename(tmp, filepath.Join(s.dir, snapshotFile)); err != nil {
		return
	}
	return tables, items, size, syncDir(s.dir)
}

// dumpTable writes one table: its schema, its TTL, tags and backup
// settings, then its items a Scan page per record.
func (s *Store) dumpTable(ctx context.Context, name string, put func(kind, []byte) error) (int, error) {
	desc, err := s.Store.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return 0, err
	}
	if _, body, err := marshal(kindCreateTable, createInput(desc.Table)); err != nil {
		return 0, err
	} else if err := put(kindCreateTable, body); err != nil {
		return 0, err
	}
	ttl, err := s.Store.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return 0, err
	}
	if d := ttl.TimeToLiveDescription; d != nil && d.TimeToLiveStatus == types.TimeToLiveStatusEnabled {
		_, body, err := marshal(kindUpdateTTL, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: d.AttributeName, Enabled: aws.Bool(true)},
		})
		if err != nil {
			return 0, err
		}
		if err := put(kindUpdateTTL, body); err != nil {
			return 0, err
		}
	}
	if err := s.dumpSettings(ctx, desc.Table, put); err != nil {
		return 0, err
	}
	items := 0
	in := &dynamodb.ScanInput{TableName: aws.String(name), ConsistentRead: aws.Bool(true)}
	for {
		out, err := s.Store.Scan(ctx, in)
		if err != nil {
			return 0, err
		}
		if len(out.Items) > 0 {
			reqs := make([]types.WriteRequest, len(out.Items))
			for i, item := range out.Items {
				reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
			}
			_, body, err := marshal(kindWrite, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{name: reqs}})
			if err != nil {
				return 0, err
			}
			if err := put(kindWrite, body); err != nil {
				return 0, err
			}
			items += len(out.Items)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// dumpSettings writes a table's tags, point-in-time recovery, Contributor
// Insights and resource policy.
func (s *Store) dumpSettings(ctx context.Context, d *types.TableDescription, put func(kind, []byte) error) error {
	if err := s.dumpInsightsAndPolicy(ctx, d, put); err != nil {
		return err
	}
	tags, err := s.Store.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn})
	if err != nil {
		return err
	}
	if len(tags.Tags) > 0 {
		_, body, err := marshal(kindTag, &dynamodb.TagResourceInput{ResourceArn: d.TableArn, Tags: tags.Tags})
		if err != nil {
			return err
		}
		if err := put(kindTag, body); err != nil {
			return err
		}
	}
	backups, err := s.Store.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: d.TableName})
	if err != nil {
		return err
	}
	if b := backups.ContinuousBackupsDescription; b != nil && b.PointInTimeRecoveryDescription != nil &&
		b.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled {
		_, body, err := marshal(kindUpdateBackups, &dynamodb.UpdateContinuousBackupsInput{
			TableName:                        d.TableName,
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		if err := put(kindUpdateBackups, body); err != nil {
			return err
		}
	}
	return nil
}

// createInput renders a table description as the CreateTable request that
// makes the same table (with a new id and creation time).
func createInput(d *types.TableDescription) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   d.TableName,
		KeySchema:   d.KeySchema,
		BillingMode: types.BillingModeProvisioned,
	}
	if d.BillingModeSummary != nil && d.BillingModeSummary.BillingMode == types.BillingModePayPerRequest {
		in.BillingMode = types.BillingModePayPerRequest
	}
	provisioned := in.BillingMode == types.BillingModeProvisioned
	throughput := func(p *types.ProvisionedThroughputDescription) *types.ProvisionedThroughput {
		if !provisioned {
			return nil
		}
		if p == nil {
			p = &types.ProvisionedThroughputDescription{}
		}
		return &types.ProvisionedThroughput{ReadCapacityUnits: p.ReadCapacityUnits, WriteCapacityUnits: p.WriteCapacityUnits}
	}
	in.ProvisionedThroughput = throughput(d.ProvisionedThroughput)

	// Definitions of dropped indexes' keys may linger in the description;
	// CreateTable takes only the ones some key uses.
	used := map[string]bool{}
	use := func(ks []types.KeySchemaElement) {
		for _, k := range ks {
			used[aws.ToString(k.AttributeName)] = true
		}
	}
	use(d.KeySchema)
	for _, g := range d.GlobalSecondaryIndexes {
		use(g.KeySchema)
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             g.IndexName,
			KeySchema:             g.KeySchema,
			Projection:            g.Projection,
			ProvisionedThroughput: throughput(g.ProvisionedThroughput),
			OnDemandThroughput:    g.OnDemandThroughput,
		})
	}
	for _, l := range d.LocalSecondaryIndexes {
		use(l.KeySchema)
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  l.IndexName,
			KeySchema:  l.KeySchema,
			Projection: l.Projection,
		})
	}
	for _, a := range d.AttributeDefinitions {
		if used[aws.ToString(a.AttributeName)] {
			in.AttributeDefinitions = append(in.AttributeDefinitions, a)
		}
	}
	if spec := d.StreamSpecification; spec != nil && aws.ToBool(spec.StreamEnabled) {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: spec.StreamViewType}
	}
	if sse := d.SSEDescription; sse != nil && sse.Status == types.SSEStatusEnabled {
		in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), SSEType: sse.SSEType}
	}
	in.OnDemandThroughput = d.OnDemandThroughput
	if d.TableClassSummary != nil {
		in.TableClass = d.TableClassSummary.TableClass
	}
	if aws.ToBool(d.DeletionProtectionEnabled) {
		in.DeletionProtectionEnabled = aws.Bool(true)
	}
	return in
}

func (s *Store) dumpInsightsAndPolicy(ctx context.Context, d *types.TableDescription, put func(kind, []byte) error) error {
	dump := func(k kind, in any) error {
		_, body, err := marshal(k, in)
		if err != nil {
			return err
		}
		return put(k, body)
	}
	insights, err := s.Store.ListContributorInsights(ctx, &dynamodb.ListContributorInsightsInput{TableName: d.TableName})
	if err != nil {
		return err
	}
	for _, sum := range insights.ContributorInsightsSummaries {
		if err := dump(kindInsights, &dynamodb.UpdateContributorInsightsInput{TableName: sum.TableName, IndexName: sum.IndexName,
			ContributorInsightsAction: types.ContributorInsightsActionEnable, ContributorInsightsMode: sum.ContributorInsightsMode}); err != nil {
			return err
		}
	}
	policy, err := s.Store.GetResourcePolicy(ctx, &dynamodb.GetResourcePolicyInput{ResourceArn: d.TableArn})
	var none *types.PolicyNotFoundException
	switch {
	case errors.As(err, &none):
		return nil
	case err != nil:
		return err
	}
	return dump(kindPutPolicy, &dynamodb.PutResourcePolicyInput{ResourceArn: d.TableArn, Policy: policy.Policy})
}
