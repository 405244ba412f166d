package samlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/monotable/monotable/internal/runtimeapi"
	"github.com/monotable/monotable/lambda"
)

// A poller is an event source mapping on a table's stream, as Lambda runs
// one for a DynamoDB event: it reads the stream in order, batches up to
// BatchSize records (waiting up to the batching window for a full batch),
// drops the records no filter matches, and invokes the function with the
// rest as an events.DynamoDBEvent. A failed invocation is retried with
// backoff, up to MaximumRetryAttempts; with ReportBatchItemFailures, the
// function's batchItemFailures move the checkpoint to the lowest failed
// sequence number, and the retry starts there. Records retried past the
// limit are discarded, with a log line (Lambda would send them to the
// mapping's on-failure destination).
type poller struct {
	src    StreamSource
	fn     invoker
	read   func(ctx context.Context, max int) ([]st.Record, error) // waits for at least one
	arn    string                                                  // the stream's, for eventSourceARN
	log    *slog.Logger
	notify func(Delivery) // may be nil
}

// Delivery is one invocation of a stream function, for tests and logs.
type Delivery struct {
	Function  string
	Sequences []string // of the records delivered, in order
	Failed    string   // the sequence number retried from; "" when none
	Err       error    // the function's error, if it failed as a whole
}

// retryDelay is the wait before the n-th retry of a batch (n from 1).
var retryDelay = func(n int) time.Duration {
	return min(time.Duration(1<<min(n-1, 5))*500*time.Millisecond, 15*time.Second)
}

func (p *poller) run(ctx context.Context) {
	var pending []st.Record // read, not yet checkpointed
	retries := 0            // of the batch at pending[0]
	for ctx.Err() == nil {
		if len(pending) == 0 {
			recs, err := p.read(ctx, p.src.BatchSize)
			if err != nil || recs == nil { // ctx done, or the stream was disabled
				return
			}
			pending = recs
			if len(pending) < p.src.BatchSize && p.src.BatchWindow > 0 {
				wctx, cancel := context.WithTimeout(ctx, p.src.BatchWindow)
				for len(pending) < p.src.BatchSize {
					recs, err := p.read(wctx, p.src.BatchSize-len(pending))
					if err != nil || recs == nil {
						break
					}
					pending = append(pending, recs...)
				}
				cancel()
			}
		}
		n := min(len(pending), p.src.BatchSize)
		batch := p.filter(pending[:n])
		if len(batch) == 0 {
			pending, retries = pending[n:], 0
			continue
		}
		d := p.deliver(ctx, batch)
		if ctx.Err() != nil {
			return
		}
		if p.notify != nil {
			p.notify(d)
		}
		if d.Err == nil && d.Failed == "" {
			pending, retries = pending[n:], 0
			continue
		}
		if d.Failed != "" { // checkpoint at the failed record
			i := 0
			for i < n && seqLess(seqOf(pending[i]), d.Failed) {
				i++
			}
			if i > 0 {
				pending, retries = pending[i:], 0
			}
		}
		retries++
		if p.src.MaxRetries >= 0 && retries > p.src.MaxRetries {
			last := min(len(pending), p.src.BatchSize)
			p.log.Error("stream batch discarded after its retries", "function", p.src.Function, "event", p.src.Event,
				"retries", p.src.MaxRetries, "from", seqOf(pending[0]), "to", seqOf(pending[last-1]))
			pending, retries = pending[last:], 0
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retryDelay(retries)):
		}
	}
}

// filter returns the records of batch that match a filter, as events.
func (p *poller) filter(batch []st.Record) []events.DynamoDBEventRecord {
	out := make([]events.DynamoDBEventRecord, 0, len(batch))
	for _, r := range batch {
		er := lambda.StreamRecord(p.arn, r)
		if len(p.src.Filters) > 0 {
			b, _ := json.Marshal(er)
			var doc any
			_ = json.Unmarshal(b, &doc)
			match := false
			for _, f := range p.src.Filters {
				if f.Match(doc) {
					match = true
					break
				}
			}
			if !match {
				continue
			}
		}
		out = append(out, er)
	}
	return out
}

// deliver invokes the function with one batch and reads its answer.
func (p *poller) deliver(ctx context.Context, batch []events.DynamoDBEventRecord) Delivery {
	d := Delivery{Function: p.src.Function}
	for _, r := range batch {
		d.Sequences = append(d.Sequences, r.Change.SequenceNumber)
	}
	payload, err := json.Marshal(events.DynamoDBEvent{Records: batch})
	if err != nil {
		d.Err = err
		return d
	}
	res, err := p.fn.InvokeRequest(ctx, runtimeapi.Request{Payload: payload})
	switch {
	case err != nil:
		d.Err = err
	case res.FunctionError != nil:
		d.Err = res.FunctionError
	case p.src.ReportBatchItemFailures:
		d.Failed, d.Err = batchFailure(res.Payload, d.Sequences)
	}
	if d.Err != nil && ctx.Err() == nil {
		p.log.Warn("stream batch failed; retrying", "function", p.src.Function, "records", len(batch), "err", d.Err)
	}
	return d
}

// batchFailure reads a partial batch response: the lowest failed sequence
// number, or an error when the response fails the whole batch (an item
// identifier that is empty or not in the batch, as Lambda treats it).
func batchFailure(payload []byte, seqs []string) (string, error) {
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(payload) == 0 || string(payload) == "null" {
		return "", nil
	}
	if err := json.Unmarshal(payload, &resp); err != nil {
		return "", nil // not a batch response: a success
	}
	lowest := ""
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return "", fmt.Errorf("batchItemFailures has an empty itemIdentifier: the whole batch failed")
		}
		id := *f.ItemIdentifier
		found := false
		for _, s := range seqs {
			found = found || s == id
		}
		if !found {
			return "", fmt.Errorf("batchItemFailures names %q, not in the batch: the whole batch failed", id)
		}
		if lowest == "" || seqLess(id, lowest) {
			lowest = id
		}
	}
	return lowest, nil
}

func seqOf(r st.Record) string {
	if r.Dynamodb == nil || r.Dynamodb.SequenceNumber == nil {
		return ""
	}
	return *r.Dynamodb.SequenceNumber
}

// seqLess compares sequence numbers, decimal strings of any length.
func seqLess(a, b string) bool {
	x, ok1 := new(big.Int).SetString(a, 10)
	y, ok2 := new(big.Int).SetString(b, 10)
	if !ok1 || !ok2 {
		return a < b
	}
	return x.Cmp(y) < 0
}
