package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// result is one run's figures, written as one JSON line with --json.
type result struct {
	Workload     string   `json:"workload"`
	Label        string   `json:"label,omitempty"`
	Endpoint     string   `json:"endpoint"`
	Concurrency  int      `json:"concurrency"`
	SizeBytes    int64    `json:"size_bytes,omitempty"`
	Cache        string   `json:"cache,omitempty"` // s3-get-large: hot or cold
	DurationS    float64  `json:"duration_s"`
	Requests     int64    `json:"requests"`
	Errors       int64    `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	ReqPerS      float64  `json:"req_per_s"`
	MiBPerS      float64  `json:"mib_per_s"`
	P50Ms        float64  `json:"p50_ms"`
	P90Ms        float64  `json:"p90_ms"`
	P99Ms        float64  `json:"p99_ms"`
	P999Ms       float64  `json:"p999_ms"`
	// ServerPeakRSSMiB is the largest VmRSS sampled every 50 ms during the
	// run, ServerHWMMiB the server's VmHWM at its end (its peak since it
	// started); both 0 without --pid.
	ServerPeakRSSMiB float64 `json:"server_peak_rss_mib,omitempty"`
	ServerHWMMiB     float64 `json:"server_hwm_mib,omitempty"`
	ClientCPUS       float64 `json:"client_cpu_s"`
}

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted samples by
// the nearest-rank method: the smallest sample with at least p% of the
// samples at or below it. 0 for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9)) // the epsilon absorbs float error (99.9% of 1000 is 999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// recorder collects one worker's samples; workers never share one.
type recorder struct {
	lat      []time.Duration
	bytes    int64
	errors   int64
	errFirst []string
	paused   time.Duration // spent outside the requests: cache drops, deleting large objects
}

func (r *recorder) ok(d time.Duration, n int64) {
	r.lat = append(r.lat, d)
	r.bytes += n
}

func (r *recorder) fail(err error) {
	r.errors++
	if len(r.errFirst) < 3 {
		r.errFirst = append(r.errFirst, err.Error())
	}
}

// summarize merges the workers' recorders into a result. The time the
// workers spent outside the requests (dropping caches, deleting large
// objects), on average, is not part of the run's duration: rates are over
// the time spent loading.
func summarize(res *result, recs []*recorder, elapsed time.Duration) {
	var all []time.Duration
	var bytes int64
	var paused time.Duration
	for _, r := range recs {
		paused += r.paused
	}
	if len(recs) > 0 && paused/time.Duration(len(recs)) < elapsed {
		elapsed -= paused / time.Duration(len(recs))
	}
	for _, r := range recs {
		all = append(all, r.lat...)
		bytes += r.bytes
		res.Errors += r.errors
		for _, e := range r.errFirst {
			if len(res.ErrorSamples) < 3 && !slices.Contains(res.ErrorSamples, e) {
				res.ErrorSamples = append(res.ErrorSamples, e)
			}
		}
	}
	slices.Sort(all)
	res.Requests = int64(len(all))
	res.DurationS = round(elapsed.Seconds(), 3)
	if s := elapsed.Seconds(); s > 0 {
		res.ReqPerS = round(float64(len(all))/s, 1)
		res.MiBPerS = round(float64(bytes)/(1<<20)/s, 2)
	}
	ms := func(p float64) float64 { return round(float64(percentile(all, p))/1e6, 3) }
	res.P50Ms, res.P90Ms, res.P99Ms, res.P999Ms = ms(50), ms(90), ms(99), ms(99.9)
}

func round(v float64, places int) float64 {
	f := math.Pow(10, float64(places))
	return math.Round(v*f) / f
}

// writeJSON writes res as one line.
func writeJSON(w io.Writer, res *result) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeHuman writes res as one readable line (and error samples below it).
func writeHuman(w io.Writer, res *result) {
	label := res.Workload
	if res.Label != "" {
		label += " [" + res.Label + "]"
	}
	fmt.Fprintf(w, "%s: %d req in %.1fs (c=%d): %.0f req/s %.1f MiB/s p50 %.2fms p90 %.2fms p99 %.2fms p999 %.2fms errors %d client-cpu %.1fs",
		label, res.Requests, res.DurationS, res.Concurrency, res.ReqPerS, res.MiBPerS, res.P50Ms, res.P90Ms, res.P99Ms, res.P999Ms, res.Errors, res.ClientCPUS)
	if res.ServerPeakRSSMiB > 0 {
		fmt.Fprintf(w, " server-rss peak %.0f MiB (hwm %.0f MiB)", res.ServerPeakRSSMiB, res.ServerHWMMiB)
	}
	fmt.Fprintln(w)
	for _, e := range res.ErrorSamples {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
}

// procMemory reads VmRSS and VmHWM (MiB) from /proc/PID/status.
func procMemory(pid int) (rss, hwm float64, err error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(val) // "123456 kB"
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[0], 64)
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return rss, hwm, nil
}

// rssSampler samples a process's VmRSS every 50 ms until stopped.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak float64
	err  error
}

func startRSS(pid int) (*rssSampler, error) {
	if _, _, err := procMemory(pid); err != nil {
		return nil, fmt.Errorf("--pid %d: %w", pid, err)
	}
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				s.sample()
				return
			case <-t.C:
			}
		}
	}()
	return s, nil
}

func (s *rssSampler) sample() {
	rss, _, err := procMemory(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return
	}
	s.peak = max(s.peak, rss)
}

// finish stops sampling and returns the peak VmRSS and the final VmHWM.
func (s *rssSampler) finish() (peak, hwm float64) {
	close(s.stop)
	<-s.done
	_, hwm, _ = procMemory(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	return round(s.peak, 1), round(hwm, 1)
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
