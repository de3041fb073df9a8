package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/token"
)

// maxQueryBody bounds the form body of an IAM or STS request. AWS's largest
// Query parameter (a policy document) is 131,072 characters; 1 MiB leaves
// room for its URL encoding.
const maxQueryBody = 1 << 20

// queryBodyAllowance is what every Query body may hold without drawing on
// the server's shared budget (query-body-memory): more than almost any IAM
// or STS request needs.
const queryBodyAllowance = 16 << 10

var errBodyTooLarge = errors.New("request body too large")

// readBody reads a bounded request body once and keeps it, so later
// readers see it again and later calls return the same bytes (or the same
// error) without reading or copying. Reads go through the request's timed
// body (guard.go): a client that stops sending gets RequestTimeout; memory
// past queryBodyAllowance is reserved from the server's budget as the body
// arrives, so a body that claims a large length but is not sent costs
// nothing.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if kept, ok := r.Body.(*keptBody); ok {
		return kept.b, kept.err
	}
	reserve := func(int64) error { return nil }
	if tb, ok := r.Body.(*timedBody); ok {
		reserve = tb.reserve
	}
	b, err := readBounded(r.Body, r.ContentLength, reserve)
	if err == nil {
		// Read to its end: closed now, net/http does not look for more of
		// it after the answer (which costs a copy loop per request).
		_ = r.Body.Close()
	}
	kept := &keptBody{b: b, err: err}
	kept.Reset(b)
	r.Body = kept
	return b, err
}

// readBounded reads at most maxQueryBody bytes, growing its buffer as bytes
// arrive and reserving capacity beyond queryBodyAllowance before it is
// allocated.
func readBounded(r io.Reader, length int64, reserve func(int64) error) ([]byte, error) {
	if length > maxQueryBody {
		return nil, errBodyTooLarge
	}
	size := 4 << 10
	if length > 0 && length <= queryBodyAllowance {
		size = int(length)
	}
	buf := make([]byte, 0, size)
	charged := 0
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= maxQueryBody {
				var probe [1]byte
				if n, err := io.ReadFull(r, probe[:]); n > 0 {
					return nil, errBodyTooLarge
				} else if err != io.EOF {
					return nil, err
				}
				return buf, nil
			}
			grown := min(2*cap(buf), maxQueryBody)
			if need := max(grown-queryBodyAllowance, 0) - charged; need > 0 {
				if err := reserve(int64(need)); err != nil {
					return nil, err
				}
				charged += need
			}
			buf = append(make([]byte, 0, grown), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// keptBody is a body readBody has read: the bytes again for any reader,
// and readBody's result for readBody.
type keptBody struct {
	bytes.Reader
	b   []byte
	err error
}

func (k *keptBody) Read(p []byte) (int, error) {
	if k.err != nil {
		return 0, k.err
	}
	return k.Reader.Read(p)
}

func (*keptBody) Close() error { return nil }

type queryService struct {
	namespace    string
	internalCode *awsapi.Code
	version      string
}

var queryServices = map[string]queryService{
	serviceIAM: {namespace: awsapi.IAMNamespace, internalCode: awsapi.ErrServiceFailure, version: "2010-05-08"},
	serviceSTS: {namespace: awsapi.STSNamespace, internalCode: awsapi.ErrInternalFailure, version: "2011-06-15"},
}

// serveQuery is the AWS Query protocol adapter shared by IAM and STS: it
// turns the request into a queryExchange for the pipeline driver.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, svc string, rec *pipeline.Record) {
	rec.Service = svc
	x := &queryExchange{s: s, w: w, r: r, svc: svc, qs: queryServices[svc], requestID: rec.RequestID, rec: rec}
	s.pipeline.Serve(r.Context(), x, rec)
	if x.release != nil {
		x.release()
	}
}

// queryExchange is one IAM or STS request in the pipeline.
type queryExchange struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	svc       string
	qs        queryService
	requestID string
	rec       *pipeline.Record

	params url.Values
	action string
	caller *authz.Principal
	info   authz.RequestInfo
	call   *pipeline.Call
	// release frees the unsigned slot a signed federation call
	// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) took: its signature
	// counts for nothing.
	release func()
}

var _ pipeline.Exchange = (*queryExchange)(nil)

// Authenticate reads the bounded form body, verifies the signature (none
// for the federation actions, see federationCaller) and applies the
// credential rules of GetSessionToken and federated-user sessions.
func (x *queryExchange) Authenticate(ctx context.Context) (*authz.Principal, authz.RequestInfo, error) {
	r := x.r
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, authz.RequestInfo{}, awsapi.QueryMethodNotAllowed.Of()
	}
	body, err := readBody(r)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, authz.RequestInfo{}, awsapi.QueryBodyTooLarge.Of()
		}
		var ae *awsapi.Error
		if errors.As(err, &ae) {
			return nil, authz.RequestInfo{}, ae
		}
		return nil, authz.RequestInfo{}, awsapi.QueryBodyUnreadable.Of()
	}
	// The request's time, read once the whole body is in: the signature's,
	// the session token's, the policies' and an issued token's. Not the
	// record's start time — a body sent slowly (each byte restarts the
	// body timeout) would otherwise carry an expired token or an old
	// aws:CurrentTime past its end.
	now := x.s.now()
	var params url.Values
	if r.Method == http.MethodPost && isForm(r) {
		form, err := parseForm(body)
		if err != nil {
			return nil, authz.RequestInfo{}, awsapi.QueryBodyMalformed.Of()
		}
		params = form
		// SDKs send the parameters in the body alone; a query string,
		// when there is one, puts its values before the form's.
		if r.URL.RawQuery != "" {
			for k, v := range r.URL.Query() {
				params[k] = append(v, form[k]...)
			}
		}
	} else {
		params = r.URL.Query()
	}
	x.params, x.action = params, params.Get("Action")
	x.rec.Params, x.rec.Operation = redacted(params), x.action
	var v *authz.Verified
	if x.svc == serviceSTS && unsignedSTSActions[x.action] {
		// Federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML):
		// the token or assertion authenticates, and STS decides the
		// checks for the subject it verifies there.
		v, err = x.federationCaller()
	} else {
		sum := sha256.Sum256(body)
		var hash [2 * sha256.Size]byte
		hex.Encode(hash[:], sum[:])
		v, err = x.s.authn.Verify(ctx, r, authz.AuthRequest{Service: x.svc, PayloadHash: string(hash[:]), Now: now})
	}
	if err != nil {
		return nil, authz.RequestInfo{}, awsapi.QueryError(err, x.qs.internalCode)
	}
	if x.action == "" {
		return nil, authz.RequestInfo{}, awsapi.QueryMissingAction.Of()
	}
	if ver := params.Get("Version"); ver != "" && ver != x.qs.version {
		return nil, authz.RequestInfo{}, awsapi.UnknownOperation.Of(x.action, ver)
	}
	caller := v.Principal
	// Sessions from GetSessionToken without MFA may not call IAM at all,
	// as in AWS.
	if sess := caller.Session; x.svc == serviceIAM && sess != nil && sess.Kind == token.KindSession && !sess.MFA {
		return nil, authz.RequestInfo{}, awsapi.SessionWithoutMFAForIAM.Of()
	}
	// Nor may federated users (GetFederationToken), ever.
	if sess := caller.Session; x.svc == serviceIAM && sess != nil && sess.Kind == token.KindFederated {
		return nil, authz.RequestInfo{}, awsapi.FederatedSessionForIAM.Of()
	}
	x.caller, x.info = caller, x.s.requestInfo(r, now)
	// aws:RequestedRegion is the region the request was signed for.
	x.info.Region = v.Auth.Region
	if caller.Type != authz.TypeAnonymous {
		x.rec.Auth, x.rec.SignatureVersion = "header", "SigV4"
		if r.Header.Get("Authorization") == "" {
			x.rec.Auth = "query"
		}
	}
	return caller, x.info, nil
}

// federationCaller authenticates the federation actions as AWS does: by
// nothing but the token or assertion they carry, which STS verifies while
// resolving the call. Their caller is anonymous, and the region is the
// server's. A signature, if the client sent one, grants nothing and is not
// checked — and does not make the call any less unsigned: it takes one of
// the unsigned requests' slots like the others, so a made-up Authorization
// header cannot get around their cap.
func (x *queryExchange) federationCaller() (*authz.Verified, error) {
	if !unsigned(x.r) {
		if !x.s.unsignedSlots.tryAcquire() {
			return nil, errQueryBusy()
		}
		x.release = x.s.unsignedSlots.release
	}
	return &authz.Verified{Principal: authz.Anonymous(), Auth: &sigv4.Auth{Region: x.s.cfg.Region}}, nil
}

// bearerParams are the parameters that are credentials by themselves: a
// web identity token, a SAML assertion.
var bearerParams = []string{"WebIdentityToken", "SAMLAssertion"}

// redacted is params as the request's record keeps them: a bearer
// credential is not kept.
func redacted(params url.Values) url.Values {
	var c url.Values
	for _, k := range bearerParams {
		if !params.Has(k) {
			continue
		}
		if c == nil {
			c = make(url.Values, len(params))
			for k, v := range params {
				c[k] = v
			}
		}
		c[k] = []string{"HIDDEN_DUE_TO_SECURITY_REASONS"}
	}
	if c == nil {
		return params
	}
	return c
}

// Resolve hands the action to its service, which loads what it acts on
// and declares its checks.
func (x *queryExchange) Resolve(ctx context.Context) (pipeline.Plan, error) {
	var err error
	switch x.svc {
	case serviceIAM:
		x.call, err = x.s.iam.Resolve(ctx, x.caller, x.action, x.params)
	case serviceSTS:
		x.call, err = x.s.sts.Resolve(ctx, x.caller, x.info, x.action, x.params)
	}
	if err != nil {
		return pipeline.Plan{}, err
	}
	return x.call.Plan, nil
}

// Handle runs the action and writes its result.
func (x *queryExchange) Handle(ctx context.Context, o pipeline.Outcomes) error {
	result, err := x.call.Run(ctx, o)
	if err != nil {
		return err
	}
	buf := x.s.queryBuffers.get()
	*buf = awsapi.WriteQueryResponse(x.w, *buf, x.qs.namespace, x.action, result, x.requestID)
	x.s.queryBuffers.put(buf)
	x.rec.Result = result
	return nil
}

// Fail writes err in the Query protocol's shape: a policy denial as
// AccessDenied in AWS's words, a failure to decide as the service's
// internal error.
func (x *queryExchange) Fail(err error) (string, string) {
	e := awsapi.QueryError(err, x.qs.internalCode)
	if e.HTTPStatus() >= 500 {
		x.s.log.Error("request failed", "service", x.svc, "action", x.action, "request_id", x.requestID, "err", err)
	}
	awsapi.WriteQueryError(x.w, x.qs.namespace, e, x.requestID)
	return e.Code, e.Message
}

// requestInfo is what the HTTP request contributes to policy evaluation.
func (s *Server) requestInfo(r *http.Request, now time.Time) authz.RequestInfo {
	return authz.RequestInfo{Now: now, SourceIP: clientIP(r), SecureTransport: r.TLS != nil, Region: s.cfg.Region, UserAgent: r.UserAgent()}
}

// bufferPool keeps the buffers IAM and STS answers are built in, so that
// a call does not allocate (and zero) a fresh one: an STS answer with its
// session token is about 1 KiB. Buffers that grew past maxPooledBuffer (a
// long listing) are left to the garbage collector rather than kept.
type bufferPool struct{ p sync.Pool }

const maxPooledBuffer = 64 << 10

func (b *bufferPool) get() *[]byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return v
	}
	buf := make([]byte, 0, 2048)
	return &buf
}

func (b *bufferPool) put(buf *[]byte) {
	if cap(*buf) <= maxPooledBuffer {
		*buf = (*buf)[:0]
		b.p.Put(buf)
	}
}
