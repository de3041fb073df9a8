package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
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
	r.Body = &keptBody{Reader: bytes.NewReader(b), b: b, err: err}
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
	*bytes.Reader
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
	internalCode string
	version      string
}

var queryServices = map[string]queryService{
	serviceIAM: {namespace: awsapi.IAMNamespace, internalCode: "ServiceFailure", version: "2010-05-08"},
	serviceSTS: {namespace: awsapi.STSNamespace, internalCode: "InternalFailure", version: "2011-06-15"},
}

// serveQuery is the AWS Query protocol front end shared by IAM and STS:
// bounded body, signature, principal, action lookup, authorization, handler,
// XML response.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, svc, requestID string) {
	qs := queryServices[svc]
	fail := func(err error) {
		e := awsapi.AsError(err, qs.internalCode)
		if e.HTTPStatus() >= 500 {
			s.log.Error("request failed", "service", svc, "request_id", requestID, "err", err)
		}
		awsapi.WriteQueryError(w, qs.namespace, e, requestID)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		fail(&awsapi.Error{Code: "InvalidAction", Message: "Only GET and POST are supported.", Status: http.StatusMethodNotAllowed})
		return
	}
	body, err := readBody(r)
	if err != nil {
		var ae *awsapi.Error
		switch {
		case errors.Is(err, errBodyTooLarge):
			fail(&awsapi.Error{Code: "RequestEntityTooLarge", Message: "Request body is larger than 1 MiB.", Status: http.StatusRequestEntityTooLarge})
		case errors.As(err, &ae): // RequestTimeout, or the body budget is spent
			fail(ae)
		default:
			fail(awsapi.NewError("IncompleteSignature", "The request body could not be read."))
		}
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost && isForm(r) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			fail(awsapi.NewError("MalformedQueryString", "The request body is not a valid form encoding."))
			return
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	action := params.Get("Action")

	sum := sha256.Sum256(body)
	caller, err := s.authn.Authenticate(r.Context(), r, authz.AuthRequest{Service: svc, PayloadHash: hex.EncodeToString(sum[:])})
	switch {
	case errors.Is(err, authz.ErrNoCredentials) && svc == serviceSTS && unsignedSTSActions[action]:
		caller = nil // unsigned web-identity / SAML federation
	case err != nil:
		fail(queryAuthError(err))
		return
	}
	if action == "" {
		fail(awsapi.NewError("MissingAction", "Missing Action"))
		return
	}
	if v := params.Get("Version"); v != "" && v != qs.version {
		fail(awsapi.Errorf("InvalidAction", "Could not find operation %s for version %s", action, v))
		return
	}

	info := s.requestInfo(r)
	switch svc {
	case serviceIAM:
		s.serveIAM(w, r, caller, info, action, params, requestID, fail)
	case serviceSTS:
		s.serveSTS(w, r, caller, info, action, params, requestID, fail)
	}
}

// requestInfo is what the HTTP request contributes to policy evaluation.
func (s *Server) requestInfo(r *http.Request) authz.RequestInfo {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return authz.RequestInfo{Now: s.now(), SourceIP: ip, SecureTransport: r.TLS != nil, Region: s.cfg.Region, UserAgent: r.UserAgent()}
}

// serveIAM authorizes and runs one IAM action.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request, caller *authz.Principal, info authz.RequestInfo, action string, params url.Values, requestID string, fail func(error)) {
	if caller == nil {
		fail(awsapi.NewError("MissingAuthenticationToken", "Request is missing Authentication Token"))
		return
	}
	op, ok := s.iam.Operation(action)
	if !ok {
		fail(awsapi.Errorf("InvalidAction", "Could not find operation %s for version 2010-05-08", action))
		return
	}
	resource := op.Resource(caller, params)
	if err := s.authorizeIAM(r, caller, info, "iam:"+action, resource, params); err != nil {
		fail(err)
		return
	}
	result, err := s.iam.Handle(r.Context(), caller, action, params)
	if err != nil {
		fail(err)
		return
	}
	awsapi.WriteQueryResponse(w, awsapi.IAMNamespace, action, result, requestID)
}

// authorizeIAM evaluates the caller's policies for an IAM action. Sessions
// from GetSessionToken without MFA may not call IAM at all, as in AWS.
func (s *Server) authorizeIAM(r *http.Request, caller *authz.Principal, info authz.RequestInfo, action, resource string, params url.Values) error {
	if sess := caller.Session; sess != nil && sess.Kind == token.KindSession && !sess.MFA {
		return awsapi.Errorf("InvalidClientTokenId", "The security token included in the request is invalid")
	}
	err := s.authz.Authorize(r.Context(), caller, info, authz.Check{Action: action, Resource: resource, Keys: iamConditionKeys(params)})
	return accessDenied(err)
}

// accessDenied maps a policy denial to the Query protocol's AccessDenied.
func accessDenied(err error) error {
	var d *authz.DeniedError
	if errors.As(err, &d) {
		return awsapi.NewError("AccessDenied", d.Error())
	}
	return err
}

// iamConditionKeys are the request's IAM condition keys: aws:RequestTag/*
// and aws:TagKeys for tagging, iam:PolicyARN for attachments,
// iam:PermissionsBoundary when a boundary is set.
func iamConditionKeys(p url.Values) map[string][]string {
	keys := map[string][]string{}
	var tagKeys []string
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i)
		if !p.Has(prefix + ".Key") {
			break
		}
		k := p.Get(prefix + ".Key")
		keys["aws:requesttag/"+strings.ToLower(k)] = []string{p.Get(prefix + ".Value")}
		tagKeys = append(tagKeys, k)
	}
	for i := 1; ; i++ {
		k := "TagKeys.member." + strconv.Itoa(i)
		if !p.Has(k) {
			break
		}
		tagKeys = append(tagKeys, p.Get(k))
	}
	if tagKeys != nil {
		keys["aws:tagkeys"] = tagKeys
	}
	if v := p.Get("PolicyArn"); v != "" {
		keys["iam:policyarn"] = []string{v}
	}
	if v := p.Get("PermissionsBoundary"); v != "" {
		keys["iam:permissionsboundary"] = []string{v}
	}
	return keys
}
