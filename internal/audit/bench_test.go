package audit

import (
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/token"
)

type benchResult struct {
	Credentials struct {
		AccessKeyId     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
	AssumedRoleUser struct {
		Arn           string `xml:"Arn"`
		AssumedRoleId string `xml:"AssumedRoleId"`
	} `xml:"AssumedRoleUser"`
	PackedPolicySize *int   `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string `xml:"SourceIdentity,omitempty"`
}

func benchRecords() (assume, get *pipeline.Record) {
	user := &authz.Principal{Type: authz.TypeUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/bench", UserID: "AIDAEXAMPLEEXAMPLEEX",
		UserName: "bench", AccessKeyID: "AKIAEXAMPLEEXAMPLE01"}
	res := &benchResult{}
	res.Credentials.AccessKeyId, res.Credentials.SecretAccessKey, res.Credentials.SessionToken = "ASIAEXAMPLEEXAMPLE01", "secret", "token"
	res.Credentials.Expiration = "2026-05-01T13:00:00Z"
	res.AssumedRoleUser.Arn, res.AssumedRoleUser.AssumedRoleId = "arn:aws:sts::111122223333:assumed-role/bench/s", "AROAEXAMPLEEXAMPLEEX:s"
	assume = &pipeline.Record{RequestID: "5e3c1c4e-9a57-4a5e-8b45-3b1f6f0c2a11", Service: "sts", Operation: "AssumeRole", Time: time.Now(), Principal: user,
		Params: url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::111122223333:role/bench"}, "RoleSessionName": {"s"}},
		Checks: []pipeline.CheckRecord{{Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/bench", ResourceAccount: "111122223333"}},
		Result: res, Auth: "header", SignatureVersion: "SigV4", SourceIP: "127.0.0.1", UserAgent: "wrk", Status: 200, BytesOut: 1200}
	sess := &token.Session{Kind: token.KindRole, Account: "111122223333", IssuedAt: time.Now(), RoleARN: "arn:aws:iam::111122223333:role/bench", RoleID: "AROAEXAMPLEEXAMPLEEX"}
	role := &authz.Principal{Type: authz.TypeAssumedRole, Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/bench/s",
		UserID: "AROAEXAMPLEEXAMPLEEX:s", AccessKeyID: "ASIAEXAMPLEEXAMPLE01", Session: sess}
	get = &pipeline.Record{RequestID: "5e3c1c4e-9a57-4a5e-8b45-3b1f6f0c2a12", Service: "s3", Operation: "GetObject", Time: time.Now(), Principal: role,
		Bucket: "bench", Key: "obj/000123", Params: url.Values{}, Host: "127.0.0.1:8797",
		Checks: []pipeline.CheckRecord{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bench/obj/000123", ResourceAccount: "111122223333"}},
		Auth:   "header", SignatureVersion: "SigV4", SourceIP: "127.0.0.1", UserAgent: "wrk", Status: 200, BytesOut: 4096}
	return assume, get
}

// BenchmarkEvent is the trail's work per request (on its own goroutine):
// convert the record and encode the event.
func BenchmarkEvent(b *testing.B) {
	assume, get := benchRecords()
	for _, tc := range []struct {
		name string
		r    *pipeline.Record
	}{{"AssumeRole", assume}, {"GetObject", get}} {
		b.Run(tc.name, func(b *testing.B) {
			c := &Converter{Region: "us-east-1", NewID: (&idSource{}).next}
			var buf []byte
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				buf, _ = c.AppendEvents(buf[:0], tc.r)
			}
			// CPU time per event, which other load on the machine
			// changes less than wall time.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.SetBytes(int64(len(buf)))
		})
	}
}

// BenchmarkTrail is the trail saturated: requests hand it GetObject
// records from every core with back-pressure on, so that each waits for
// the trail's goroutine; ns/op is the time per event at the trail's
// highest rate (encoding and a discarding sink).
func BenchmarkTrail(b *testing.B) {
	_, get := benchRecords()
	l := New(Options{Sinks: []Sink{NewWriterSink(nil)}, Buffer: 8192, DataEvents: true, BackPressure: true})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(ctx, get)
		}
	})
	if err := l.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if _, dropped := l.Stats(); dropped != 0 || l.Written() != uint64(b.N) {
		b.Fatalf("written %d of %d, dropped %d", l.Written(), b.N, dropped)
	}
}

func BenchmarkAppendString(b *testing.B) {
	s := "aws-sdk-go-v2/1.48.0 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/sts#1.51.9 m/E arn:aws:sts::111122223333:assumed-role/bench/s"
	var buf []byte
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = appendString(buf[:0], s)
	}
}

// cpuTime is the process's CPU time (user and system) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
