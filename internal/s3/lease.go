package s3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Background passes (the blob sweeper, the lifecycle worker) run on one
// node of a cluster at a time: a pass holds the store lease of its name,
// renews it as it goes, and stops when it can no longer hold it. The lease
// lapses on its own when its holder dies, so another node takes over.

// Lease names.
const (
	leaseSweeper   = "blob-sweeper"
	leaseLifecycle = "lifecycle"
)

// LeaseTTL is how long a pass's lease lasts without renewal; passes renew
// it at every page, far more often.
const LeaseTTL = 2 * time.Minute

// ErrLeaseHeld: another node holds the lease of the pass (it runs there).
var ErrLeaseHeld = errors.New("s3: another node runs this pass")

// NewNodeID names this process as a lease holder: label (a host name, or
// the operator command) and random bytes, so two processes never share a
// name.
func NewNodeID(label string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail
	}
	return label + "/" + hex.EncodeToString(b[:])
}

// passLease is the lease one pass holds.
type passLease struct {
	st     store.Store
	name   string
	holder string
	now    func() time.Time
}

// hold takes or renews the lease: ErrLeaseHeld when another holder has it.
func (l *passLease) hold(ctx context.Context) error {
	now := l.now()
	var ok bool
	err := l.st.Update(ctx, func(tx store.Tx) error {
		var err error
		ok, err = tx.AcquireLease(ctx, l.name, l.holder, now, now.Add(LeaseTTL))
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return ErrLeaseHeld
	}
	return nil
}

// release gives the lease up at the end of a pass.
func (l *passLease) release(ctx context.Context) {
	// Also when the pass ends because ctx did (the server stops): the
	// lease is given back rather than left to lapse.
	ctx = context.WithoutCancel(ctx)
	_ = l.st.Update(ctx, func(tx store.Tx) error { return tx.ReleaseLease(ctx, l.name, l.holder) })
}

// runEvery runs pass now and then every interval until ctx ends. A pass
// that found its lease held elsewhere is tried again after LeaseTTL when
// that is sooner, so that when the holder dies without releasing it (its
// lease lapses) another node takes the work over within about LeaseTTL.
func runEvery(ctx context.Context, interval time.Duration, pass func() error) {
	for {
		wait := interval
		if err := pass(); errors.Is(err, ErrLeaseHeld) && LeaseTTL < wait {
			wait = LeaseTTL
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
