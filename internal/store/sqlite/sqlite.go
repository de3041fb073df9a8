package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the SQLite implementation of store.Store.
type Store struct {
	write *sql.DB // one connection: writers queue here
	read  *sql.DB // reader pool
	// Prepared statements of each pool (nil: none cached).
	writeStmts, readStmts *sqlstore.Stmts
	// Group commit (see Update).
	commitMu sync.Mutex
	pending  []*update
	leading  bool
	gen      sqlstore.Generation
	// genRead is when the generation was last read from the database
	// (Unix nanoseconds of now).
	genRead atomic.Int64
	now     func() time.Time
	// schema is the database's migration version (the binary's latest,
	// except in a read-only store of an older database).
	schema int
	// wgen is the write generation (writegen.go); committing, when set
	// (tests), runs while it is odd, just before a commit.
	wgen       writeGen
	committing func()
}

var _ store.Store = (*Store)(nil)

// Config holds Open's optional settings; the zero value is the default.
type Config struct {
	// Now is the clock that paces IAMGeneration's re-reads of the counter
	// (at most once per second of it); nil means time.Now.
	Now func() time.Time
}

// Open opens (creating and migrating as needed) the database at path with
// the default Config.
func Open(path string) (*Store, error) {
	return OpenConfig(path, Config{})
}

// OpenConfig opens (creating and migrating as needed) the database at path.
func OpenConfig(path string, cfg Config) (*Store, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers keep every connection they open: a connection closed after
	// a burst is a connection (and its prepared statements) opened again
	// by the next one.
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{write: w, read: r, now: cfg.Now, writeStmts: sqlstore.NewStmts(w), readStmts: sqlstore.NewStmts(r)}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadGeneration(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.wgen.openWatch(context.Background(), dsn, s.now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pools and the write generation's connection.
func (s *Store) Close() error {
	var errs []error
	for _, c := range []*sqlstore.Stmts{s.writeStmts, s.readStmts} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	if s.wgen.watch != nil {
		errs = append(errs, s.wgen.watch.Close())
	}
	return errors.Join(append(errs, s.read.Close())...)
}

// ErrNewerSchema: the database was written by a newer Gatehouse.
var ErrNewerSchema = errors.New("sqlite: database schema is newer than this binary")

func migrations() ([]sqlstore.Migration, error) {
	return sqlstore.Migrations(migrationFiles, "migrations")
}

// migrate applies every migration newer than the database's version.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return err
	}
	var current int
	if err := s.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	if len(ms) > 0 && current > ms[len(ms)-1].Version {
		return fmt.Errorf("%w (database version %d, binary knows %d)", ErrNewerSchema, current, ms[len(ms)-1].Version)
	}
	s.schema = current
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		body, err := migrationFiles.ReadFile("migrations/" + m.Name)
		if err != nil {
			return err
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.schema = m.Version
	}
	return nil
}

func (s *Store) loadGeneration(ctx context.Context) error {
	g, err := sqlstore.ReadGeneration(ctx, s.read, dialect{})
	if err != nil {
		return err
	}
	s.gen.Raise(g)
	s.genRead.Store(s.now().UnixNano())
	return nil
}

// genRefresh is how often IAMGeneration re-reads the counter to notice
// writes by other processes on the same data dir (gatehouse account create,
// gatehouse keys rotate).
const genRefresh = time.Second

// IAMGeneration returns the IAM generation, almost always without touching
// the database: the counter is loaded at open and advanced in memory by
// every commit of this process that changed IAM data, and re-read at most
// once per genRefresh of the Config's clock to see other processes' writes.
func (s *Store) IAMGeneration(ctx context.Context) (int64, error) {
	now := s.now().UnixNano()
	if last := s.genRead.Load(); due(now, last) && s.genRead.CompareAndSwap(last, now) {
		g, err := sqlstore.ReadGeneration(ctx, s.read, dialect{})
		if err != nil {
			return 0, err
		}
		s.raiseGeneration(g)
	}
	return s.gen.Load(), nil
}

// raiseGeneration moves the in-memory generation up to g (never down).
func (s *Store) raiseGeneration(g int64) { s.gen.Raise(g) }

// View runs fn in a read transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t := sqlstore.NewTx(tx, dialect{}, s.schema, s.now)
	t.UseStmts(s.readStmts)
	return fn(t)
}

// Update runs fn in a write transaction, committing if it returns nil.
//
// Updates are group-committed: writers that arrive while a commit is in
// progress are queued, and the next of them to lead runs the whole queue in
// one transaction, each fn inside its own savepoint (so one fn's error
// undoes only its own writes), then commits once. Every fn is atomic, runs
// as if alone in serial order, and is durable when Update returns nil; the
// batch shares one fsync instead of paying one each.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.write == nil {
		return ErrReadOnly
	}
	req := &update{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.commitMu.Lock()
	s.pending = append(s.pending, req)
	if s.leading {
		s.commitMu.Unlock()
		return <-req.done
	}
	s.leading = true
	for len(s.pending) > 0 {
		batch := s.pending
		if len(batch) > maxBatch {
			batch = batch[:maxBatch]
		}
		s.pending = s.pending[len(batch):]
		s.commitMu.Unlock()
		s.commit(batch)
		s.commitMu.Lock()
	}
	s.leading = false
	s.commitMu.Unlock()
	return <-req.done
}

// maxBatch bounds how many updates share one commit.
const maxBatch = 128

// update is one queued Update call.
type update struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

// commit runs a batch in one transaction and reports each update's result.
func (s *Store) commit(batch []*update) {
	results := make([]error, len(batch))
	finish := func(err error) {
		for i, u := range batch {
			if results[i] == nil {
				results[i] = err
			}
			u.done <- results[i]
		}
	}
	// The transaction outlives any one caller's context.
	ctx := context.WithoutCancel(batch[0].ctx)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		finish(mapErr(err))
		return
	}
	bumped, ok := false, 0
	for i, u := range batch {
		if err := u.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT u`); err != nil {
			tx.Rollback()
			finish(mapErr(err))
			return
		}
		t := sqlstore.NewTx(tx, dialect{}, s.schema, s.now)
		t.UseStmts(s.writeStmts)
		if err := sqlstore.Run(u.fn, t); err != nil {
			results[i] = err
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO u`); rerr != nil {
				tx.Rollback()
				finish(mapErr(rerr))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE u`); err != nil {
			tx.Rollback()
			finish(mapErr(err))
			return
		}
		if results[i] == nil {
			ok++
			bumped = bumped || t.Bumped()
		}
	}
	if ok == 0 {
		tx.Rollback()
		finish(nil)
		return
	}
	var gen int64
	if bumped {
		if gen, err = sqlstore.BumpGeneration(ctx, tx, dialect{}); err != nil {
			tx.Rollback()
			finish(err)
			return
		}
	}
	// The write generation is odd while the commit may be becoming
	// visible (writegen.go).
	s.wgen.seq.Add(1)
	if s.committing != nil {
		s.committing()
	}
	err = tx.Commit()
	s.wgen.seq.Add(1)
	if err != nil {
		finish(mapErr(err))
		return
	}
	if bumped {
		s.raiseGeneration(gen) // visible to this process at once
	}
	finish(nil)
}

// mapErr turns SQLite errors into store sentinels.
func mapErr(err error) error { return sqlstore.MapError(dialect{}, err) }
