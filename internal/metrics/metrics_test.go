package metrics

import (
	"bytes"
	"context"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

func newTest() *Metrics {
	m := New(Config{Version: "v-test", Now: func() time.Time { return time.Unix(0, 0) }})
	m.Declare("iam", []string{"CreateUser", "ListUsers"})
	m.Declare("sts", []string{"AssumeRole", "GetSessionToken", "GetCallerIdentity"})
	m.Declare("s3", []string{"GetObject"})
	return m
}

// gather renders the named families in the text format.
func gather(t *testing.T, m *Metrics, names ...string) string {
	t.Helper()
	var b bytes.Buffer
	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, n := range names {
			if f.GetName() == n {
				for _, s := range f.Metric {
					b.WriteString(n)
					for _, l := range s.Label {
						b.WriteString(" " + l.GetName() + "=" + l.GetValue())
					}
					switch {
					case s.Counter != nil:
						b.WriteString(" " + ftoa(s.Counter.GetValue()))
					case s.Gauge != nil:
						b.WriteString(" " + ftoa(s.Gauge.GetValue()))
					case s.Histogram != nil:
						b.WriteString(" count=" + ftoa(float64(s.Histogram.GetSampleCount())))
					}
					b.WriteString("\n")
				}
			}
		}
	}
	return b.String()
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func TestRecordLabels(t *testing.T) {
	m := newTest()
	ctx := context.Background()
	allow := pipeline.CheckRecord{Decision: policy.Decision{Effect: policy.Allow}}
	deny := pipeline.CheckRecord{Decision: policy.Decision{Effect: policy.ExplicitDeny}}
	none := pipeline.CheckRecord{Decision: policy.Decision{Effect: policy.ImplicitDeny}}
	for _, r := range []*pipeline.Record{
		{Service: "iam", Operation: "CreateUser", Status: 200, Checks: []pipeline.CheckRecord{allow}, Duration: time.Millisecond},
		{Service: "iam", Operation: "ListUsers", Status: 403, ErrorCode: "AccessDenied", Checks: []pipeline.CheckRecord{none}},
		{Service: "iam", Operation: "Frobnicate", Status: 400, ErrorCode: "InvalidAction"},
		{Service: "iam", Operation: "", Status: 403},
		{Service: "s3", Operation: "GetObject", Status: 200, Bucket: "secret-bucket", Key: "k", BytesOut: 7, Checks: []pipeline.CheckRecord{allow, deny}},
		{Service: "ec2", Operation: "RunInstances", Status: 400, BytesIn: 3},
		{Service: "sts", Operation: "AssumeRole", Status: 200},
		{Service: "sts", Operation: "AssumeRole", Status: 403, ErrorCode: "AccessDenied"},
		{Service: "sts", Operation: "GetSessionToken", Status: 200},
		{Service: "sts", Operation: "GetCallerIdentity", Status: 200},
	} {
		m.Record(ctx, r)
	}
	got := gather(t, m, "gatehouse_requests_total")
	for _, want := range []string{
		"action=CreateUser code=200 service=iam 1",
		"action=ListUsers code=403 service=iam 1",
		"action=other code=400 service=iam 1",
		"action=other code=403 service=iam 1",
		"action=GetObject code=200 service=s3 1",
		"action=other code=400 service=other 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("requests: no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Frobnicate") || strings.Contains(got, "ec2") || strings.Contains(got, "RunInstances") {
		t.Errorf("request input became a label:\n%s", got)
	}
	if v := testutil.ToFloat64(m.decisions.WithLabelValues("s3", "GetObject", "explicit_deny")); v != 1 {
		t.Errorf("explicit deny %v", v)
	}
	if v := testutil.ToFloat64(m.decisions.WithLabelValues("s3", "GetObject", "allow")); v != 1 {
		t.Errorf("s3 allow %v", v)
	}
	if v := testutil.ToFloat64(m.decisions.WithLabelValues("iam", "ListUsers", "implicit_deny")); v != 1 {
		t.Errorf("implicit deny %v", v)
	}
	if v := testutil.ToFloat64(m.issued["AssumeRole"]); v != 1 {
		t.Errorf("AssumeRole issued %v (a denied call counted?)", v)
	}
	if v := testutil.ToFloat64(m.issued["GetSessionToken"]); v != 1 {
		t.Errorf("GetSessionToken issued %v", v)
	}
	if v := testutil.ToFloat64(m.bytesOut["s3"]); v != 7 {
		t.Errorf("s3 bytes out %v", v)
	}
	if v := testutil.ToFloat64(m.bytesIn["other"]); v != 3 {
		t.Errorf("other bytes in %v", v)
	}
	if n := testutil.CollectAndCount(m.duration); n != 8 {
		t.Errorf("%d latency series, want 8 (iam CreateUser, ListUsers, other; s3 GetObject; other other; sts AssumeRole, GetSessionToken, GetCallerIdentity)", n)
	}
	// Declaring an unknown service changes nothing.
	m.Declare("ec2", []string{"RunInstances"})
	m.Record(ctx, &pipeline.Record{Service: "ec2", Operation: "RunInstances", Status: 400})
	if v := testutil.ToFloat64(m.requests.WithLabelValues("other", "other", "400")); v != 2 {
		t.Errorf("ec2 counted as %v other requests, want 2", v)
	}
}

func TestTokenOpens(t *testing.T) {
	m := newTest()
	for _, o := range []string{"ok", "ok", "expired", "invalid", "error", "made-up"} {
		m.TokenOpened(o)
	}
	for o, want := range map[string]float64{"ok": 2, "expired": 1, "invalid": 1, "error": 2} {
		if v := testutil.ToFloat64(m.tokens[o]); v != want {
			t.Errorf("token opens %s = %v, want %v", o, v, want)
		}
	}
}

type fakeQueue struct{ depth, dropped uint64 }

func (q *fakeQueue) Stats() (uint64, uint64) { return q.depth, q.dropped }

func TestAuditQueue(t *testing.T) {
	m := newTest()
	q := &fakeQueue{depth: 3, dropped: 9}
	if err := m.Audit(q); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP gatehouse_audit_dropped_total Audit events dropped because the queue was full.
# TYPE gatehouse_audit_dropped_total counter
gatehouse_audit_dropped_total 9
# HELP gatehouse_audit_queue_depth Audit events waiting to be written.
# TYPE gatehouse_audit_queue_depth gauge
gatehouse_audit_queue_depth 3
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "gatehouse_audit_queue_depth", "gatehouse_audit_dropped_total"); err != nil {
		t.Fatal(err)
	}
	q.depth, q.dropped = 0, 10
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(strings.NewReplacer(" 9\n", " 10\n", " 3\n", " 0\n").Replace(want)),
		"gatehouse_audit_queue_depth", "gatehouse_audit_dropped_total"); err != nil {
		t.Fatal(err)
	}
	if err := m.Audit(q); err == nil {
		t.Error("a second audit queue was registered")
	}
}

// fakeStore counts calls and fails them on demand.
type fakeStore struct {
	store.Store
	calls int
	err   error
}

func (s *fakeStore) View(ctx context.Context, fn func(store.Tx) error) error {
	s.calls++
	return s.err
}

func (s *fakeStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.calls++
	return s.err
}

func (s *fakeStore) IAMGeneration(context.Context) (int64, error) { s.calls++; return 42, s.err }

func TestStoreDecorator(t *testing.T) {
	m := newTest()
	inner := &fakeStore{err: errors.New("boom")}
	st := m.Store(inner)
	ctx := context.Background()
	if err := st.View(ctx, nil); err != inner.err {
		t.Fatalf("View: %v", err)
	}
	st.Update(ctx, nil)
	st.Update(ctx, nil)
	if g, err := st.IAMGeneration(ctx); g != 42 || err != inner.err {
		t.Fatalf("IAMGeneration: %d %v", g, err)
	}
	if inner.calls != 4 {
		t.Fatalf("%d calls reached the store", inner.calls)
	}
	got := gather(t, m, "gatehouse_store_duration_seconds")
	for _, want := range []string{"op=view count=1", "op=update count=2"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

// retryingStore counts retries, as the PostgreSQL store does, and runs
// scoped transactions.
type retryingStore struct {
	fakeStore
	scoped int
}

func (s *retryingStore) Retries() uint64 { return 7 }

func (s *retryingStore) UpdateIn(context.Context, store.Scope, func(store.Tx) error) error {
	s.scoped++
	return nil
}

func TestStoreRetriesAndScopes(t *testing.T) {
	m := newTest()
	inner := &retryingStore{}
	st := m.Store(inner)
	if err := store.UpdateIn(context.Background(), st, store.Scope{Bucket: "b", Key: "k"}, nil); err != nil || inner.scoped != 1 || inner.calls != 0 {
		t.Fatalf("UpdateIn through the decorator: %v; %d scoped, %d other calls", err, inner.scoped, inner.calls)
	}
	if got := gather(t, m, "gatehouse_store_retries_total"); !strings.Contains(got, "7") {
		t.Fatalf("retries counter: %q", got)
	}
	if got := gather(t, m, "gatehouse_store_duration_seconds"); !strings.Contains(got, "op=update count=1") {
		t.Fatalf("the scoped transaction was not timed as an update:\n%s", got)
	}
}

// fakeBlobs returns objects with a RangeWriter and fails on demand.
type fakeBlobs struct{ err error }

type rangeObject struct{ io.ReaderAt }

func (rangeObject) Close() error { return nil }
func (rangeObject) Size() int64  { return 1 }
func (rangeObject) WriteRange(context.Context, io.Writer, int64, int64) (int64, error) {
	return 0, nil
}

func (b *fakeBlobs) Put(_ context.Context, r io.Reader, _ int64, _ ...hash.Hash) (blob.Info, error) {
	io.Copy(io.Discard, r)
	return blob.Info{Key: "k"}, b.err
}
func (b *fakeBlobs) Open(context.Context, string) (blob.Object, error) {
	if b.err != nil {
		return nil, b.err
	}
	return rangeObject{strings.NewReader("x")}, nil
}
func (b *fakeBlobs) Delete(context.Context, string) error { return b.err }
func (b *fakeBlobs) Walk(context.Context, func(string, time.Time) error) error {
	return b.err
}

func TestBlobDecorator(t *testing.T) {
	m := newTest()
	inner := &fakeBlobs{}
	bs := m.Blobs(inner)
	ctx := context.Background()
	o, err := bs.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.(blob.RangeWriter); !ok {
		t.Error("the decorated Open hid the object's RangeWriter")
	}
	if info, err := bs.Put(ctx, strings.NewReader("abc"), 3); err != nil || info.Key != "k" {
		t.Fatalf("Put: %v %v", info, err)
	}
	inner.err = blob.ErrNotFound
	bs.Open(ctx, "missing")
	inner.err = context.Canceled
	bs.Put(ctx, strings.NewReader(""), 0)
	inner.err = errors.New("disk gone")
	bs.Delete(ctx, "k")
	bs.Walk(ctx, nil)
	got := gather(t, m, "gatehouse_blob_duration_seconds", "gatehouse_blob_errors_total")
	for _, want := range []string{
		"gatehouse_blob_duration_seconds op=open count=2", "gatehouse_blob_duration_seconds op=put count=2",
		"gatehouse_blob_duration_seconds op=delete count=1", "gatehouse_blob_duration_seconds op=walk count=1",
		"gatehouse_blob_errors_total op=open 0", "gatehouse_blob_errors_total op=put 0",
		"gatehouse_blob_errors_total op=delete 1", "gatehouse_blob_errors_total op=walk 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

// BenchmarkRecord: the metrics' cost of one S3 GET's record.
func BenchmarkRecord(b *testing.B) {
	m := newTest()
	r := &pipeline.Record{Service: "s3", Operation: "GetObject", Status: 200, BytesOut: 4096, Duration: time.Millisecond,
		Checks: []pipeline.CheckRecord{{Decision: policy.Decision{Effect: policy.Allow}}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m.Record(ctx, r)
	}
}

func TestLifecycleRun(t *testing.T) {
	m := newTest()
	m.LifecycleRun(map[string]int{LifecycleExpired: 3, LifecycleUploads: 1, "bogus": 9}, 2, 0)
	got := gather(t, m, "gatehouse_s3_lifecycle_actions_total", "gatehouse_s3_lifecycle_errors_total")
	for _, want := range []string{"gatehouse_s3_lifecycle_actions_total kind=expired 3", "gatehouse_s3_lifecycle_actions_total kind=uploads 1",
		"gatehouse_s3_lifecycle_actions_total kind=markers 0", "gatehouse_s3_lifecycle_errors_total 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "bogus") {
		t.Errorf("an unknown kind became a series:\n%s", got)
	}
}
