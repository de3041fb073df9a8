package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// Service names, as they appear in a SigV4 credential scope.
const (
	serviceIAM = "iam"
	serviceSTS = "sts"
	serviceS3  = "s3"
)

// unsignedSTSActions are the STS actions AWS accepts without a signature:
// the federation actions, whose caller is the token or assertion they carry
// (a signature, if sent, is not checked; see federationCaller).
var unsignedSTSActions = map[string]bool{
	"AssumeRoleWithWebIdentity": true,
	"AssumeRoleWithSAML":        true,
}

// stsActions lets an unsigned Query request be answered in STS's namespace.
var stsActions = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithWebIdentity": true, "AssumeRoleWithSAML": true, "AssumeRoot": true,
	"DecodeAuthorizationMessage": true, "GetAccessKeyInfo": true, "GetCallerIdentity": true,
	"GetFederationToken": true, "GetSessionToken": true, "GetDelegatedAccessToken": true, "GetWebIdentityToken": true,
}

func (s *Server) routes() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// serveHTTP is the single entry point: pick the service, then hand the
// request to that service's front end.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.netNow()
	// A client that sent "Expect: 100-continue" with an empty body may wait
	// for the interim answer before it goes on: botocore does, and without
	// it reads the final response as the interim one and then waits out its
	// read timeout on the next request of the connection. Go's server sends
	// 100 Continue only when a handler reads a body, which an empty one
	// never is; send it here, before any header is set.
	if r.ContentLength == 0 && r.ProtoAtLeast(1, 1) && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		w.WriteHeader(http.StatusContinue)
	}
	rec := s.newRecord(r, start)
	g, w, r := s.guardRequest(w, r)
	defer s.finish(g, rec, start)
	if unsigned(r) {
		if !s.unsignedSlots.tryAcquire() {
			s.rejectBusy(w, r, rec)
			return
		}
		defer s.unsignedSlots.release()
	}
	switch route(r) {
	case serviceIAM:
		s.serveQuery(w, r, serviceIAM, rec)
	case serviceSTS:
		s.serveQuery(w, r, serviceSTS, rec)
	default:
		s.serveS3(w, r, rec)
	}
}

// newRecord starts the record of a request with what its HTTP request
// line and connection say; start is the wall clock's reading at its start.
func (s *Server) newRecord(r *http.Request, start time.Time) *pipeline.Record {
	t := start
	if !s.oneClock {
		t = s.now()
	}
	rec := &pipeline.Record{RequestID: awsapi.NewRequestID(), Time: t, Method: r.Method, Host: r.Host, Path: r.URL.Path,
		SourceIP: clientIP(r), UserAgent: r.UserAgent(), AccessKeyID: claimedAccessKey(r)}
	if r.TLS != nil {
		rec.TLSVersion, rec.TLSCipher = tls.VersionName(r.TLS.Version), tls.CipherSuiteName(r.TLS.CipherSuite)
	}
	return rec
}

// finish ends a request: its protections are released, the record gets
// the response's status, sizes and duration, and goes to the sink.
func (s *Server) finish(g *guard, rec *pipeline.Record, start time.Time) {
	end := s.netNow()
	g.done(end)
	rec.Status, rec.BytesOut = g.w.status, g.w.written
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	if g.body != nil {
		rec.BytesIn = g.body.n.Load()
	}
	rec.Duration = end.Sub(start)
	s.sink.Record(context.Background(), rec)
}

// clientIP is the request's peer address without its port.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// route decides which service a request is for: the credential scope's
// service when the request is signed; the Action parameter for unsigned
// Query requests; S3 otherwise.
func route(r *http.Request) string {
	if svc := scopeService(r); svc != "" {
		switch svc {
		case serviceIAM, serviceSTS:
			return svc
		}
		return serviceS3
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		action := r.URL.Query().Get("Action")
		if action == "" && r.Method == http.MethodPost && isForm(r) {
			// Reading the form here is safe: the read is bounded (size,
			// memory budget, body timeout) and serveQuery gets the kept
			// bytes, or the same error, which it answers in Query shape
			// (STS's, the service that takes unsigned calls).
			var err error
			if action, err = peekFormAction(r); err != nil {
				return serviceSTS
			}
		}
		if action != "" {
			if stsActions[action] {
				return serviceSTS
			}
			return serviceIAM
		}
	}
	return serviceS3
}

// scopeService extracts the service from the Authorization header's
// Credential or from X-Amz-Credential, without validating anything else.
func scopeService(r *http.Request) string {
	var cred string
	if h := r.Header.Get("Authorization"); h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return ""
		}
		cred = h[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q := r.URL.RawQuery; strings.Contains(q, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// AKID/date/region/service/aws4_request: the fourth field.
	for i := 0; i < 3; i++ {
		j := strings.IndexByte(cred, '/')
		if j < 0 {
			return ""
		}
		cred = cred[j+1:]
	}
	svc, rest, ok := strings.Cut(cred, "/")
	if !ok || rest != "aws4_request" {
		return ""
	}
	return svc
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded")
}

// peekFormAction reads the (bounded) body of an unsigned form POST, keeps it
// for the handler, and returns its Action.
func peekFormAction(r *http.Request) (string, error) {
	body, err := readBody(r)
	if err != nil {
		return "", err
	}
	return formValue(body, "Action"), nil
}

// formValue is the first value of name in a URL-encoded form, found
// without parsing (or copying) the rest of the form.
func formValue(form []byte, name string) string {
	for len(form) > 0 {
		var pair []byte
		if i := bytes.IndexByte(form, '&'); i >= 0 {
			pair, form = form[:i], form[i+1:]
		} else {
			pair, form = form, nil
		}
		k, v, _ := bytes.Cut(pair, []byte("="))
		if string(k) != name {
			if !bytes.ContainsAny(k, "%+") {
				continue
			}
			if key, err := url.QueryUnescape(string(k)); err != nil || key != name {
				continue
			}
		}
		value, err := url.QueryUnescape(string(v))
		if err != nil {
			return ""
		}
		return value
	}
	return ""
}
