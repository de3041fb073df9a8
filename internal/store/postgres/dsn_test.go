package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The pool parameters leave the URL and land in Config; bad values are
// refused naming the parameter, never the password.
func TestPoolParams(t *testing.T) {
	var cfg Config
	dsn, err := poolParams("postgres://u:secret@db:5432/gh?sslmode=disable&pool_max_conns=32&pool_max_idle_conns=8&pool_max_conn_lifetime=10m&gatehouse_generation_poll=250ms", &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dsn, "pool_") || strings.Contains(dsn, "gatehouse_") || !strings.Contains(dsn, "sslmode=disable") {
		t.Fatalf("URL after: %s", dsn)
	}
	if cfg.MaxOpenConns != 32 || cfg.MaxIdleConns != 8 || cfg.ConnMaxLifetime != 10*time.Minute || cfg.Poll != 250*time.Millisecond {
		t.Fatalf("config: %+v", cfg)
	}
	// A Config field set by code wins.
	cfg = Config{MaxOpenConns: 4}
	if _, err := poolParams("postgres://db/gh?pool_max_conns=32", &cfg); err != nil || cfg.MaxOpenConns != 4 {
		t.Fatalf("code's setting: %+v %v", cfg, err)
	}
	for _, bad := range []string{"pool_max_conns=0", "pool_max_conns=many", "pool_max_idle_conns=-1", "pool_max_conn_lifetime=forever", "gatehouse_generation_poll=0s"} {
		_, err := poolParams("postgres://u:secret@db/gh?"+bad, &Config{})
		name, _, _ := strings.Cut(bad, "=")
		if !errors.Is(err, ErrBadDSN) || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
