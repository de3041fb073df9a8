package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

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
