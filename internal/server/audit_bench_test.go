package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkAssumeRoleAudit: AssumeRole served in-process on every core,
// with the audit trail off and on (files in the data dir), so that the
// trail's work on its own goroutine is in the figure. "none" and "all" are
// everything off (no trail, no access log, no metrics) and everything on as
// production runs it (the trail, the access log written to a file, the
// metrics).
func BenchmarkAssumeRoleAudit(b *testing.B) {
	for _, mode := range []string{"off", "on", "discard", "none", "all"} {
		b.Run(mode, func(b *testing.B) {
			var env *testenv.Env
			switch mode {
			case "none":
				env = testenv.New(b, noQuotas, func(c *config.Config) { c.Audit.Enabled = false; c.AccessLog = false })
			case "all":
				f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { f.Close() })
				env = testenv.NewWith(b, func(o *server.Options) { o.Stderr = f }, withAdmin, noQuotas,
					func(c *config.Config) { c.Audit.Enabled = true; c.AccessLog = true })
			default:
				env = testenv.New(b, noQuotas, func(c *config.Config) {
					c.Audit.Enabled = mode != "off"
					if mode == "discard" {
						c.Audit.Sinks = []string{config.AuditSinkStdout} // no stdout in tests: the events are encoded and dropped
					}
				})
			}
			env.Records.Discard()
			creds := benchUser(b, env)
			body := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testenv.AccountID + ":role/demo"},
				"RoleSessionName": {"bench"}}.Encode()
			req := signedSTS(b, env, creds, body)
			h := env.Server.Handler()
			b.ReportAllocs()
			b.ResetTimer()
			user0, sys0 := cpuTime()
			defer func() {
				// CPU time of the whole process per request: less
				// sensitive than wall time to other load on the machine.
				user, sys := cpuTime()
				b.ReportMetric(float64((user-user0).Nanoseconds())/float64(b.N), "user-ns/op")
				b.ReportMetric(float64((sys-sys0).Nanoseconds())/float64(b.N), "sys-ns/op")
			}()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := req.Clone(context.Background())
					r.Body = ioNop(body)
					r.RemoteAddr = "127.0.0.1:1234"
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Errorf("status %d", w.Code)
						return
					}
				}
			})
		})
	}
}

// noQuotas turns the STS quotas off: a benchmark calling AssumeRole as
// fast as it can would otherwise measure Throttling answers.
func noQuotas(c *config.Config) { c.STSPrincipalRate, c.STSAccountRate = 0, 0 }

// cpuTime is the process's user and system CPU time so far.
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
