package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// workload is one kind of load.
type workload struct {
	concurrency int   // default --concurrency
	size        int64 // default --size
	webIdentity bool  // needs the OIDC issuer
	// prepare runs once before the clock starts (prefill, probe).
	prepare func(ctx context.Context, r *runner) error
	// before runs before each request, outside its timing and the run's
	// duration.
	before func(ctx context.Context, r *runner, w *worker) error
	// op sends one request (or one multipart object) and returns the
	// payload bytes moved.
	op func(ctx context.Context, r *runner, w *worker) (int64, error)
}

// runner is one run: the prepared endpoint and the workload's data.
type runner struct {
	*bench
	runID    string
	small    []byte // the small object body
	smallSum string // its sha256
	alphabet []byte // large bodies' pattern (alphabetRun)
	// cycle counts the PUTs of s3-put-small with --cycle-keys.
	cycle atomic.Uint64
	// seededVersions: s3-list-versions found versions with the ids setup
	// --seed-db gives them.
	seededVersions bool
}

// worker is one load loop's own state.
type worker struct {
	id  int
	n   int
	rng *mrand.Rand
	// remove is an object the last request made that is deleted after
	// it, outside its timing and the run's duration (large objects, so
	// that the disk does not fill).
	remove string
}

func workloads() map[string]workload {
	return map[string]workload{
		"sts-assume-role":                   {concurrency: 16, prepare: probe(opAssumeRole), op: opAssumeRole},
		"sts-get-caller-identity":           {concurrency: 16, prepare: probe(opCallerIdentity), op: opCallerIdentity},
		"sts-assume-role-with-web-identity": {concurrency: 16, webIdentity: true, prepare: probe(opWebIdentity), op: opWebIdentity},
		"iam-get-role":                      {concurrency: 16, prepare: probe(opGetRole), op: opGetRole},
		"s3-put-small":                      {concurrency: 16, size: 4 << 10, op: opPutSmall},
		"s3-get-small":                      {concurrency: 16, size: 4 << 10, prepare: prefillSmall, op: opGetSmall},
		"s3-put-large":                      {concurrency: 1, size: 256 << 20, op: opPutLarge},
		"s3-get-large":                      {concurrency: 1, size: 256 << 20, prepare: prefillLarge, before: dropCaches, op: opGetLarge},
		"s3-multipart":                      {concurrency: 1, size: 1 << 30, op: opMultipart},
		"s3-list":                           {concurrency: 16, prepare: prefillList, op: opList},
		"s3-list-versions":                  {concurrency: 16, prepare: prepareVersions, op: opListVersions},
		"mixed":                             {concurrency: 16, size: 4 << 10, prepare: prefillSmall, op: opMixed},
	}
}

func workloadNames() []string {
	var names []string
	for n := range workloads() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// run prepares the endpoint and loads it for o.duration.
func run(ctx context.Context, o *options, stderr io.Writer) (*result, error) {
	wl := workloads()[o.workload]
	c := newClient(o.endpoint, o.region, o.concurrency*max(1, o.partsInFlight))
	defer c.close()
	b, err := prepare(ctx, o, c, wl.webIdentity)
	if err != nil {
		return nil, err
	}
	defer b.close()
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	r := &runner{bench: b, runID: hex.EncodeToString(id), small: bytes.Repeat([]byte{'g'}, int(min(o.size, 64<<20))), alphabet: alphabetRun()}
	sum := sha256.Sum256(r.small)
	r.smallSum = hex.EncodeToString(sum[:])
	if wl.prepare != nil {
		if err := wl.prepare(ctx, r); err != nil {
			return nil, fmt.Errorf("%s: %w", o.workload, err)
		}
	}
	if o.spread != "" {
		c.spreadOver(append([]string{o.endpoint}, strings.Split(o.spread, ",")...))
	}
	if o.cache == "cold" && o.workload == "s3-get-large" {
		if err := dropCaches(ctx, r, nil); err != nil {
			return nil, err
		}
	}
	var rss *rssSampler
	if o.pid > 0 {
		if rss, err = startRSS(o.pid); err != nil {
			return nil, err
		}
	}
	recs := make([]*recorder, o.concurrency)
	cpu0 := cpuTime()
	start := time.Now()
	deadline := start.Add(o.duration)
	var wg sync.WaitGroup
	for i := range recs {
		rec := &recorder{}
		recs[i] = rec
		w := &worker{id: i, rng: mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if wl.before != nil {
					p0 := time.Now()
					err := wl.before(ctx, r, w)
					rec.paused += time.Since(p0)
					if err != nil {
						rec.fail(err)
						return
					}
				}
				t0 := time.Now()
				n, err := wl.op(ctx, r, w)
				d := time.Since(t0)
				w.n++
				if err != nil {
					rec.fail(err)
					continue
				}
				rec.ok(d, n)
				if w.remove != "" {
					p0 := time.Now()
					r.remove(ctx, w.remove)
					rec.paused += time.Since(p0)
					w.remove = ""
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	endpoint := o.endpoint
	if o.spread != "" {
		endpoint += "," + o.spread
	}
	res := &result{Workload: o.workload, Label: o.label, Endpoint: endpoint, Concurrency: o.concurrency, ClientCPUS: round((cpuTime() - cpu0).Seconds(), 2)}
	if strings.HasPrefix(o.workload, "s3-") || o.workload == "mixed" {
		res.SizeBytes = o.size
	}
	if o.workload == "s3-list" || o.workload == "s3-list-versions" {
		res.SizeBytes = 0
	}
	if o.workload == "s3-get-large" {
		res.Cache = o.cache
	}
	if rss != nil {
		res.ServerPeakRSSMiB, res.ServerHWMMiB = rss.finish()
	}
	summarize(res, recs, elapsed)
	return res, ctx.Err()
}

// probe sends one request of op before the run so that an endpoint that
// lacks the operation is reported as such, not as a run of errors.
func probe(op func(context.Context, *runner, *worker) (int64, error)) func(context.Context, *runner) error {
	return func(ctx context.Context, r *runner) error {
		_, err := op(ctx, r, &worker{rng: mrand.New(mrand.NewPCG(1, 2))})
		if err != nil && (unsupported(err) || (!r.gatehouse && isAPIError(err))) {
			return fmt.Errorf("unsupported by endpoint %s: %w", r.o.endpoint, err)
		}
		return err
	}
}

func isAPIError(err error) bool {
	var ae *apiError
	return errors.As(err, &ae)
}

func sts(ctx context.Context, r *runner, action string, extra url.Values) (int64, error) {
	form := url.Values{"Action": {action}, "Version": {"2011-06-15"}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := r.c.query(ctx, &r.stsCreds, "sts", form, false)
	return resp.n, err
}

func opAssumeRole(ctx context.Context, r *runner, _ *worker) (int64, error) {
	return sts(ctx, r, "AssumeRole", url.Values{"RoleArn": {r.roleARN}, "RoleSessionName": {"bench"}, "DurationSeconds": {"900"}})
}

func opCallerIdentity(ctx context.Context, r *runner, _ *worker) (int64, error) {
	return sts(ctx, r, "GetCallerIdentity", nil)
}

func opWebIdentity(ctx context.Context, r *runner, _ *worker) (int64, error) {
	tok, err := r.issuer.token(oidcSubject)
	if err != nil {
		return 0, err
	}
	resp, err := r.c.query(ctx, nil, "sts", url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {r.webRole}, "RoleSessionName": {"bench"}, "WebIdentityToken": {tok}, "DurationSeconds": {"900"}}, false)
	return resp.n, err
}

func opGetRole(ctx context.Context, r *runner, _ *worker) (int64, error) {
	name := r.roleARN[strings.LastIndexByte(r.roleARN, '/')+1:]
	resp, err := r.c.query(ctx, &r.stsCreds, "iam", url.Values{"Action": {"GetRole"}, "Version": {"2010-05-08"}, "RoleName": {name}}, false)
	return resp.n, err
}

func (r *runner) objPath(key string) string { return "/" + r.o.bucket + "/" + key }

func (r *runner) putSmall(ctx context.Context, key string) (int64, error) {
	_, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPut, path: r.objPath(key), body: bytes.NewReader(r.small),
		size: int64(len(r.small)), hash: r.smallSum}, false)
	return int64(len(r.small)), err
}

func opPutSmall(ctx context.Context, r *runner, w *worker) (int64, error) {
	if r.o.cycleKeys > 0 {
		return opPutCycled(ctx, r, w)
	}
	return r.putSmall(ctx, fmt.Sprintf("put/%s/%d/%08d", r.runID, w.id, w.n))
}

func getKey(i int) string { return fmt.Sprintf("get/%06d", i) }

func (r *runner) get(ctx context.Context, key string) (int64, error) {
	resp, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodGet, path: r.objPath(key)}, false)
	return resp.n, err
}

func opGetSmall(ctx context.Context, r *runner, w *worker) (int64, error) {
	return r.get(ctx, getKey(w.rng.IntN(r.o.objects)))
}

// head returns an object's Content-Length, -1 when it does not exist.
func (r *runner) head(ctx context.Context, key string) (int64, error) {
	resp, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodHead, path: r.objPath(key)}, false)
	if resp.status == http.StatusNotFound {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(resp.header.Get("Content-Length"), 10, 64)
}

// parallel runs f(i) for i < n on k goroutines; the first error wins.
func parallel(ctx context.Context, n, k int, f func(int) error) error {
	var mu sync.Mutex
	var first error
	next := 0
	var wg sync.WaitGroup
	for range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil || i >= n || ctx.Err() != nil
				mu.Unlock()
				if stop {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// prefillSmall makes --objects objects of --size under get/ unless the
// last one is already there with that size.
func prefillSmall(ctx context.Context, r *runner) error {
	if n, err := r.head(ctx, getKey(r.o.objects-1)); err != nil || n == int64(len(r.small)) {
		return err
	}
	return parallel(ctx, r.o.objects, 16, func(i int) error {
		_, err := r.putSmall(ctx, getKey(i))
		return err
	})
}

// pattern is a body of left bytes made as it is read (no buffering of the
// whole object): the alphabet repeated from 'a' in every Read, copied from
// run (alphabetRun).
type pattern struct {
	left int64
	run  []byte
}

// alphabetRun is the lower-case alphabet repeated to 64 KiB and a bit: a
// whole number of alphabets, so copies of it back to back continue it.
func alphabetRun() []byte {
	b := make([]byte, 26*2521)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

// Read copies instead of computing each byte: a byte-by-byte loop cost the
// load tool about 0.8 s of CPU per GiB sent, on the cores the server under
// test shares.
func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if len(p.run) == 0 {
		p.run = alphabetRun()
	}
	n := int(min(int64(len(b)), p.left))
	for off := 0; off < n; off += len(p.run) {
		copy(b[off:n], p.run)
	}
	p.left -= int64(n)
	return n, nil
}

func (r *runner) putLarge(ctx context.Context, key string, size int64, query url.Values) (response, error) {
	return r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPut, path: r.objPath(key), query: query, body: &pattern{left: size, run: r.alphabet},
		size: size, hash: unsignedPayload}, false)
}

func (r *runner) remove(ctx context.Context, key string) {
	_, _ = r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodDelete, path: r.objPath(key)}, false)
}

func opPutLarge(ctx context.Context, r *runner, w *worker) (int64, error) {
	key := fmt.Sprintf("large/%s/%d/%06d", r.runID, w.id, w.n)
	_, err := r.putLarge(ctx, key, r.o.size, nil)
	w.remove = key
	return r.o.size, err
}

func largeKey(r *runner, i int) string {
	return fmt.Sprintf("large-get/%s/%02d", formatSize(r.o.size), i)
}

func prefillLarge(ctx context.Context, r *runner) error {
	return parallel(ctx, r.o.concurrency, 2, func(i int) error {
		if n, err := r.head(ctx, largeKey(r, i)); err != nil || n == r.o.size {
			return err
		}
		_, err := r.putLarge(ctx, largeKey(r, i), r.o.size, nil)
		return err
	})
}

func opGetLarge(ctx context.Context, r *runner, w *worker) (int64, error) {
	n, err := r.get(ctx, largeKey(r, w.id))
	if err == nil && n != r.o.size {
		err = fmt.Errorf("GET %s: %d bytes, want %d", largeKey(r, w.id), n, r.o.size)
	}
	return n, err
}

// dropCaches empties the page cache (cold GETs): sync, then 3 into
// /proc/sys/vm/drop_caches, which needs root.
func dropCaches(_ context.Context, r *runner, _ *worker) error {
	if r.o.cache != "cold" {
		return nil
	}
	_ = exec.Command("sync").Run()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		return fmt.Errorf("--cache cold needs root to write /proc/sys/vm/drop_caches: %w", err)
	}
	return nil
}

func opMultipart(ctx context.Context, r *runner, w *worker) (int64, error) {
	key := fmt.Sprintf("mpu/%s/%d/%06d", r.runID, w.id, w.n)
	resp, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPost, path: r.objPath(key), query: url.Values{"uploads": {""}}}, true)
	if err != nil {
		return 0, fmt.Errorf("CreateMultipartUpload: %w", err)
	}
	var created struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(resp.body, &created); err != nil || created.UploadID == "" {
		return 0, fmt.Errorf("CreateMultipartUpload: no upload id (%v)", err)
	}
	parts := int((r.o.size + r.o.partSize - 1) / r.o.partSize)
	etags := make([]string, parts)
	err = parallel(ctx, parts, r.o.partsInFlight, func(i int) error {
		size := min(r.o.partSize, r.o.size-int64(i)*r.o.partSize)
		resp, err := r.putLarge(ctx, key, size, url.Values{"partNumber": {strconv.Itoa(i + 1)}, "uploadId": {created.UploadID}})
		etags[i] = resp.header.Get("ETag")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("UploadPart: %w", err)
	}
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, e := range etags {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, xmlEscape(e))
	}
	b.WriteString("</CompleteMultipartUpload>")
	body := []byte(b.String())
	sum := sha256.Sum256(body)
	resp, err = r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPost, path: r.objPath(key), query: url.Values{"uploadId": {created.UploadID}},
		body: bytes.NewReader(body), size: int64(len(body)), hash: hex.EncodeToString(sum[:])}, true)
	if err == nil && bytes.Contains(resp.body, []byte("<Error>")) { // S3 may answer 200 with an error
		err = fmt.Errorf("CompleteMultipartUpload: %s", resp.body)
	}
	if err != nil {
		return 0, err
	}
	w.remove = key
	return r.o.size, nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// prefillList puts 0-byte objects list/%08d until there are --keys of
// them, unless the last one is there, and checks that a page is full.
func prefillList(ctx context.Context, r *runner) error {
	n, err := r.head(ctx, listKey(r.o.keys-1))
	if err != nil {
		return err
	}
	if n < 0 {
		err := parallel(ctx, r.o.keys, max(16, r.o.concurrency), func(i int) error {
			_, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPut, path: r.objPath(listKey(i)), body: http.NoBody, hash: emptySHA256}, false)
			return err
		})
		if err != nil {
			return fmt.Errorf("prefilling %d keys: %w", r.o.keys, err)
		}
	}
	resp, err := r.list(ctx, "list/", "", true)
	if err != nil {
		return err
	}
	var page struct {
		KeyCount int `xml:"KeyCount"`
	}
	if err := xml.Unmarshal(resp.body, &page); err != nil {
		return err
	}
	if want := min(1000, r.o.keys); page.KeyCount != want {
		return fmt.Errorf("first page lists %d keys, want %d", page.KeyCount, want)
	}
	return nil
}

func (r *runner) list(ctx context.Context, prefix, after string, keep bool) (response, error) {
	q := url.Values{"list-type": {"2"}, "prefix": {prefix}, "max-keys": {"1000"}}
	if after != "" {
		q.Set("start-after", after)
	}
	return r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodGet, path: "/" + r.o.bucket, query: q}, keep)
}

func opList(ctx context.Context, r *runner, w *worker) (int64, error) {
	after := ""
	if span := r.o.keys - 1000; span > 0 {
		after = listKey(w.rng.IntN(span))
	}
	resp, err := r.list(ctx, "list/", after, false)
	return resp.n, err
}

// opMixed: 70% small GET, 15% small PUT, 5% list of the get/ objects,
// 5% AssumeRole, 5% HEAD of a small object.
func opMixed(ctx context.Context, r *runner, w *worker) (int64, error) {
	switch p := w.rng.IntN(100); {
	case p < 70:
		return opGetSmall(ctx, r, w)
	case p < 85:
		return opPutSmall(ctx, r, w)
	case p < 90:
		after := ""
		if r.o.objects > 1000 {
			after = getKey(w.rng.IntN(r.o.objects - 1000))
		}
		resp, err := r.list(ctx, "get/", after, false)
		return resp.n, err
	case p < 95:
		return opAssumeRole(ctx, r, w)
	default:
		_, err := r.head(ctx, getKey(w.rng.IntN(r.o.objects)))
		return 0, err
	}
}
