package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// report reads JSON lines of runs (the label naming the target) and
// prints, per workload and target, the medians over the repetitions and
// the ratio of the headline figure (MiB/s for large-object workloads,
// req/s otherwise) to the ceiling's and MinIO's; then the same ratio
// repetition by repetition, with its median.
func report(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: gatehouse-bench report FILE.jsonl... (labels ceiling and minio are the baselines)")
	}
	type key struct{ workload, target string }
	runs := map[key][]result{}
	var workloads, targets []string
	for _, path := range args {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r result
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Workload == "" {
				continue
			}
			w := r.Workload
			if r.Cache == "cold" {
				w += " (cold)"
			}
			if !slices.Contains(workloads, w) {
				workloads = append(workloads, w)
			}
			if !slices.Contains(targets, r.Label) {
				targets = append(targets, r.Label)
			}
			runs[key{w, r.Label}] = append(runs[key{w, r.Label}], r)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	headline := func(w string, r result) float64 {
		if strings.Contains(w, "large") || strings.Contains(w, "multipart") {
			return r.MiBPerS
		}
		return r.ReqPerS
	}
	med := func(rs []result, f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		return median(v)
	}
	ratio := func(w, base string, mine float64) string {
		rs := runs[key{w, base}]
		if len(rs) == 0 {
			return "-"
		}
		b := med(rs, func(r result) float64 { return headline(w, r) })
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", mine/b)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttarget\truns\treq/s\tMiB/s\tp50 ms\tp99 ms\terrors\tpeak RSS MiB\tvs ceiling\tvs minio\t")
	for _, w := range workloads {
		for _, t := range targets {
			rs := runs[key{w, t}]
			if len(rs) == 0 {
				continue
			}
			var errs int64
			for _, r := range rs {
				errs += r.Errors
			}
			h := med(rs, func(r result) float64 { return headline(w, r) })
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.1f\t%.2f\t%.2f\t%d\t%.0f\t%s\t%s\t\n", w, t, len(rs),
				med(rs, func(r result) float64 { return r.ReqPerS }), med(rs, func(r result) float64 { return r.MiBPerS }),
				med(rs, func(r result) float64 { return r.P50Ms }), med(rs, func(r result) float64 { return r.P99Ms }), errs,
				med(rs, func(r result) float64 { return r.ServerPeakRSSMiB }), ratio(w, "ceiling", h), ratio(w, "minio", h))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Repetitions run interleaved, so a target's i-th run and a
	// baseline's i-th ran side by side: their ratios show the spread that
	// the medians' ratio hides.
	var paired []string
	for _, w := range workloads {
		for _, t := range targets {
			if t == "ceiling" || t == "minio" {
				continue
			}
			for _, base := range []string{"ceiling", "minio"} {
				mine, theirs := runs[key{w, t}], runs[key{w, base}]
				var rs []string
				var vs []float64
				for i := range min(len(mine), len(theirs)) {
					if b := headline(w, theirs[i]); b > 0 {
						v := headline(w, mine[i]) / b
						vs, rs = append(vs, v), append(rs, fmt.Sprintf("%.2f", v))
					}
				}
				if len(vs) == 0 {
					continue
				}
				paired = append(paired, fmt.Sprintf("%s, %s ÷ %s: median %.2f over %d (%s)", w, t, base, median(vs), len(vs), strings.Join(rs, ", ")))
			}
		}
	}
	if len(paired) > 0 {
		fmt.Fprintln(stdout, "\nRepetition by repetition (a target's i-th run against the baseline's i-th, which ran beside it):")
		for _, p := range paired {
			fmt.Fprintln(stdout, "  "+p)
		}
	}
	return nil
}

// median is the median of v (which it sorts).
func median(v []float64) float64 {
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
