package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 1000; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 500 * time.Millisecond}, {90, 900 * time.Millisecond}, {99, 990 * time.Millisecond}, {99.9, 999 * time.Millisecond}, {100, 1000 * time.Millisecond}, {0.01, time.Millisecond}} {
		if got := percentile(s, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("no samples: %v", got)
	}
	// Few samples: p999 is the largest, p50 of [1 2 3 4] the 2nd.
	few := []time.Duration{1, 2, 3, 4}
	if percentile(few, 99.9) != 4 || percentile(few, 50) != 2 {
		t.Errorf("few samples: p50 %v p999 %v", percentile(few, 50), percentile(few, 99.9))
	}
}

func TestSummarizeMergesWorkers(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	for i := 1; i <= 50; i++ {
		a.ok(time.Duration(2*i)*time.Millisecond, 1<<20)   // evens
		b.ok(time.Duration(2*i-1)*time.Millisecond, 1<<20) // odds
	}
	for range 5 {
		b.fail(errors.New("HTTP 503 SlowDown: slow down"))
	}
	a.fail(errors.New("HTTP 500 InternalError: boom"))
	res := &result{Workload: "s3-get-small"}
	summarize(res, []*recorder{a, b}, 2*time.Second)
	if res.Requests != 100 || res.Errors != 6 {
		t.Fatalf("requests %d errors %d", res.Requests, res.Errors)
	}
	if res.ReqPerS != 50 || res.MiBPerS != 50 {
		t.Errorf("req/s %v MiB/s %v, want 50 and 50", res.ReqPerS, res.MiBPerS)
	}
	if res.P50Ms != 50 || res.P90Ms != 90 || res.P99Ms != 99 || res.P999Ms != 100 {
		t.Errorf("percentiles %v %v %v %v", res.P50Ms, res.P90Ms, res.P99Ms, res.P999Ms)
	}
	// Samples are deduplicated and capped at 3.
	if len(res.ErrorSamples) != 2 {
		t.Errorf("error samples %q", res.ErrorSamples)
	}
}

func TestJSONLine(t *testing.T) {
	res := &result{Workload: "sts-assume-role", Label: "gatehouse", Endpoint: "http://127.0.0.1:1", Concurrency: 16, Requests: 10,
		ReqPerS: 5, P50Ms: 1.5, ServerPeakRSSMiB: 40}
	var buf bytes.Buffer
	if err := writeJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("not one line: %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"workload", "label", "endpoint", "concurrency", "duration_s", "requests", "errors", "req_per_s", "mib_per_s",
		"p50_ms", "p90_ms", "p99_ms", "p999_ms", "server_peak_rss_mib", "client_cpu_s"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	if m["workload"] != "sts-assume-role" || m["p50_ms"] != 1.5 || m["server_peak_rss_mib"] != 40.0 {
		t.Errorf("values: %s", out)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"4096": 4096, "4KiB": 4096, "16MiB": 16 << 20, "1GiB": 1 << 30, "256M": 256 << 20, "0": 0} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "KiB", "-1", "1.5MiB", "4XB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q): no error", bad)
		}
	}
	if formatSize(256<<20) != "256MiB" || formatSize(1000) != "1000" {
		t.Errorf("formatSize: %s %s", formatSize(256<<20), formatSize(1000))
	}
}

func TestProcMemoryOfSelf(t *testing.T) {
	rss, hwm, err := procMemory(1)
	if err != nil {
		t.Skip("no /proc:", err)
	}
	if rss <= 0 || hwm < rss {
		t.Errorf("rss %v hwm %v", rss, hwm)
	}
}

func TestSummarizeLeavesOutPausedTime(t *testing.T) {
	r := &recorder{paused: time.Second}
	r.ok(time.Millisecond, 1<<20)
	r.ok(time.Millisecond, 1<<20)
	res := &result{}
	summarize(res, []*recorder{r}, 2*time.Second)
	if res.DurationS != 1 || res.MiBPerS != 2 {
		t.Errorf("duration %v MiB/s %v, want 1 and 2", res.DurationS, res.MiBPerS)
	}
}
