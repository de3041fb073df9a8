package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// maxStmts bounds a Stmts cache: statements past it run unprepared (a
// query text built from input, were there one, cannot grow it forever).
const maxStmts = 512

// Stmts caches prepared statements of one *sql.DB by query text, for a
// driver that does not cache them itself (SQLite's parses every query it
// is given: at thousands of reads a second the parsing is a fifth of the
// server's CPU). database/sql prepares a cached statement once per
// connection, on first use there, and reuses it in every later
// transaction on that connection. Safe for concurrent use.
//
// A cached statement is one SQLite statement per connection: a query must
// not run again, in the same transaction, while rows of an earlier run of
// the same query text are still being read (the driver would reset them).
// No query of this package nests that way; keep it so.
type Stmts struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
	busy   sync.WaitGroup // preparations in flight
}

// NewStmts makes an empty cache for db's statements.
func NewStmts(db *sql.DB) *Stmts { return &Stmts{db: db, m: make(map[string]*sql.Stmt)} }

// get returns q's prepared statement; nil when it is not prepared yet
// (or will not be: the cache is full or closed). A miss prepares q in the
// background: preparing needs a connection of its own, and the caller
// holds one inside a transaction — on a one-connection pool (SQLite's
// writer) waiting for another would wait forever. The caller runs q
// unprepared meanwhile.
func (c *Stmts) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, seen := c.m[q]
	if seen || c.closed || len(c.m) >= maxStmts {
		return st
	}
	c.m[q] = nil // being prepared
	c.busy.Add(1)
	go c.prepare(q)
	return nil
}

// prepare prepares q on the pool and caches it; on failure q is
// forgotten (a later use tries again).
func (c *Stmts) prepare(q string) {
	defer c.busy.Done()
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	st, err := c.db.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil:
		delete(c.m, q)
	case c.closed:
		st.Close()
	default:
		c.m[q] = st
	}
}

// prepareTimeout bounds a background preparation's wait for a connection.
const prepareTimeout = 30 * time.Second

// Close waits for preparations in flight and closes every cached
// statement (call it before closing the pool, once no transaction runs);
// later lookups prepare nothing.
func (c *Stmts) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.busy.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		if st != nil {
			errs = append(errs, st.Close())
		}
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// stmt returns q (already rebound) as a statement of this transaction
// when a cache is attached, nil otherwise or when q cannot be prepared
// (the caller then runs q unprepared, and sees its error there).
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	st := t.stmts.get(q)
	if st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

// UseStmts makes the transaction run its queries as statements prepared
// through c (c's *sql.DB must be the one the transaction runs on).
func (t *Tx) UseStmts(c *Stmts) { t.stmts = c }

// Prepared is the number of statements ready in the cache.
func (c *Stmts) Prepared() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, st := range c.m {
		if st != nil {
			n++
		}
	}
	return n
}
