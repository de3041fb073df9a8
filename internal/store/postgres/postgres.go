package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	db  *sql.DB
	cfg Config
	gen sqlstore.Generation
	// genRead is when the counter was last read (Unix nanoseconds of
	// cfg.Now).
	genRead atomic.Int64
	// The LISTEN connection's goroutine (see notify.go).
	stop     context.CancelFunc
	listener sync.WaitGroup
	// listening is 1 while the listener is connected and listening.
	listening atomic.Bool
	// retries counts Update's attempts after the first (see Retries).
	retries atomic.Uint64
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.ScopedUpdater = (*Store)(nil)
)

// Config holds Open's settings; the zero value is the default.
type Config struct {
	// Pool: at most MaxOpenConns connections (default 16), MaxIdleConns
	// of them kept idle (default MaxOpenConns: a connection given back
	// under load is kept rather than closed and dialled again, which costs
	// a connection start-up and its prepared statements), each closed
	// after ConnMaxLifetime (default 30 minutes). The LISTEN connection
	// comes on top.
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// MaxAttempts bounds how often Update runs its function when
	// PostgreSQL aborts the transaction with a serialization failure or a
	// deadlock (default 10); then Update returns store.ErrConflict.
	MaxAttempts int
	// Backoff is the pause before attempt n (n ≥ 2) of an Update, and
	// before the listener's reconnect n (default: jittered exponential
	// from 1ms, at most 250ms).
	Backoff func(n int) time.Duration
	// Sleep pauses for d or until ctx is done (default: a timer). Tests
	// inject one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock that paces IAMGeneration's re-reads of the counter;
	// nil means time.Now.
	Now func() time.Time
	// Poll is how often, by Now, IAMGeneration re-reads the counter while
	// no notification arrives (default 1s): the bound on how stale another
	// node's IAM change can look when notifications are lost.
	Poll time.Duration
	// NoListen turns off LISTEN/NOTIFY: other nodes' changes are then seen
	// by polling alone.
	NoListen bool
	// Dial, when set, opens the connections to the server instead of pgx's
	// dialer (tests count the round trips through it).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (c *Config) defaults() {
	if c.MaxOpenConns <= 0 {
		c.MaxOpenConns = 16
	}
	if c.MaxIdleConns <= 0 {
		c.MaxIdleConns = c.MaxOpenConns
	}
	if c.ConnMaxLifetime <= 0 {
		c.ConnMaxLifetime = 30 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Backoff == nil {
		c.Backoff = defaultBackoff
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
}

// defaultBackoff: full jitter below min(250ms, 1ms·2ⁿ).
func defaultBackoff(n int) time.Duration {
	ceiling := 250 * time.Millisecond
	if n < 9 {
		ceiling = min(ceiling, time.Millisecond<<n)
	}
	return time.Duration(rand.Int64N(int64(ceiling)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Open connects to the database at dsn (a postgres:// URL), applies the
// migrations it lacks (once, whichever of several nodes gets there first)
// and starts listening for other nodes' IAM changes. The URL may carry the
// pool's settings, which Open takes out before connecting: pool_max_conns,
// pool_max_idle_conns, pool_max_conn_lifetime (a duration) and
// gatehouse_generation_poll (a duration); cfg's fields win over them.
func Open(ctx context.Context, dsn string, cfg Config) (*Store, error) {
	dsn, err := poolParams(dsn, &cfg)
	if err != nil {
		return nil, err
	}
	cfg.defaults()
	connCfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.Dial != nil {
		connCfg.DialFunc = cfg.Dial
	}
	db := stdlib.OpenDB(*connCfg)
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetMaxIdleConns(cfg.MaxIdleConns)
	db.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	s := &Store{db: db, cfg: cfg}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	g, err := sqlstore.ReadGeneration(ctx, db, dialect{})
	if err != nil {
		db.Close()
		return nil, err
	}
	s.gen.Raise(g)
	s.genRead.Store(cfg.Now().UnixNano())
	lctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if !cfg.NoListen {
		s.listener.Add(1)
		go s.listen(lctx, connCfg)
	}
	return s, nil
}

// Close stops the listener and closes the pool.
func (s *Store) Close() error {
	s.stop()
	s.listener.Wait()
	return s.db.Close()
}

// View runs fn in a read-only REPEATABLE READ transaction: one snapshot,
// and no serialization failures (PostgreSQL never aborts a read-only
// transaction below SERIALIZABLE).
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	return sqlstore.Run(fn, sqlstore.NewTx(tx, dialect{}, sqlstore.SchemaLatest, s.cfg.Now))
}

// ErrUnavailable wraps failures to reach PostgreSQL at all (no connection
// could be had), as opposed to errors of a statement.
var ErrUnavailable = errors.New("postgres: database unavailable")

// unavailable marks an error of BeginTx as ErrUnavailable.
func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// Update runs fn in its own SERIALIZABLE transaction and commits it if fn
// returns nil. When PostgreSQL aborts the transaction (or its commit) with
// a serialization failure or a deadlock, the whole fn runs again in a new
// transaction, after a backoff, at most MaxAttempts times in all: fn must
// therefore not keep effects of an attempt outside the transaction beyond
// what the next attempt overwrites. When every attempt conflicted, Update
// returns an error wrapping store.ErrConflict.
//
// SERIALIZABLE rather than REPEATABLE READ with SELECT … FOR UPDATE: the
// callers read records and write them back (GetRole then UpdateRole), count
// before they create, and derive a new object version's seq from the rows
// they read; serializable snapshot isolation protects all of these without
// marking every read of the shared queries, which run unchanged on SQLite.
// Its price is that predicate locks are page-grained: two transactions
// that read and write neighbouring index entries (two PUTs of different
// keys of one bucket) abort one another. The writes of one object key, the
// S3 hot path, therefore have their own kind of transaction (UpdateIn),
// and every transaction that writes a key takes its lock
// (sqlstore/scope.go).
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.retry(ctx, func() error { return s.attempt(ctx, fn) })
}

// UpdateIn runs fn as a scoped write transaction (store.ScopedUpdater):
// at READ COMMITTED, after taking sc's locks (sqlstore.Tx.Enter), which is
// what protects fn's reads and writes — not a snapshot — so that writers
// of different keys neither wait for nor abort one another. It retries as
// Update does (a deadlock, or a serialization failure of a commit, would
// be the only causes). When fn strays outside sc (sqlstore.Tx.Strayed),
// the attempt is rolled back and fn runs as Update instead.
func (s *Store) UpdateIn(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	strayed := false
	err := s.retry(ctx, func() error {
		err := s.attemptIn(ctx, sc, fn)
		if errors.Is(err, errStrayed) {
			strayed = true
			return nil
		}
		return err
	})
	if strayed {
		return s.Update(ctx, fn)
	}
	return err
}

// errStrayed: a scoped function stepped outside its scope.
var errStrayed = errors.New("postgres: scoped transaction strayed outside its scope")

// retry runs attempt until it succeeds, fails for a reason other than a
// concurrent transaction, or has run MaxAttempts times (then an error
// wrapping store.ErrConflict).
func (s *Store) retry(ctx context.Context, attempt func() error) error {
	var err error
	for n := 1; n <= s.cfg.MaxAttempts; n++ {
		if n > 1 {
			s.retries.Add(1)
			if serr := s.cfg.Sleep(ctx, s.cfg.Backoff(n)); serr != nil {
				return serr
			}
		}
		err = attempt()
		if !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("%w: gave up after %d attempts: %v", store.ErrConflict, s.cfg.MaxAttempts, err)
}

// Retries is how many times Update has run a function again because
// PostgreSQL aborted its transaction for a concurrent one (serialization
// failure, deadlock): a counter since Open, never decreasing, for metrics
// (gatehouse_store_retries_total) and tests.
func (s *Store) Retries() uint64 { return s.retries.Load() }

// retryable: PostgreSQL aborted the transaction for a concurrent one.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	switch sqlState(err) {
	case serializationFailure, deadlockDetected:
		return true
	}
	return errors.Is(err, store.ErrConflict)
}

// attempt runs fn once in one transaction.
func (s *Store) attempt(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	t := sqlstore.NewTx(tx, dialect{}, sqlstore.SchemaLatest, s.cfg.Now)
	if err := sqlstore.Run(fn, t); err != nil {
		return err
	}
	var gen int64
	if t.Bumped() {
		if gen, err = sqlstore.BumpGeneration(ctx, tx, dialect{}); err != nil {
			return err
		}
		// Delivered to the listeners when (and only if) the transaction
		// commits.
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, fmt.Sprint(gen)); err != nil {
			return sqlstore.MapError(dialect{}, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return sqlstore.MapError(dialect{}, err)
	}
	if gen != 0 {
		s.raiseGeneration(gen)
	}
	return nil
}

// attemptIn runs a scoped fn once in one READ COMMITTED transaction whose
// first statements take sc's locks. It changes no IAM data (that would
// stray), so it bumps no generation.
func (s *Store) attemptIn(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	t := sqlstore.NewTx(tx, dialect{}, sqlstore.SchemaLatest, s.cfg.Now)
	if err := t.Enter(ctx, sc); err != nil {
		return err
	}
	err = sqlstore.Run(fn, t)
	if t.Strayed() || t.Bumped() {
		return errStrayed
	}
	if err != nil {
		return err
	}
	return sqlstore.MapError(dialect{}, tx.Commit())
}

// IAMGeneration returns the IAM generation, almost always from memory: the
// counter is loaded at open, advanced by this node's commits and by the
// notifications of other nodes' commits (LISTEN), and re-read from the
// database at most once per Config.Poll of the Config's clock, so that a
// lost notification (the listener reconnecting) delays another node's
// change by at most about Poll.
func (s *Store) IAMGeneration(ctx context.Context) (int64, error) {
	now := s.cfg.Now().UnixNano()
	if last := s.genRead.Load(); now-last > int64(s.cfg.Poll) && s.genRead.CompareAndSwap(last, now) {
		g, err := sqlstore.ReadGeneration(ctx, s.db, dialect{})
		if err != nil {
			return 0, err
		}
		s.raiseGeneration(g)
	}
	return s.gen.Load(), nil
}

// raiseGeneration moves the in-memory generation up to g (never down).
func (s *Store) raiseGeneration(g int64) { s.gen.Raise(g) }

// Ping checks that the database answers (readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}
