package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrBadDSN: the store setting is not a usable postgres:// URL. Its message
// never includes the password.
var ErrBadDSN = errors.New("postgres: bad connection URL")

// IsDSN reports whether a store setting selects PostgreSQL.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns dsn with its password (in the user info or a password
// parameter) replaced, for logs and errors.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// parseDSN parses a postgres:// URL into pgx's configuration.
func parseDSN(dsn string) (*pgx.ConnConfig, error) {
	if !IsDSN(dsn) {
		return nil, ErrBadDSN
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL: say only what is wrong with it.
		return nil, fmt.Errorf("%w: %s", ErrBadDSN, Redact(dsn))
	}
	return cfg, nil
}

// Pool parameters of the store URL: Gatehouse's own, taken out of the URL
// before pgx sees it (the names pgxpool uses).
const (
	paramMaxConns     = "pool_max_conns"            // Config.MaxOpenConns
	paramMaxIdleConns = "pool_max_idle_conns"       // Config.MaxIdleConns
	paramConnLifetime = "pool_max_conn_lifetime"    // Config.ConnMaxLifetime (a Go duration)
	paramPoll         = "gatehouse_generation_poll" // Config.Poll (a Go duration)
)

// poolParams takes the pool parameters out of dsn into cfg (where cfg does
// not set them already) and returns the URL without them. A bad value is
// ErrBadDSN, naming the parameter (never the password).
func poolParams(dsn string, cfg *Config) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, nil // parseDSN reports it
	}
	q := u.Query()
	intParam := func(name string, dst *int) error {
		if !q.Has(name) {
			return nil
		}
		n, err := strconv.Atoi(q.Get(name))
		if err != nil || n < 1 {
			return fmt.Errorf("%w: %s must be a positive integer", ErrBadDSN, name)
		}
		if *dst == 0 {
			*dst = n
		}
		q.Del(name)
		return nil
	}
	durParam := func(name string, dst *time.Duration) error {
		if !q.Has(name) {
			return nil
		}
		d, err := time.ParseDuration(q.Get(name))
		if err != nil || d <= 0 {
			return fmt.Errorf("%w: %s must be a positive duration such as 30m", ErrBadDSN, name)
		}
		if *dst == 0 {
			*dst = d
		}
		q.Del(name)
		return nil
	}
	if err := errors.Join(intParam(paramMaxConns, &cfg.MaxOpenConns), intParam(paramMaxIdleConns, &cfg.MaxIdleConns),
		durParam(paramConnLifetime, &cfg.ConnMaxLifetime), durParam(paramPoll, &cfg.Poll)); err != nil {
		return dsn, err
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
