// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb into
// a temporary directory, postgres listening on a free 127.0.0.1 port (its
// unix socket in the same directory), and a fresh database per call of
// Shared.DSN.
//
// Contract:
//   - The binaries are found on PATH, else in /usr/lib/postgresql/*/bin
//     (the newest version). When they are missing the test fails with a
//     message naming the package to install (postgresql); it never skips.
//   - initdb and postgres refuse to run as root: when the test runs as
//     root they run as the unprivileged user nobody (uid/gid 65534), and
//     the cluster's directory is handed to it.
//   - The cluster is tuned for tests (fsync off): it survives nothing and
//     holds nothing worth keeping. Stop shuts it down and removes it; the
//     cluster is also told to die with the test binary.
//   - A test package declares one Shared (its own package variable) and
//     calls its Stop from TestMain after m.Run, so a test binary starts at
//     most one cluster.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// ErrNoPostgres: the PostgreSQL server binaries are not installed.
var ErrNoPostgres = errors.New("pgtest: PostgreSQL binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; install the Debian package postgresql (apt-get install -y postgresql)")

// unprivileged is the uid/gid of nobody, which initdb and postgres run as
// when the test runs as root.
const unprivileged = 65534

// Cluster is one running PostgreSQL server.
type Cluster struct {
	dir   string // data directory and socket directory live under it
	bin   string // the directory of the binaries
	port  int
	cmd   *exec.Cmd
	exit  chan error // postgres's exit status, once
	admin *sql.DB    // connection pool to the postgres database
	mu    sync.Mutex
	next  int // databases created so far
}

// Shared starts one cluster on first use and hands out a fresh database
// per DSN call. The zero value is ready; call Stop after the tests.
type Shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// DSN returns the URL of a new, empty database in the shared cluster,
// starting the cluster first if needed. Any failure fails t.
func (s *Shared) DSN(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.cluster, s.err = Start(context.Background()) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	dsn, err := s.cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Main runs a test binary's tests and then stops the cluster, returning
// the exit code (1 when the tests passed but the cluster would not stop):
// a package's TestMain is os.Exit(pg.Main(m)).
func (s *Shared) Main(m *testing.M) int {
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
		code = 1
	}
	return code
}

// Stop stops the cluster if one was started.
func (s *Shared) Stop() error {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.Stop()
}

// Binaries returns the directory holding initdb and postgres.
func Binaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
		// A symlinked initdb: its real directory holds postgres.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(real), "postgres")); err == nil {
				return filepath.Dir(real), nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

// version is N of /usr/lib/postgresql/N/bin (0 when not a number).
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start runs initdb and starts postgres; Stop undoes both.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := Binaries()
	if err != nil {
		return nil, err
	}
	// Under root, the directory must be reachable by nobody: /tmp is,
	// whatever TMPDIR says.
	base := ""
	if os.Geteuid() == 0 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	if err := c.start(ctx, bin); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// asUser makes cmd run as nobody when this process is root.
func asUser(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: unprivileged, Gid: unprivileged}
	}
}

func (c *Cluster) start(ctx context.Context, bin string) error {
	if os.Geteuid() == 0 {
		if err := os.Chown(c.dir, unprivileged, unprivileged); err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
	}
	data := filepath.Join(c.dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.Env = append(os.Environ(), "LC_ALL=C")
	asUser(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	var err error
	if c.port, err = freePort(); err != nil {
		return err
	}
	c.bin = bin
	return c.run(ctx)
}

// run starts postgres on the cluster's data directory and port and waits
// until it accepts connections.
func (c *Cluster) run(ctx context.Context) error {
	bin, data := c.bin, filepath.Join(c.dir, "data")
	logFile, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(c.port),
		"-h", "127.0.0.1", "-k", c.dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	asUser(c.cmd)
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: postgres: %w", err)
	}
	c.exit = make(chan error, 1)
	go func() { c.exit <- c.cmd.Wait() }()
	if c.admin == nil {
		if c.admin, err = sql.Open("pgx", c.url("postgres")); err != nil {
			return err
		}
	}
	// Wait for the server, a bounded number of tries.
	for try := 0; ; try++ {
		select {
		case err := <-c.exit:
			c.exit <- err
			return fmt.Errorf("pgtest: postgres exited: %v\n%s", err, c.log())
		default:
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := c.admin.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if try == 300 {
			return fmt.Errorf("pgtest: postgres did not accept connections: %v\n%s", err, c.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Restart stops the server (fast shutdown: every connection is cut) and
// starts it again on the same data and port: what clients see of a
// PostgreSQL restart.
func (c *Cluster) Restart(ctx context.Context) error {
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return err
	}
	select {
	case <-c.exit:
	case <-time.After(30 * time.Second):
		return errors.New("pgtest: postgres did not stop within 30s")
	}
	return c.run(ctx)
}

// log returns the server's log, for error messages.
func (c *Cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	return string(b)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	c.mu.Lock()
	c.next++
	name := fmt.Sprintf("test_%d", c.next)
	c.mu.Unlock()
	if _, err := c.admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return c.url(name), nil
}

// Stop shuts the server down (fast shutdown) and removes its directory.
func (c *Cluster) Stop() error {
	var errs []error
	if c.admin != nil {
		errs = append(errs, c.admin.Close())
	}
	if c.cmd != nil && c.cmd.Process != nil {
		select {
		case <-c.exit:
		default:
			errs = append(errs, c.cmd.Process.Signal(syscall.SIGINT))
			select {
			case <-c.exit:
			case <-time.After(30 * time.Second):
				errs = append(errs, c.cmd.Process.Kill())
				<-c.exit
			}
		}
	}
	if err := os.RemoveAll(c.dir); err != nil && !strings.Contains(err.Error(), "no such file") {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
