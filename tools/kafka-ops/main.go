// cmw-kafka-ops: the Kafka side of the operations tools (`npm run status`, `npm run dlq`).
// It reads one JSON request on stdin and writes one JSON answer on stdout, so credentials never
// appear on a command line and the TypeScript side works with typed data, not console output.
//
//	offsets  start and end offsets of topics (by name or prefix), committed offsets of groups,
//	         and the newest record's timestamp of given topics (heartbeat freshness)
//	read     records of one topic from given offsets up to the end as it was when reading began
//	produce  records to given topics and partitions, acks=all, idempotent
//
// Keys, values and header values travel as base64 (Go's []byte JSON encoding), so any bytes
// survive. Errors go to stderr with exit status 1.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

var version = "dev"

// Connection is how to reach and log in to Kafka.
type Connection struct {
	Bootstrap []string `json:"bootstrap"`
	TLS       bool     `json:"tls"`
	// CAFile is a PEM bundle to trust instead of the system's roots (TLS only).
	CAFile   string `json:"caFile,omitempty"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// Request is one command and its arguments.
type Request struct {
	Kafka     Connection `json:"kafka"`
	Command   string     `json:"command"`
	TimeoutMs int        `json:"timeoutMs,omitempty"`

	// offsets
	Topics                []string `json:"topics,omitempty"`
	TopicPrefixes         []string `json:"topicPrefixes,omitempty"`
	Groups                []string `json:"groups,omitempty"`
	LatestTimestampTopics []string `json:"latestTimestampTopics,omitempty"`

	// read
	Topic string          `json:"topic,omitempty"`
	From  map[int32]int64 `json:"from,omitempty"` // per partition; absent partitions read from their start
	Limit int             `json:"limit,omitempty"`
	Keys  [][]byte        `json:"keys,omitempty"` // only records with one of these keys

	// produce
	Records []Record `json:"records,omitempty"`
}

// Header is one record header.
type Header struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// Record is one Kafka record as read or to be produced.
type Record struct {
	Topic     string   `json:"topic"`
	Partition int32    `json:"partition"`
	Offset    int64    `json:"offset"`
	Timestamp int64    `json:"timestamp"`
	Key       []byte   `json:"key"`
	Value     []byte   `json:"value"`
	Headers   []Header `json:"headers"`
}

// PartitionOffsets are a partition's first and next offsets.
type PartitionOffsets struct {
	Partition int32 `json:"partition"`
	Start     int64 `json:"start"`
	End       int64 `json:"end"`
}

// OffsetsAnswer is the answer to `offsets`.
type OffsetsAnswer struct {
	Topics map[string][]PartitionOffsets `json:"topics"`
	// Groups: group → topic → partition → committed offset (absent: nothing committed).
	Groups map[string]map[string]map[int32]int64 `json:"groups"`
	// LatestTimestamps: topic → newest record's timestamp in ms, or null when the topic is empty or missing.
	LatestTimestamps map[string]*int64 `json:"latestTimestamps"`
	Missing          []string          `json:"missing"`
}

// ReadAnswer is the answer to `read`.
type ReadAnswer struct {
	Records []Record        `json:"records"`
	End     map[int32]int64 `json:"end"`
	// Truncated is true when Limit stopped the read before the end.
	Truncated bool `json:"truncated"`
}

// ProduceAnswer is the answer to `produce`: where each record landed, in request order.
type ProduceAnswer struct {
	Records []Record `json:"records"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("cmw-kafka-ops", version)
		return
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cmw-kafka-ops:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req Request
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("reading the request on stdin: %w", err)
	}
	timeout := 30 * time.Second
	if req.TimeoutMs > 0 {
		timeout = time.Duration(req.TimeoutMs) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	var answer any
	var err error
	switch req.Command {
	case "offsets":
		answer, err = offsets(ctx, req)
	case "read":
		answer, err = read(ctx, req)
	case "produce":
		answer, err = produce(ctx, req)
	default:
		return fmt.Errorf("unknown command %q: use offsets, read or produce", req.Command)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: no answer from Kafka at %s within %s: %w", req.Command, strings.Join(req.Kafka.Bootstrap, ","), timeout, err)
		}
		return fmt.Errorf("%s: %w", req.Command, err)
	}
	enc := json.NewEncoder(out)
	return enc.Encode(answer)
}

func client(c Connection, extra ...kgo.Opt) (*kgo.Client, error) {
	if len(c.Bootstrap) == 0 {
		return nil, errors.New("kafka.bootstrap is empty")
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Bootstrap...),
		kgo.ClientID("cmw-kafka-ops"),
		kgo.RetryTimeout(15 * time.Second),
	}
	if c.User != "" {
		opts = append(opts, kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()))
	}
	if c.TLS {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if c.CAFile != "" {
			pem, err := os.ReadFile(c.CAFile)
			if err != nil {
				return nil, fmt.Errorf("reading kafka.caFile: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("kafka.caFile %s holds no PEM certificate", c.CAFile)
			}
			cfg.RootCAs = pool
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	return kgo.NewClient(append(opts, extra...)...)
}

func offsets(ctx context.Context, req Request) (*OffsetsAnswer, error) {
	cl, err := client(req.Kafka)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)

	all, err := adm.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing topics: %w", err)
	}
	ans := &OffsetsAnswer{
		Topics:           map[string][]PartitionOffsets{},
		Groups:           map[string]map[string]map[int32]int64{},
		LatestTimestamps: map[string]*int64{},
	}
	var present []string
	present, ans.Missing = selectTopics(all.Names(), req.Topics, req.TopicPrefixes, req.LatestTimestampTopics)

	if len(present) > 0 {
		starts, err := adm.ListStartOffsets(ctx, present...)
		if err != nil {
			return nil, fmt.Errorf("listing start offsets: %w", err)
		}
		ends, err := adm.ListEndOffsets(ctx, present...)
		if err != nil {
			return nil, fmt.Errorf("listing end offsets: %w", err)
		}
		for _, t := range present {
			var parts []PartitionOffsets
			for p, end := range ends[t] {
				if end.Err != nil {
					return nil, fmt.Errorf("end offset of %s[%d]: %w", t, p, end.Err)
				}
				start, _ := starts.Lookup(t, p)
				if start.Err != nil {
					return nil, fmt.Errorf("start offset of %s[%d]: %w", t, p, start.Err)
				}
				parts = append(parts, PartitionOffsets{Partition: p, Start: start.Offset, End: end.Offset})
			}
			sort.Slice(parts, func(i, j int) bool { return parts[i].Partition < parts[j].Partition })
			ans.Topics[t] = parts
		}
	}

	for _, g := range req.Groups {
		fetched, err := adm.FetchOffsets(ctx, g)
		if err != nil {
			return nil, fmt.Errorf("committed offsets of group %s: %w", g, err)
		}
		byTopic := map[string]map[int32]int64{}
		fetched.Each(func(o kadm.OffsetResponse) {
			if o.Err != nil || o.At < 0 {
				return
			}
			if byTopic[o.Topic] == nil {
				byTopic[o.Topic] = map[int32]int64{}
			}
			byTopic[o.Topic][o.Partition] = o.At
		})
		ans.Groups[g] = byTopic
	}

	var stampTopics []string
	for _, t := range req.LatestTimestampTopics {
		ans.LatestTimestamps[t] = nil
		if _, ok := all[t]; ok {
			stampTopics = append(stampTopics, t)
		}
	}
	if len(stampTopics) > 0 {
		maxes, err := adm.ListMaxTimestampOffsets(ctx, stampTopics...)
		if err != nil {
			return nil, fmt.Errorf("listing newest timestamps: %w", err)
		}
		for _, t := range stampTopics {
			for _, o := range maxes[t] {
				if o.Err != nil || o.Offset < 0 || o.Timestamp < 0 {
					continue
				}
				ts := o.Timestamp
				if cur := ans.LatestTimestamps[t]; cur == nil || *cur < ts {
					ans.LatestTimestamps[t] = &ts
				}
			}
		}
	}
	return ans, nil
}

func read(ctx context.Context, req Request) (*ReadAnswer, error) {
	if req.Topic == "" {
		return nil, errors.New("read needs a topic")
	}
	admCl, err := client(req.Kafka)
	if err != nil {
		return nil, err
	}
	adm := kadm.NewClient(admCl)
	starts, err := adm.ListStartOffsets(ctx, req.Topic)
	if err == nil && len(starts[req.Topic]) == 0 {
		err = fmt.Errorf("topic %s does not exist", req.Topic)
	}
	var ends kadm.ListedOffsets
	if err == nil {
		ends, err = adm.ListEndOffsets(ctx, req.Topic)
	}
	admCl.Close()
	if err != nil {
		return nil, err
	}

	ans := &ReadAnswer{Records: []Record{}, End: map[int32]int64{}}
	startOffsets := map[int32]int64{}
	for p, end := range ends[req.Topic] {
		if end.Err != nil {
			return nil, fmt.Errorf("end offset of %s[%d]: %w", req.Topic, p, end.Err)
		}
		ans.End[p] = end.Offset
		startOffsets[p] = starts[req.Topic][p].Offset
	}
	from := map[int32]kgo.Offset{}
	readFrom, remaining := readRanges(startOffsets, ans.End, req.From) // remaining: partition → end offset still to reach
	for p, at := range readFrom {
		from[p] = kgo.NewOffset().At(at)
	}
	if len(from) == 0 {
		return ans, nil
	}
	keys := map[string]bool{}
	for _, k := range req.Keys {
		keys[string(k)] = true
	}
	cl, err := client(req.Kafka,
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{req.Topic: from}),
		// Read committed data only, as the sink does.
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	idle := 0
	for len(remaining) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pollCtx, cancelPoll := context.WithTimeout(ctx, 3*time.Second)
		fetches := cl.PollFetches(pollCtx)
		cancelPoll()
		var fetchErr error
		fetches.EachError(func(t string, p int32, e error) {
			if !errors.Is(e, context.DeadlineExceeded) && !errors.Is(e, context.Canceled) {
				fetchErr = fmt.Errorf("fetching %s[%d]: %w", t, p, e)
			}
		})
		if fetchErr != nil {
			return nil, fetchErr
		}
		got := 0
		fetches.EachRecord(func(r *kgo.Record) {
			got++
			end, open := remaining[r.Partition]
			if !open || r.Offset >= end {
				return
			}
			if r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
			if len(keys) > 0 && !keys[string(r.Key)] {
				return
			}
			if req.Limit > 0 && len(ans.Records) >= req.Limit {
				ans.Truncated = true
				remaining = map[int32]int64{}
				return
			}
			headers := make([]Header, 0, len(r.Headers))
			for _, h := range r.Headers {
				headers = append(headers, Header{Key: h.Key, Value: h.Value})
			}
			ans.Records = append(ans.Records, Record{
				Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Timestamp: r.Timestamp.UnixMilli(),
				Key: r.Key, Value: r.Value, Headers: headers,
			})
		})
		// Transaction markers leave offsets without records at the end of a partition: two quiet
		// polls in a row mean every partition left has been read to its end.
		if got == 0 {
			idle++
			if idle >= 2 {
				break
			}
		} else {
			idle = 0
		}
	}
	sortRecords(ans.Records)
	return ans, nil
}

func produce(ctx context.Context, req Request) (*ProduceAnswer, error) {
	if len(req.Records) == 0 {
		return &ProduceAnswer{Records: []Record{}}, nil
	}
	recs, err := toProduce(req.Records)
	if err != nil {
		return nil, err
	}
	cl, err := client(req.Kafka,
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	results := cl.ProduceSync(ctx, recs...)
	ans := &ProduceAnswer{Records: make([]Record, 0, len(results))}
	for i, res := range results {
		if res.Err != nil {
			return nil, fmt.Errorf("record %d to %s[%d]: %w (records before it were written)", i, res.Record.Topic, res.Record.Partition, res.Err)
		}
		ans.Records = append(ans.Records, Record{Topic: res.Record.Topic, Partition: res.Record.Partition, Offset: res.Record.Offset,
			Timestamp: res.Record.Timestamp.UnixMilli(), Key: res.Record.Key, Value: res.Record.Value, Headers: req.Records[i].Headers})
	}
	return ans, nil
}
