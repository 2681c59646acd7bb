package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestSelectTopics(t *testing.T) {
	existing := []string{"cmw-facility.a.status", "cmw-facility.b.status", "sink-dlq", "data.x"}
	present, missing := selectTopics(existing, []string{"sink-dlq", "gone"}, []string{"cmw-facility."}, []string{"data.x", "stamp-gone", "gone"})
	if !reflect.DeepEqual(present, []string{"cmw-facility.a.status", "cmw-facility.b.status", "sink-dlq"}) {
		t.Errorf("present: %v", present)
	}
	if !reflect.DeepEqual(missing, []string{"gone", "stamp-gone"}) {
		t.Errorf("missing (once each, sorted): %v", missing)
	}
	if _, missing := selectTopics(nil, nil, nil, nil); missing == nil {
		t.Error("missing must be an empty list, not null, in the JSON answer")
	}
}

func TestReadRanges(t *testing.T) {
	starts := map[int32]int64{0: 0, 1: 5, 2: 3}
	ends := map[int32]int64{0: 10, 1: 5, 2: 8}
	startAt, remaining := readRanges(starts, ends, map[int32]int64{0: 4, 2: 1})
	if !reflect.DeepEqual(startAt, map[int32]int64{0: 4, 2: 3}) {
		t.Errorf("a later asked offset wins, an earlier one does not; an empty partition is left out: %v", startAt)
	}
	if !reflect.DeepEqual(remaining, map[int32]int64{0: 10, 2: 8}) {
		t.Errorf("remaining: %v", remaining)
	}
	if startAt, _ := readRanges(starts, ends, map[int32]int64{0: 10}); !reflect.DeepEqual(startAt, map[int32]int64{2: 3}) {
		t.Errorf("a partition already read to its end is left out: %v", startAt)
	}
}

func TestSortRecords(t *testing.T) {
	recs := []Record{{Partition: 1, Offset: 0}, {Partition: 0, Offset: 7}, {Partition: 0, Offset: 2}}
	sortRecords(recs)
	got := [][2]int64{}
	for _, r := range recs {
		got = append(got, [2]int64{int64(r.Partition), r.Offset})
	}
	if !reflect.DeepEqual(got, [][2]int64{{0, 2}, {0, 7}, {1, 0}}) {
		t.Errorf("%v", got)
	}
}

func TestToProduce(t *testing.T) {
	recs, err := toProduce([]Record{{Topic: "t", Partition: 2, Key: []byte("k"), Value: []byte("v"), Headers: []Header{{Key: "h", Value: []byte("1")}}}})
	if err != nil || len(recs) != 1 || recs[0].Topic != "t" || recs[0].Partition != 2 || string(recs[0].Headers[0].Value) != "1" {
		t.Errorf("%+v %v", recs, err)
	}
	if _, err := toProduce([]Record{{Topic: "t"}, {}}); err == nil || err.Error() != "record 1 has no topic" {
		t.Errorf("%v", err)
	}
}

func TestRunRefusesBadRequestsBeforeConnecting(t *testing.T) {
	for in, want := range map[string]string{
		`{"command":"offsets","bogus":1}`:                                                               `unknown field "bogus"`,
		`{"command":"delete"}`:                                                                          `unknown command "delete"`,
		`{"command":"read","kafka":{"bootstrap":["x:1"]}}`:                                              "read needs a topic",
		`{"command":"offsets","kafka":{"bootstrap":[]}}`:                                                "kafka.bootstrap is empty",
		`{"command":"produce","records":[{"partition":0}]}`:                                             "record 0 has no topic",
		`{"command":"offsets","kafka":{"bootstrap":["x:1"],"tls":true,"caFile":"/nonexistent/ca.pem"}}`: "reading kafka.caFile",
	} {
		var out bytes.Buffer
		err := run(strings.NewReader(in), &out)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want an error with %q, got %v", in, want, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: nothing may be written on failure: %q", in, out.String())
		}
	}
}
