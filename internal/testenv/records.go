package testenv

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// RecordLog is a pipeline.Sink that keeps every record, for tests.
type RecordLog struct {
	mu      sync.Mutex
	recs    []*pipeline.Record
	changed chan struct{} // closed and replaced on every record
	discard bool
}

var _ pipeline.Sink = (*RecordLog)(nil)

// Record keeps r.
func (l *RecordLog) Record(_ context.Context, r *pipeline.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.discard {
		return
	}
	l.recs = append(l.recs, r)
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// All returns the records kept so far.
func (l *RecordLog) All() []*pipeline.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*pipeline.Record(nil), l.recs...)
}

// Discard stops keeping records (benchmarks, whose records would pile up).
func (l *RecordLog) Discard() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.discard, l.recs = true, nil
}

// Reset forgets the records kept so far.
func (l *RecordLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = nil
}

// Find waits (up to 10 s of real time: a record is written after the
// response has gone out, so a client can see the response first) for a
// record that match accepts and returns it, or nil.
func (l *RecordLog) Find(match func(*pipeline.Record) bool) *pipeline.Record {
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		for _, r := range l.recs {
			if match(r) {
				l.mu.Unlock()
				return r
			}
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return nil
		}
	}
}
