package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// ErrClosed is returned by a sink used after Close.
var ErrClosed = errors.New("audit: sink closed")

// Sink receives encoded events.
type Sink interface {
	// Write delivers n events, lines holding each as one line of JSON
	// ending in "\n". lines is reused after Write returns.
	Write(ctx context.Context, lines []byte, n int) error
	// Close flushes and releases the sink.
	Close(ctx context.Context) error
}

// Options configure a Logger.
type Options struct {
	Region string
	// Sinks are written in order by the trail's goroutine (files, stdout).
	Sinks []Sink
	// Shippers each get a queue and a goroutine of their own (webhook,
	// syslog), so a slow collector never holds up Sinks.
	Shippers []Sink
	// Buffer is how many requests' records wait at most (0: 8192).
	Buffer int
	// BufferBytes bounds what the waiting records hold (0: 64 MiB),
	// estimated as their parameters plus a kilobyte each: parameters come
	// from clients, before any signature is checked. Past it a record is
	// treated as when the buffer is full; a record alone is always taken.
	BufferBytes int64
	// BackPressure makes Record wait for room when the buffer is full,
	// and a failed sink write be retried until it succeeds or Close gives
	// up, so that no event is dropped from Sinks; otherwise a full buffer
	// drops the event and a failed write loses its batch, both counted.
	// Shippers never wait, back-pressure or not: a full shipper queue
	// drops the batch (counted).
	BackPressure bool
	// DataEvents records S3 object-level calls.
	DataEvents bool
	// RetryDelay is the wait between retries of a failed sink write under
	// back-pressure (0: one second).
	RetryDelay time.Duration
	// FlushInterval is how long records gather before the trail's
	// goroutine writes them (0: 5 ms); it writes sooner when the buffer is
	// half full. Waking per request would cost more than the writing, and
	// keeping records much longer makes the garbage collector's work grow.
	FlushInterval time.Duration
	// NewID makes event ids (nil: random UUIDs).
	NewID func() string
	Log   *slog.Logger
}

// maxBatch is how many records one write to the sinks carries at most.
const maxBatch = 256

// Logger is the audit trail: a pipeline.Sink that turns every record into
// CloudTrail events and writes them, in batches, from one goroutine.
type Logger struct {
	conv     *Converter
	ch       chan *pipeline.Record
	kick     chan struct{} // wakes the goroutine
	kickAt   int           // buffer depth that wakes it before its interval
	interval time.Duration
	// idle is set while the goroutine waits for a first record.
	idle       atomic.Bool
	block      bool
	dataEvents bool
	sinks      []Sink
	shippers   []*shipper
	retryDelay time.Duration
	log        *slog.Logger

	// bytes is what the records taken and not yet written hold
	// (recordCost), at most maxBytes unless one record alone is larger.
	bytes    atomic.Int64
	maxBytes int64
	// room is closed (and replaced) when bytes are released while Record
	// calls wait for them (waiters), under back-pressure.
	roomMu  sync.Mutex
	room    chan struct{}
	waiters atomic.Int32

	closed  atomic.Bool
	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when the goroutine has written everything
	dropped atomic.Uint64
	written atomic.Uint64
	failed  atomic.Uint64

	// failLog paces the logging of sink failures.
	failLog atomic.Int64
}

var (
	_ pipeline.Sink = (*Logger)(nil)
	_ interface {
		Stats() (depth, dropped uint64)
	} = (*Logger)(nil)
)

// New starts a Logger.
func New(o Options) *Logger {
	if o.Buffer <= 0 {
		o.Buffer = 8192
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 5 * time.Millisecond
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = 64 << 20
	}
	if o.NewID == nil {
		o.NewID = (&idSource{}).next // used by the trail's goroutine only
	}
	l := &Logger{conv: &Converter{Region: o.Region, NewID: o.NewID}, ch: make(chan *pipeline.Record, o.Buffer),
		kick: make(chan struct{}, 1), kickAt: max(o.Buffer/2, 1), interval: o.FlushInterval,
		block: o.BackPressure, dataEvents: o.DataEvents, sinks: o.Sinks, retryDelay: o.RetryDelay, log: o.Log,
		maxBytes: o.BufferBytes, room: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	for _, s := range o.Shippers {
		l.shippers = append(l.shippers, newShipper(s, l))
	}
	go l.run()
	return l
}

// Record queues r's events: it never blocks unless back-pressure is on
// and the buffer is full. r must not change afterwards.
func (l *Logger) Record(ctx context.Context, r *pipeline.Record) {
	if !l.dataEvents && (r.Service == "s3" || r.Service == "") && IsDataEvent(r.Operation) {
		return
	}
	if l.closed.Load() {
		l.dropped.Add(1)
		return
	}
	cost := recordCost(r)
	if !l.reserve(cost) {
		// The records waiting hold all the bytes they may.
		l.wake()
		if !l.block || !l.waitBytes(cost) {
			l.dropped.Add(1)
			return
		}
	}
	select {
	case l.ch <- r:
		if (l.idle.Load() && l.idle.CompareAndSwap(true, false)) || len(l.ch) >= l.kickAt {
			l.wake()
		}
		return
	default:
	}
	// The buffer is full.
	l.wake()
	if !l.block {
		l.release(cost)
		l.dropped.Add(1)
		return
	}
	select {
	case l.ch <- r:
	case <-l.stop:
		l.release(cost)
		l.dropped.Add(1)
	}
}

// recordOverhead is what a record is counted to hold besides the values
// a client chose.
const recordOverhead = 1 << 10

// recordCost estimates the memory a waiting record holds: what the client
// sent that it keeps (parameters, key, user agent, error message) and an
// overhead.
func recordCost(r *pipeline.Record) int64 {
	n := recordOverhead + len(r.ErrorMessage) + len(r.UserAgent) + len(r.Key) + len(r.Bucket) + len(r.Host) + len(r.Path)
	for k, vs := range r.Params {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return int64(n)
}

// reserve takes n bytes of the budget: false when the records waiting
// already hold too much (a record alone is always taken).
func (l *Logger) reserve(n int64) bool {
	for {
		cur := l.bytes.Load()
		if cur > 0 && cur+n > l.maxBytes {
			return false
		}
		if l.bytes.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// waitBytes waits until n bytes are reserved (true) or the trail closes.
func (l *Logger) waitBytes(n int64) bool {
	l.waiters.Add(1)
	defer l.waiters.Add(-1)
	for {
		l.roomMu.Lock()
		room := l.room
		l.roomMu.Unlock()
		if l.reserve(n) {
			return true
		}
		select {
		case <-room:
		case <-l.stop:
			return false
		}
	}
}

// release gives n bytes back and wakes the Record calls waiting for them.
func (l *Logger) release(n int64) {
	l.bytes.Add(-n)
	if l.waiters.Load() > 0 {
		l.roomMu.Lock()
		close(l.room)
		l.room = make(chan struct{})
		l.roomMu.Unlock()
	}
}

// wake asks the trail's goroutine to write now.
func (l *Logger) wake() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Stats reports the records waiting in the buffer and the events lost so
// far: dropped on a full buffer, or in a batch a sink failed to take.
func (l *Logger) Stats() (depth, dropped uint64) {
	depth = uint64(len(l.ch))
	dropped = l.dropped.Load() + l.failed.Load()
	for _, s := range l.shippers {
		depth += uint64(max(s.depth(), 0))
		dropped += s.dropped.Load() + s.failed.Load()
	}
	return depth, dropped
}

// Written is how many events the sinks (not shippers) have taken.
func (l *Logger) Written() uint64 { return l.written.Load() }

// Close stops taking records, writes those buffered, and closes the sinks
// and shippers; it gives up (and the rest is lost) when ctx ends.
func (l *Logger) Close(ctx context.Context) error {
	if l.closed.Swap(true) {
		return nil
	}
	close(l.stop)
	select {
	case <-l.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	var errs []error
	for _, s := range l.sinks {
		errs = append(errs, s.Close(ctx))
	}
	for _, s := range l.shippers {
		errs = append(errs, s.close(ctx))
	}
	return errors.Join(errs...)
}

// run is the trail's goroutine. It sleeps until a record arrives, lets
// records gather for the interval (less when the buffer is half full),
// then takes them in batches, encodes their events once and hands the
// lines to every sink. Records therefore wait at most about an interval,
// and an idle server's trail never wakes.
func (l *Logger) run() {
	defer close(l.done)
	t := time.NewTimer(l.interval)
	t.Stop()
	batch := make([]*pipeline.Record, 0, maxBatch)
	var buf []byte
	for {
		stop := false
		l.idle.Store(true)
		if len(l.ch) > 0 {
			l.idle.Store(false)
		} else {
			select {
			case <-l.kick: // the first record
			case <-l.stop:
				stop = true
			}
		}
		if !stop {
			t.Reset(l.interval)
			select {
			case <-t.C:
			case <-l.kick: // half full
				t.Stop()
			case <-l.stop:
				t.Stop()
				stop = true
			}
		}
		for {
			batch = l.fill(batch)
			if len(batch) == 0 {
				break
			}
			buf = l.write(batch, buf)
			// The batch's bytes count until it is written.
			var cost int64
			for _, r := range batch {
				cost += recordCost(r)
			}
			l.release(cost)
			clear(batch)
			batch = batch[:0]
		}
		if stop {
			return
		}
	}
}

// fill adds buffered records to batch without waiting.
func (l *Logger) fill(batch []*pipeline.Record) []*pipeline.Record {
	for len(batch) < maxBatch {
		select {
		case r := <-l.ch:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// write encodes a batch and delivers it.
func (l *Logger) write(batch []*pipeline.Record, buf []byte) []byte {
	buf = buf[:0]
	n := 0
	for _, r := range batch {
		var k int
		buf, k = l.conv.AppendEvents(buf, r)
		n += k
	}
	for _, s := range l.sinks {
		l.deliver(s, buf, n)
	}
	for _, s := range l.shippers {
		s.enqueue(buf, n)
	}
	if cap(buf) > 4<<20 {
		buf = nil // do not keep a huge batch's buffer
	}
	return buf
}

// deliver writes to one sink; under back-pressure a failure is retried
// until it succeeds or Close is called.
func (l *Logger) deliver(s Sink, lines []byte, n int) {
	for {
		err := s.Write(context.Background(), lines, n)
		if err == nil {
			l.written.Add(uint64(n))
			return
		}
		l.logFailure("audit sink write failed", err)
		if !l.block {
			l.failed.Add(uint64(n))
			return
		}
		t := time.NewTimer(l.retryDelay)
		select {
		case <-t.C:
		case <-l.stop:
			t.Stop()
			// Closing: one last try, then the batch is lost.
			if err := s.Write(context.Background(), lines, n); err != nil {
				l.failed.Add(uint64(n))
			} else {
				l.written.Add(uint64(n))
			}
			return
		}
	}
}

// logFailure logs a sink failure at most once a second (errors carry no
// secret: sinks word them without URLs or event contents).
func (l *Logger) logFailure(msg string, err error) {
	now := time.Now().UnixNano()
	last := l.failLog.Load()
	if now-last < int64(time.Second) || !l.failLog.CompareAndSwap(last, now) {
		return
	}
	l.log.Error(msg, "err", err)
}

// shipper feeds one shipping sink from its own bounded queue.
type shipper struct {
	sink    Sink
	l       *Logger
	queue   chan shipment
	mu      sync.Mutex
	closed  bool
	done    chan struct{}
	dropped atomic.Uint64
	failed  atomic.Uint64
	queued  atomic.Int64
	bytes   atomic.Int64 // the queued batches' size
}

type shipment struct {
	lines []byte
	n     int
}

// shipperQueue is how many batches a shipper holds at most, and
// shipperMaxBytes how many bytes (a batch alone is always taken).
const (
	shipperQueue    = 64
	shipperMaxBytes = 64 << 20
)

func newShipper(s Sink, l *Logger) *shipper {
	sh := &shipper{sink: s, l: l, queue: make(chan shipment, shipperQueue), done: make(chan struct{})}
	go sh.run()
	return sh
}

// depth is how many events wait in the queue.
func (s *shipper) depth() int64 { return s.queued.Load() }

// enqueue copies a batch into the queue; a full queue (in batches or in
// bytes) drops it (counted),
// also under back-pressure, which is for the trail's own sinks: waiting
// here would let a stalled collector hold up the files and, through the
// buffer, every request.
func (s *shipper) enqueue(lines []byte, n int) {
	if n == 0 {
		return
	}
	sh := shipment{lines: append([]byte(nil), lines...), n: n}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		s.dropped.Add(uint64(n))
		return
	}
	size := int64(len(sh.lines))
	if q := s.bytes.Add(size); q > shipperMaxBytes && q > size {
		s.bytes.Add(-size)
		s.dropped.Add(uint64(n))
		return
	}
	s.queued.Add(int64(n))
	select {
	case s.queue <- sh:
	default:
		s.queued.Add(-int64(n))
		s.bytes.Add(-size)
		s.dropped.Add(uint64(n))
	}
}

func (s *shipper) run() {
	defer close(s.done)
	for sh := range s.queue {
		err := s.sink.Write(context.Background(), sh.lines, sh.n)
		s.queued.Add(-int64(sh.n))
		s.bytes.Add(-int64(len(sh.lines)))
		if err != nil {
			s.failed.Add(uint64(sh.n))
			s.l.logFailure("audit shipper failed", err)
		}
	}
}

// close sends what is queued (until ctx ends) and closes the sink. The
// trail's goroutine has stopped, so nothing is enqueued any more.
func (s *shipper) close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	select {
	case <-s.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.sink.Close(ctx)
}
