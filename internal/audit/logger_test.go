package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// memSink keeps what it is given; gate, when set, holds every Write until
// it is closed; fail makes the next writes fail.
type memSink struct {
	mu     sync.Mutex
	lines  bytes.Buffer
	events int
	gate   chan struct{}
	fail   atomic.Int32
	closed bool
	writes atomic.Int32 // Write calls started
}

func (s *memSink) Write(_ context.Context, lines []byte, n int) error {
	s.writes.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	if s.fail.Load() > 0 {
		s.fail.Add(-1)
		return errors.New("disk full")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines.Write(lines)
	s.events += n
	return nil
}

func (s *memSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *memSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events
}

func record(i int) *pipeline.Record {
	return &pipeline.Record{RequestID: fmt.Sprintf("req-%d", i), Service: "iam", Operation: "ListUsers", Time: time.Unix(1700000000, 0),
		Principal: &authz.Principal{Type: authz.TypeRoot, Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333", AccessKeyID: "AKIAROOT"}}
}

// waitUntil polls cond for up to 10 s of real time.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A sink that stalls fills the buffer; further records are dropped and
// counted at once — Record never waits.
func TestDropsAndCountsWhenTheSinkStalls(t *testing.T) {
	sink := &memSink{gate: make(chan struct{})}
	l := New(Options{Sinks: []Sink{sink}, Buffer: 10})
	l.Record(ctx, record(0))
	waitUntil(t, "the writer holds the first batch", func() bool { return sink.writes.Load() == 1 })
	start := time.Now()
	for i := 1; i <= 25; i++ {
		l.Record(ctx, record(i))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Record waited %v for a stalled sink", d)
	}
	depth, dropped := l.Stats()
	if depth != 10 || dropped != 15 {
		t.Fatalf("Stats = depth %d, dropped %d; want 10, 15", depth, dropped)
	}
	close(sink.gate)
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sink.count(); n != 11 || !sink.closed {
		t.Fatalf("sink got %d events (closed %v), want the 11 not dropped", n, sink.closed)
	}
	if depth, dropped := l.Stats(); depth != 0 || dropped != 15 {
		t.Fatalf("after Close: depth %d, dropped %d", depth, dropped)
	}
	// Records after Close are counted as dropped.
	l.Record(ctx, record(99))
	if _, dropped := l.Stats(); dropped != 16 {
		t.Fatalf("dropped after Close: %d", dropped)
	}
}

// With back-pressure, a stalled sink makes Record wait and nothing is
// dropped; a failing sink is retried until it takes the batch.
func TestBackPressureDropsNothing(t *testing.T) {
	sink := &memSink{gate: make(chan struct{})}
	sink.fail.Store(3)
	l := New(Options{Sinks: []Sink{sink}, Buffer: 4, BackPressure: true, RetryDelay: time.Millisecond})
	const writers, each = 8, 50
	var wg sync.WaitGroup
	var returned atomic.Int32
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.Record(ctx, record(i))
				returned.Add(1)
			}
		}()
	}
	waitUntil(t, "the buffer is full", func() bool { d, _ := l.Stats(); return d == 4 })
	if n := returned.Load(); n > 4+maxBatch {
		t.Fatalf("%d Record calls returned while the sink was stalled", n)
	}
	close(sink.gate)
	wg.Wait()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, dropped := l.Stats(); dropped != 0 {
		t.Fatalf("dropped %d under back-pressure", dropped)
	}
	if n := sink.count(); n != writers*each {
		t.Fatalf("sink got %d events, want %d", n, writers*each)
	}
}

// Without back-pressure a failed write loses its batch, counted.
func TestFailedWriteIsCounted(t *testing.T) {
	sink := &memSink{}
	sink.fail.Store(1)
	l := New(Options{Sinks: []Sink{sink}})
	l.Record(ctx, record(1))
	waitUntil(t, "the write failed", func() bool { _, d := l.Stats(); return d == 1 })
	l.Record(ctx, record(2))
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sink.count(); n != 1 {
		t.Fatalf("sink got %d events", n)
	}
}

// Close writes everything buffered before it returns.
func TestCloseFlushes(t *testing.T) {
	sink := &memSink{}
	l := New(Options{Sinks: []Sink{sink}, Buffer: 5000})
	for i := 0; i < 3000; i++ {
		l.Record(ctx, record(i))
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sink.count(); n != 3000 {
		t.Fatalf("flushed %d of 3000", n)
	}
	if l.Written() != 3000 {
		t.Fatalf("Written = %d", l.Written())
	}
}

// Data events are left out when turned off; management events are not.
func TestDataEventsOff(t *testing.T) {
	sink := &memSink{}
	l := New(Options{Sinks: []Sink{sink}, DataEvents: false})
	get := record(1)
	get.Service, get.Operation = "s3", "GetObject"
	list := record(2)
	list.Service, list.Operation = "s3", "ListBuckets"
	l.Record(ctx, get)
	l.Record(ctx, list)
	l.Close(ctx)
	if n := sink.count(); n != 1 || !bytes.Contains(sink.lines.Bytes(), []byte(`"eventName":"ListBuckets"`)) {
		t.Fatalf("got %d events: %s", n, sink.lines.String())
	}
}

// A shipper that stalls never holds up the sinks; its own queue drops and
// counts when full.
func TestShipperStallDoesNotBlockSinks(t *testing.T) {
	sink := &memSink{}
	ship := &memSink{gate: make(chan struct{})}
	l := New(Options{Sinks: []Sink{sink}, Shippers: []Sink{ship}, FlushInterval: time.Millisecond})
	for i := 0; i < shipperQueue+20; i++ {
		l.Record(ctx, record(i))
		// One record per batch: wait for the sink to have it.
		waitUntil(t, "the sink has the record", func() bool { return sink.count() == i+1 })
	}
	_, dropped := l.Stats()
	if dropped == 0 {
		t.Fatal("a stalled shipper's full queue dropped nothing")
	}
	close(ship.gate)
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ship.count() + int(dropped); got != shipperQueue+20 {
		t.Fatalf("shipper got %d + dropped %d, want %d", ship.count(), dropped, shipperQueue+20)
	}
}

var ctx = context.Background()

// Back-pressure is for the trail's own sinks: a shipper whose collector
// stalls (a webhook that hangs) never holds up the files — nor, through
// them, every request. Its full queue drops and counts, as without
// back-pressure.
func TestShipperStallDoesNotBlockBackPressure(t *testing.T) {
	sink := &memSink{}
	ship := &memSink{gate: make(chan struct{})}
	l := New(Options{Sinks: []Sink{sink}, Shippers: []Sink{ship}, BackPressure: true, Buffer: 4, FlushInterval: time.Millisecond})
	const n = shipperQueue + 20
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			l.Record(ctx, record(i))
			// One record per batch: wait for the sink to have it.
			for sink.count() < i+1 {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		close(ship.gate)
		t.Fatalf("requests stalled behind a stalled shipper: the sink has %d of %d events", sink.count(), n)
	}
	_, dropped := l.Stats()
	if dropped == 0 {
		t.Fatal("a stalled shipper's full queue dropped nothing")
	}
	close(ship.gate)
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ship.count() + int(dropped); got != n || sink.count() != n {
		t.Fatalf("sink %d, shipper %d + dropped %d, want %d", sink.count(), ship.count(), dropped, n)
	}
}

// bigRecord is a request whose parameters weigh size bytes (a 1 MiB IAM
// form, a long S3 query): its record holds them until the trail writes it.
func bigRecord(i, size int) *pipeline.Record {
	r := record(i)
	r.Params = url.Values{"PolicyDocument": {strings.Repeat("p", size)}}
	return r
}

// The buffer is bounded in bytes, not only in records: 8192 records of
// 1 MiB forms (which anyone may send: parameters are recorded before the
// signature is checked) would hold 8 GiB while the disk stalls. Past
// BufferBytes a record is dropped and counted — or waited for, with
// back-pressure — as when the buffer is full.
func TestBufferIsBoundedInBytes(t *testing.T) {
	sink := &memSink{gate: make(chan struct{})}
	l := New(Options{Sinks: []Sink{sink}, Buffer: 8192, BufferBytes: 1 << 20})
	l.Record(ctx, record(0))
	waitUntil(t, "the writer holds the first batch", func() bool { return sink.writes.Load() == 1 })
	for i := 1; i <= 100; i++ {
		l.Record(ctx, bigRecord(i, 64<<10))
	}
	depth, dropped := l.Stats()
	if depth > 16 || depth+dropped != 100 {
		t.Fatalf("Stats = depth %d, dropped %d: %d KiB held for 1 MiB", depth, dropped, depth*64)
	}
	// One record larger than the whole budget still passes an empty buffer.
	close(sink.gate)
	waitUntil(t, "the buffer is written", func() bool { return l.bytes.Load() == 0 })
	l.Record(ctx, bigRecord(101, 2<<20))
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, d := l.Stats(); d != dropped || sink.count() != int(102-d) {
		t.Fatalf("sink got %d events, dropped %d", sink.count(), d)
	}

	// Under back-pressure, Record waits for bytes as it waits for room.
	sink = &memSink{gate: make(chan struct{})}
	l = New(Options{Sinks: []Sink{sink}, Buffer: 8192, BufferBytes: 1 << 20, BackPressure: true})
	var returned atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				l.Record(ctx, bigRecord(i, 64<<10))
				returned.Add(1)
			}
		}()
	}
	waitUntil(t, "the writer holds a batch", func() bool { return sink.writes.Load() == 1 })
	cost := recordCost(bigRecord(0, 64<<10))
	waitUntil(t, "the byte budget is spent", func() bool { return l.bytes.Load()+cost > 1<<20 })
	if n := returned.Load(); n > 16 || l.bytes.Load() > 1<<20 {
		t.Fatalf("%d Record calls returned (%d bytes held) past a 1 MiB budget of 64 KiB records", n, l.bytes.Load())
	}
	close(sink.gate)
	wg.Wait()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, dropped := l.Stats(); dropped != 0 || sink.count() != 100 {
		t.Fatalf("back-pressure: sink %d, dropped %d", sink.count(), dropped)
	}
}

// A shipper's queue is bounded in bytes too: 64 batches of large events
// waiting for a stalled collector must not hold gigabytes.
func TestShipperQueueIsBoundedInBytes(t *testing.T) {
	sink := &memSink{}
	ship := &memSink{gate: make(chan struct{})}
	l := New(Options{Sinks: []Sink{sink}, Shippers: []Sink{ship}, FlushInterval: time.Millisecond})
	const n = 48
	for i := 0; i < n; i++ {
		// 2 MiB of parameters, each within the 128 KiB an event keeps.
		r := record(i)
		r.Params = url.Values{}
		for j := 0; j < 20; j++ {
			r.Params.Set(fmt.Sprintf("P%d", j), strings.Repeat("p", 100<<10))
		}
		l.Record(ctx, r)
		waitUntil(t, "the sink has the record", func() bool { return sink.count() == i+1 })
	}
	if q := l.shippers[0].bytes.Load(); q > shipperMaxBytes+3<<20 {
		t.Fatalf("the stalled shipper holds %d MiB", q>>20)
	}
	close(ship.gate)
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, dropped := l.Stats()
	if dropped == 0 || ship.count()+int(dropped) != n {
		t.Fatalf("shipper got %d, dropped %d, of %d", ship.count(), dropped, n)
	}
}
