package server_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkGetObjectPostgres: one 4 KiB GET (a presigned URL replayed
// in-process) on a server whose store is PostgreSQL, from one client and
// from 16 at once; it reports GETs per second.
func BenchmarkGetObjectPostgres(b *testing.B) {
	for _, clients := range []int{1, 16} {
		name := "serial"
		if clients > 1 {
			name = "parallel16"
		}
		b.Run(name, func(b *testing.B) {
			dsn := pg.DSN(b)
			env := testenv.New(b, noQuotas, func(c *config.Config) {
				c.Store = dsn
				c.MasterKey = "0000000000000000000000000000000000000000000000000000000000000001"
				c.AccessLog = false
			})
			req, h := presignedGet4KiB(b, env)
			get := func() int {
				r := req.Clone(context.Background())
				r.RemoteAddr = "127.0.0.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w.Code
			}
			get()
			per := max(b.N/clients, 1)
			var wg sync.WaitGroup
			var mu sync.Mutex
			bad := 0
			start := time.Now()
			b.ResetTimer()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range per {
						if get() != 200 {
							mu.Lock()
							bad++
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			if bad > 0 {
				b.Fatalf("%d GETs failed", bad)
			}
			b.ReportMetric(float64(per*clients)/time.Since(start).Seconds(), "GETs/s")
		})
	}
}
