package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// selectTopics picks the topics asked for by name or prefix among those that exist. present is
// sorted; missing (sorted, never nil) lists the names asked for, for offsets or for timestamps,
// that do not exist.
func selectTopics(existing, topics, prefixes, timestampTopics []string) (present, missing []string) {
	exists := map[string]bool{}
	for _, t := range existing {
		exists[t] = true
	}
	wanted := map[string]bool{}
	for _, t := range topics {
		wanted[t] = true
	}
	for _, name := range existing {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				wanted[name] = true
			}
		}
	}
	missing = []string{}
	for t := range wanted {
		if exists[t] {
			present = append(present, t)
		} else {
			missing = append(missing, t)
		}
	}
	for _, t := range timestampTopics {
		if !exists[t] && !wanted[t] {
			missing = append(missing, t)
		}
	}
	sort.Strings(present)
	sort.Strings(missing)
	return present, missing
}

// readRanges: per partition, where to start (its start offset, or the asked offset when later)
// and the end offset to reach; a partition with nothing between them is left out of both.
func readRanges(starts, ends, from map[int32]int64) (startAt, remaining map[int32]int64) {
	startAt, remaining = map[int32]int64{}, map[int32]int64{}
	for p, end := range ends {
		start := starts[p]
		if f, ok := from[p]; ok && f > start {
			start = f
		}
		if start < end {
			startAt[p] = start
			remaining[p] = end
		}
	}
	return startAt, remaining
}

// sortRecords orders records by partition, then offset.
func sortRecords(recs []Record) {
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.Partition != b.Partition {
			return a.Partition < b.Partition
		}
		return a.Offset < b.Offset
	})
}

// toProduce turns the request's records into franz-go records; each must name its topic.
func toProduce(records []Record) ([]*kgo.Record, error) {
	recs := make([]*kgo.Record, len(records))
	for i, r := range records {
		if r.Topic == "" {
			return nil, fmt.Errorf("record %d has no topic", i)
		}
		headers := make([]kgo.RecordHeader, 0, len(r.Headers))
		for _, h := range r.Headers {
			headers = append(headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		recs[i] = &kgo.Record{Topic: r.Topic, Partition: r.Partition, Key: r.Key, Value: r.Value, Headers: headers}
	}
	return recs, nil
}
