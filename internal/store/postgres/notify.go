package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// channel is the NOTIFY channel of IAM generation changes; a payload is
// the generation a commit produced.
const channel = "gatehouse_iam_generation"

// listen keeps one connection LISTENing on channel until ctx ends, raising
// the generation to every payload. When the connection fails it reconnects
// after a backoff and re-reads the counter (notifications sent meanwhile
// are lost); IAMGeneration's poll bounds the staleness in between.
func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	defer s.listener.Done()
	for attempt := 1; ctx.Err() == nil; attempt++ {
		if attempt > 1 {
			if s.cfg.Sleep(ctx, s.cfg.Backoff(min(attempt, 9))) != nil {
				return
			}
		}
		if s.listenOnce(ctx, cfg) {
			attempt = 0 // it was connected: reconnect at once
		}
	}
}

// listenOnce connects and listens until the connection fails; it reports
// whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context, cfg *pgx.ConnConfig) bool {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		return false
	}
	s.listening.Store(true)
	defer s.listening.Store(false)
	var g int64
	if err := conn.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'iam_generation'`).Scan(&g); err == nil {
		s.raiseGeneration(g)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		if g, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			s.raiseGeneration(g)
		}
	}
}
