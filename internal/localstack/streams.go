package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"attestation/internal/samtemplate"
)

// The event source mappings of the template's DynamoDB stream events, run the way Lambda's poller
// runs them (moto keeps the stream but runs no mapping): read each shard of the table's stream from
// its start, keep the records the mapping's filter lets through, hand them to the function in
// batches through the Invoke API, and on a function error or reported item failures deliver again
// from the first failed record, halving the batch when BisectBatchOnFunctionError says so, at most
// MaximumRetryAttempts times; a batch past its retries is recorded as sent to the on-failure
// destination (StreamFailures). Tests may ask for every batch to be delivered twice
// (DeliverBatchesTwice), as the at-least-once stream may do.

// midBatch is the suffix of a fault that fails a stream function's batch midway (faults.go).
const midBatch = "@mid"

// streams runs the template's stream mappings.
type streams struct {
	mu       sync.Mutex // one poll at a time
	mappings []*mapping
	twice    bool
	paused   bool // the background poll waits; only PollStreams delivers
	failures []StreamFailure
	cuts     []MidBatchCut
}

// MidBatchCut is a batch a mid-batch fault cut: the function took the first Delivered of its
// Records, then failed.
type MidBatchCut struct {
	Function  string
	Records   int
	Delivered int
}

// MidBatchCuts are the batches mid-batch faults have cut so far.
func (s *Stack) MidBatchCuts() []MidBatchCut {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return append([]MidBatchCut(nil), s.streams.cuts...)
}

type mapping struct {
	fn     samtemplate.Function
	ev     samtemplate.StreamEvent
	stream string
	iters  map[string]string // by shard: the next iterator
	filter []map[string]any
}

// StreamFailure is a batch the poller gave up on (what the on-failure destination receives).
type StreamFailure struct {
	Function    string `json:"function"`
	Destination string `json:"destination"`
	FirstSeq    string `json:"firstSequenceNumber"`
	LastSeq     string `json:"lastSequenceNumber"`
	Records     int    `json:"records"`
}

// startStreams finds each stream mapping's table stream and polls them every interval.
func (s *Stack) startStreams(ctx context.Context, interval time.Duration) error {
	s.streams = &streams{}
	for _, f := range s.Template.Functions {
		for _, ev := range f.Streams {
			var table string
			for _, tb := range s.Template.Tables {
				if tb.LogicalID == ev.Table {
					table = tb.Name
				}
			}
			out, err := s.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
			if err != nil || out.Table.LatestStreamArn == nil {
				return fmt.Errorf("stream of %s for %s: %v", ev.Table, f.LogicalID, err)
			}
			m := &mapping{fn: f, ev: ev, stream: *out.Table.LatestStreamArn, iters: map[string]string{}}
			for _, p := range ev.Filters {
				var pat map[string]any
				if err := json.Unmarshal([]byte(p), &pat); err != nil {
					return fmt.Errorf("filter of %s: %w", f.LogicalID, err)
				}
				m.filter = append(m.filter, pat)
			}
			s.streams.mappings = append(s.streams.mappings, m)
		}
	}
	if len(s.streams.mappings) == 0 {
		return nil
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.streams.mu.Lock()
				paused := s.streams.paused
				s.streams.mu.Unlock()
				if paused {
					continue
				}
				if err := s.PollStreams(context.Background()); err != nil {
					s.log.Warn("stream poll", "error", err)
				}
			}
		}
	}()
	return nil
}

// DeliverBatchesTwice makes the poller hand every batch to its function twice.
func (s *Stack) DeliverBatchesTwice(on bool) {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	s.streams.twice = on
}

// PauseBackgroundPolls stops (or, with false, restarts) the poll that runs every interval, so
// that records written meanwhile wait for the next PollStreams and reach the function together,
// in batches of several records (as Lambda's poller batches a busy stream).
func (s *Stack) PauseBackgroundPolls(on bool) {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	s.streams.paused = on
}

// StreamFailures are the batches the poller gave up on.
func (s *Stack) StreamFailures() []StreamFailure {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return append([]StreamFailure(nil), s.streams.failures...)
}

// PollStreams reads every mapping's stream to its end and delivers what it read; it returns once
// the function has taken every record written before the call.
func (s *Stack) PollStreams(ctx context.Context) error {
	st := s.streams
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range st.mappings {
		if err := s.pollMapping(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// streamRecord is one record as GetRecords answers it, which is the shape of a Lambda event's record.
type streamRecord = map[string]any

func (s *Stack) pollMapping(ctx context.Context, m *mapping) error {
	var shards struct {
		StreamDescription struct {
			Shards []struct{ ShardId string }
		}
	}
	if err := s.streamsCall(ctx, "DescribeStream", map[string]any{"StreamArn": m.stream}, &shards); err != nil {
		return err
	}
	for _, sh := range shards.StreamDescription.Shards {
		it, ok := m.iters[sh.ShardId]
		if !ok {
			var out struct{ ShardIterator string }
			if err := s.streamsCall(ctx, "GetShardIterator", map[string]any{"StreamArn": m.stream, "ShardId": sh.ShardId,
				"ShardIteratorType": "TRIM_HORIZON"}, &out); err != nil {
				return err
			}
			it = out.ShardIterator
		}
		for it != "" {
			var out struct {
				Records           []streamRecord
				NextShardIterator string
			}
			if err := s.streamsCall(ctx, "GetRecords", map[string]any{"ShardIterator": it, "Limit": 1000}, &out); err != nil {
				return err
			}
			if out.NextShardIterator != "" {
				m.iters[sh.ShardId] = out.NextShardIterator
			}
			var kept []streamRecord
			for _, r := range out.Records {
				if m.matches(r) {
					r["eventSourceARN"] = m.stream
					kept = append(kept, r)
				}
			}
			for len(kept) > 0 {
				n := min(m.ev.BatchSize, len(kept))
				s.deliver(ctx, m, kept[:n])
				kept = kept[n:]
			}
			if len(out.Records) == 0 {
				break
			}
			it = out.NextShardIterator
		}
	}
	return nil
}

// deliver hands a batch to the function until it is taken or its retries are spent.
func (s *Stack) deliver(ctx context.Context, m *mapping, batch []streamRecord) {
	queue := [][]streamRecord{batch}
	attempts := map[string]int{} // by first sequence number
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		failedFrom, err := s.invokeBatch(ctx, m, b)
		if err == nil && failedFrom < 0 {
			continue
		}
		if err == nil {
			b = b[failedFrom:] // deliver again from the first failed record
		}
		key := seqOf(b[0])
		attempts[key]++
		if m.ev.MaximumRetryAttempts >= 0 && attempts[key] > m.ev.MaximumRetryAttempts {
			s.streams.failures = append(s.streams.failures, StreamFailure{Function: m.fn.LogicalID, Destination: m.ev.OnFailure,
				FirstSeq: seqOf(b[0]), LastSeq: seqOf(b[len(b)-1]), Records: len(b)})
			s.log.Error("stream batch sent to the on-failure destination", "function", m.fn.LogicalID, "records", len(b))
			continue
		}
		if err != nil && m.ev.BisectOnError && len(b) > 1 {
			queue = append([][]streamRecord{b[:len(b)/2], b[len(b)/2:]}, queue...)
			continue
		}
		queue = append([][]streamRecord{b}, queue...)
	}
}

// invokeBatch invokes the function with one batch (twice when asked); it answers the index of the
// first record the function reported failed (-1 for none), or the function's error. A mid-batch
// fault delivers the first half first, then fails the invocation.
func (s *Stack) invokeBatch(ctx context.Context, m *mapping, b []streamRecord) (int, error) {
	// A fault midway needs a midway: a batch of one record keeps the fault for the next batch of
	// two or more, so that a test which sees the fault taken knows a batch was cut.
	if len(b) > 1 {
		if _, ok := s.faults.take(m.fn.Name + midBatch); ok {
			s.streams.cuts = append(s.streams.cuts, MidBatchCut{Function: m.fn.LogicalID, Records: len(b), Delivered: len(b) / 2})
			if _, err := s.invokeOnce(ctx, m, b[:len(b)/2]); err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("local fault switch: %s failed midway through a batch of %d", m.fn.LogicalID, len(b))
		}
	}
	first, err := s.invokeOnce(ctx, m, b)
	if err == nil && s.streams.twice {
		return s.invokeOnce(ctx, m, b)
	}
	return first, err
}

func (s *Stack) invokeOnce(ctx context.Context, m *mapping, b []streamRecord) (int, error) {
	payload, err := json.Marshal(map[string]any{"Records": b})
	if err != nil {
		return 0, err
	}
	out, fnErr, err := s.invoker.invoke(ctx, m.fn.Name, payload)
	if err != nil {
		return 0, err
	}
	if fnErr != nil {
		return 0, fmt.Errorf("%s: %s: %s", m.fn.LogicalID, fnErr.Type, fnErr.Message)
	}
	if !m.ev.ReportItemFailures {
		return -1, nil
	}
	var resp struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return 0, fmt.Errorf("%s: its answer: %w", m.fn.LogicalID, err)
	}
	first := -1
	for _, f := range resp.BatchItemFailures {
		for i, r := range b {
			if seqOf(r) == f.ItemIdentifier && (first < 0 || i < first) {
				first = i
			}
		}
	}
	return first, nil
}

func seqOf(r streamRecord) string {
	d, _ := r["dynamodb"].(map[string]any)
	s, _ := d["SequenceNumber"].(string)
	return s
}

// matches applies the mapping's filters (EventBridge patterns: a field's list of allowed values,
// nested objects); no filter lets everything through, several let through what any one does.
func (m *mapping) matches(r streamRecord) bool {
	if len(m.filter) == 0 {
		return true
	}
	for _, f := range m.filter {
		if matchPattern(f, r) {
			return true
		}
	}
	return false
}

func matchPattern(pattern map[string]any, v map[string]any) bool {
	for k, want := range pattern {
		got, ok := v[k]
		if !ok {
			return false
		}
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !matchPattern(w, sub) {
				return false
			}
		case []any:
			found := false
			for _, x := range w {
				found = found || x == got
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// streamsCall calls the DynamoDB Streams API of moto with a JSON body and decodes the raw answer
// (whose records are already in the shape of a Lambda event's).
func (s *Stack) streamsCall(ctx context.Context, op string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.MotoURL+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDBStreams_20120810."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/"+Region+"/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("streams %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("streams %s: %d %s", op, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("streams %s: %w", op, err)
	}
	return nil
}
