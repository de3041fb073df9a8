package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// unsignedPayload is the x-amz-content-sha256 of a streamed body.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// client sends hand-built requests, each signed afresh with SigV4 (no SDK
// middleware in the hot loop). It is safe for concurrent use.
type client struct {
	hc       *http.Client
	endpoint string // scheme://host[:port], no trailing slash
	// spread, when set, are the endpoints requests go to instead, in turn
	// (next counts them).
	spread   []string
	next     atomic.Uint64
	region   string
	s3Signer *v4.Signer // S3 signs the path as sent (no double escaping)
	signer   *v4.Signer
}

func newClient(endpoint, region string, concurrency int) *client {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        concurrency*4 + 16,
		MaxIdleConnsPerHost: concurrency*4 + 16, // multipart: parts in flight per worker
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		// A hung endpoint fails the request instead of the run; generous,
		// as completing a large multipart upload may take a while.
		ResponseHeaderTimeout: 5 * time.Minute,
	}
	return &client{
		hc:       &http.Client{Transport: tr},
		endpoint: strings.TrimRight(endpoint, "/"),
		region:   region,
		s3Signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		signer:   v4.NewSigner(),
	}
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// spreadOver sends the requests from now on to endpoints in turn.
func (c *client) spreadOver(endpoints []string) {
	for i, e := range endpoints {
		endpoints[i] = strings.TrimRight(e, "/")
	}
	c.spread = endpoints
}

// target is the endpoint of the next request.
func (c *client) target() string {
	if len(c.spread) == 0 {
		return c.endpoint
	}
	return c.spread[(c.next.Add(1)-1)%uint64(len(c.spread))]
}

// s3req is one S3 request to send.
type s3req struct {
	method string
	path   string // /bucket[/key], unescaped path characters only
	query  url.Values
	body   io.Reader // nil for none
	size   int64     // body length
	hash   string    // payload hash: hex sha256, or unsignedPayload
	header http.Header
}

// response is what the hot loop keeps of an answer.
type response struct {
	status int
	header http.Header
	n      int64  // body bytes read
	body   []byte // the body, when asked to keep it (small answers only)
}

// apiError is a non-2xx answer: its status and AWS error code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("HTTP %d", e.status)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.message)
}

// unsupported reports whether an error says the endpoint does not
// implement the operation at all (as opposed to refusing this caller).
func unsupported(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.code {
	case "NotImplemented", "InvalidAction", "UnknownOperation", "InvalidRequest", "MethodNotAllowed", "UnsupportedOperation", "XMinioIAMNotImplemented":
		return true
	}
	return ae.status == http.StatusNotImplemented || ae.status == http.StatusMethodNotAllowed ||
		(ae.code == "" && (ae.status == http.StatusBadRequest || ae.status == http.StatusNotFound))
}

// s3 sends an S3 request signed with creds. keep asks for the body.
func (c *client) s3(ctx context.Context, creds aws.Credentials, r s3req, keep bool) (response, error) {
	u := c.target() + r.path
	if len(r.query) > 0 {
		u += "?" + strings.ReplaceAll(r.query.Encode(), "+", "%20")
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, r.body)
	if err != nil {
		return response{}, err
	}
	if r.body != nil {
		req.ContentLength = r.size
		if r.size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	hash := r.hash
	if hash == "" {
		hash = emptySHA256
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := c.s3Signer.SignHTTP(ctx, creds, req, hash, "s3", c.region, time.Now()); err != nil {
		return response{}, err
	}
	return c.do(req, keep)
}

// query sends a form-encoded POST to an AWS query API (STS, IAM), signed
// with creds unless creds is nil (AssumeRoleWithWebIdentity is unsigned).
func (c *client) query(ctx context.Context, creds *aws.Credentials, service string, form url.Values, keep bool) (response, error) {
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.target()+"/", strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if creds != nil {
		sum := sha256.Sum256([]byte(body))
		if err := c.signer.SignHTTP(ctx, *creds, req, hex.EncodeToString(sum[:]), service, c.region, time.Now()); err != nil {
			return response{}, err
		}
	}
	return c.do(req, keep)
}

func (c *client) do(req *http.Request, keep bool) (response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode/100 != 2 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_, _ = io.Copy(io.Discard, resp.Body)
		return out, parseError(resp.StatusCode, raw)
	}
	if keep {
		var b bytes.Buffer
		out.n, err = b.ReadFrom(resp.Body)
		out.body = b.Bytes()
	} else {
		out.n, err = io.Copy(io.Discard, resp.Body)
	}
	return out, err
}

// parseError reads the code and message of an S3 (<Error>) or query API
// (<ErrorResponse><Error>) error body.
func parseError(status int, raw []byte) error {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Inner   struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	_ = xml.Unmarshal(raw, &e)
	if e.Code == "" {
		e.Code, e.Message = e.Inner.Code, e.Inner.Message
	}
	return &apiError{status: status, code: e.Code, message: e.Message}
}

// stsCredentials reads the credentials of an AssumeRole* answer.
func stsCredentials(raw []byte) (aws.Credentials, error) {
	var r struct {
		Result []struct {
			Credentials struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string `xml:"SecretAccessKey"`
				SessionToken    string `xml:"SessionToken"`
			} `xml:"Credentials"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(raw, &r); err != nil {
		return aws.Credentials{}, fmt.Errorf("reading STS answer: %w", err)
	}
	for _, res := range r.Result {
		if c := res.Credentials; c.AccessKeyID != "" {
			return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Source: "sts"}, nil
		}
	}
	return aws.Credentials{}, errors.New("STS answer carries no credentials")
}

// assumeRole returns temporary credentials for roleARN.
func (c *client) assumeRole(ctx context.Context, creds aws.Credentials, roleARN string) (aws.Credentials, error) {
	resp, err := c.query(ctx, &creds, "sts", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {roleARN}, "RoleSessionName": {"gatehouse-bench"}, "DurationSeconds": {"3600"}}, true)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("sts:AssumeRole %s: %w", roleARN, err)
	}
	return stsCredentials(resp.body)
}

// callerAccount returns the account of creds (sts:GetCallerIdentity).
func (c *client) callerAccount(ctx context.Context, creds aws.Credentials) (string, error) {
	resp, err := c.query(ctx, &creds, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, true)
	if err != nil {
		return "", err
	}
	var r struct {
		Account string `xml:"GetCallerIdentityResult>Account"`
	}
	if err := xml.Unmarshal(resp.body, &r); err != nil {
		return "", err
	}
	return r.Account, nil
}

// ensureBucket creates bucket unless the caller already owns it.
func (c *client) ensureBucket(ctx context.Context, creds aws.Credentials, bucket string) error {
	_, err := c.s3(ctx, creds, s3req{method: http.MethodPut, path: "/" + bucket}, false)
	var ae *apiError
	if errors.As(err, &ae) && (ae.code == "BucketAlreadyOwnedByYou" || ae.code == "BucketAlreadyExists") {
		return nil
	}
	return err
}
