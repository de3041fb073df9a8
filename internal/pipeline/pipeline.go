// Package pipeline is the one driver every request of every service goes
// through: authenticate → resolve → authorize → handle → record.
//
// A protocol adapter (the Query front end of IAM and STS, the REST front end
// of S3) turns one HTTP request into an Exchange; Serve drives it. Resolve
// loads what the operation acts on and returns every authorization check it
// needs (Plan); the driver decides each check with the authorizer, records
// every decision, and only then lets the operation's handler run. Handlers
// never call the authorizer: a check a handler needs to branch on (a
// DeleteObjects key, the ListBucket probe behind a missing key's 404) is
// declared Soft and its outcome is handed to the handler.
//
// The driver fails closed: a plan with no checks (and no documented reason
// to need none), a check with no action, or any error while deciding fails
// the request.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// ErrNoChecks fails a request whose operation declared nothing to check.
var ErrNoChecks = errors.New("pipeline: the operation declared no authorization check")

// Check is one authorization question of a request.
type Check struct {
	authz.Check
	// Soft: a denial does not fail the request; the handler reads the
	// outcome (Outcomes.Allowed) and answers as AWS does.
	Soft bool
	// Principal, when set, is who the check is decided for instead of the
	// request's authenticated caller: a federation action
	// (AssumeRoleWithSAML) is unsigned, and its caller is the subject its
	// resolve step verified in the assertion.
	Principal *authz.Principal
}

// Plan is what an operation's resolve step returns.
type Plan struct {
	Checks []Check
	// NoCheck, when not empty, is the documented reason an operation needs
	// no policy (GetCallerIdentity; a CORS preflight, which grants
	// nothing). A plan with neither checks nor a reason fails the request.
	NoCheck string
}

// Outcomes are the decisions of a plan's checks, in order.
type Outcomes struct {
	n    int     // checks decided
	errs []error // nil when every check was allowed; else per check nil or a *authz.DeniedError
}

// Allowed reports whether check i of the plan was allowed.
func (o Outcomes) Allowed(i int) bool {
	return i >= 0 && i < o.n && (o.errs == nil || o.errs[i] == nil)
}

// Denial is check i's *authz.DeniedError (nil when allowed).
func (o Outcomes) Denial(i int) error {
	if o.errs != nil && i >= 0 && i < o.n {
		return o.errs[i]
	}
	return nil
}

// Exchange is one request of one protocol, as its adapter sees it.
type Exchange interface {
	// Authenticate verifies the request and names its caller.
	Authenticate(ctx context.Context) (*authz.Principal, authz.RequestInfo, error)
	// Resolve validates the request, loads what it acts on and returns
	// the checks to decide.
	Resolve(ctx context.Context) (Plan, error)
	// Handle performs the operation; every required check was allowed.
	Handle(ctx context.Context, o Outcomes) error
	// Fail answers the request with err in the protocol's shape and
	// returns the AWS error code and message it sent.
	Fail(err error) (code, message string)
}

// Decider decides one check (authz.Authorizer).
type Decider interface {
	Decide(ctx context.Context, p *authz.Principal, info authz.RequestInfo, c authz.Check) (policy.Decision, error)
}

var _ Decider = (*authz.Authorizer)(nil)

// Record is the record of one request: who asked for what, how each check
// was decided and by which policy statement, and how the request ended.
// The protocol adapter fills what it saw (operation, parameters, bucket
// and key), the driver the principal and the decisions, and the server
// the HTTP facts once the response is complete; the server then hands it
// to its Sink (the audit trail, the access log, the metrics). A record
// carries no secret: Params are what the client sent, which the audit
// trail filters before writing.
type Record struct {
	RequestID string
	Service   string // iam, sts, s3
	Operation string // the API operation ("" when the request never named one)
	Time      time.Time
	Principal *authz.Principal // nil when authentication failed
	// Subject is who a federation action's checks were decided for (the
	// subject its verified token or assertion names: Check.Principal),
	// nil for other requests. The audit trail names it as the caller.
	Subject   *authz.Principal
	Checks    []CheckRecord
	NoCheck   string // the reason, when the operation needed no policy
	ErrorCode string // "" on success
	// ErrorMessage is the message sent with ErrorCode.
	ErrorMessage string
	Err          error // the cause, for logs (never sent to clients)

	// Params are the request's parameters: the Query protocol's form and
	// query parameters (IAM, STS); S3's URL query.
	Params url.Values
	// Bucket and Key are the S3 bucket and object addressed ("" for none).
	Bucket, Key string
	// Result is the operation's response payload (the Query protocol's
	// result struct), nil on error or when the operation returns none.
	Result any
	// Auth is how the request was authenticated: "header" (SigV4
	// Authorization header), "query" (a presigned URL), "post" (a browser
	// form's signed policy), "" when it carried no signature.
	Auth string
	// SignatureVersion is "SigV4" or "SigV2" for a signed request.
	SignatureVersion string
	// AccessKeyID is the access key id the request's signature names, as
	// the client sent it (bounded), also when authentication failed: the
	// audit trail shows which key a rejected request claimed. Not a secret.
	AccessKeyID string

	// The HTTP facts, filled by the server.
	Method, Host, Path  string
	SourceIP, UserAgent string
	TLSVersion          string // "" without TLS
	TLSCipher           string
	Status              int
	BytesIn, BytesOut   int64
	Duration            time.Duration

	checks [2]CheckRecord // Checks' storage for the common short plan
}

// CheckRecord is one decided check.
type CheckRecord struct {
	Action   string
	Resource string
	// ResourceAccount owns the resource when the check names it (a
	// bucket's owner, an assumed role's account); "" otherwise.
	ResourceAccount string
	Soft            bool
	Decision        policy.Decision
}

// Sink receives the record of every request once its response is
// complete. Record must not block the request for long: a sink that does
// I/O buffers (see internal/audit).
type Sink interface {
	Record(ctx context.Context, r *Record)
}

// Discard is the no-op Sink.
type Discard struct{}

// Record drops r.
func (Discard) Record(context.Context, *Record) {}

var _ Sink = Discard{}

// Tee is a Sink that hands every record to each of its sinks in order.
type Tee []Sink

// Record passes r to every sink.
func (t Tee) Record(ctx context.Context, r *Record) {
	for _, s := range t {
		s.Record(ctx, r)
	}
}

var _ Sink = Tee(nil)

// Driver runs exchanges.
type Driver struct {
	decider Decider
}

// New returns a driver deciding with d.
func New(d Decider) *Driver {
	return &Driver{decider: d}
}

// Serve drives one exchange to its end and fills rec with its principal,
// its decisions and how it ended. rec carries what the caller already
// knows (request id, service); the caller writes rec to its sinks once the
// response is complete.
func (d *Driver) Serve(ctx context.Context, x Exchange, rec *Record) {
	if err := d.run(ctx, x, rec); err != nil {
		rec.Err = err
		rec.ErrorCode, rec.ErrorMessage = x.Fail(err)
	}
}

func (d *Driver) run(ctx context.Context, x Exchange, rec *Record) error {
	p, info, err := x.Authenticate(ctx)
	if err != nil {
		return err
	}
	rec.Principal = p
	if rec.Time.IsZero() {
		rec.Time = info.Now
	}
	plan, err := x.Resolve(ctx)
	if err != nil {
		return err
	}
	o, err := d.Authorize(ctx, p, info, plan, rec)
	if err != nil {
		return err
	}
	return x.Handle(ctx, o)
}

// Authorize decides every check of plan for p, records each decision in
// rec, and returns the first required denial. Every check is decided (and
// recorded) even after a denial, so the record is complete.
func (d *Driver) Authorize(ctx context.Context, p *authz.Principal, info authz.RequestInfo, plan Plan, rec *Record) (Outcomes, error) {
	if len(plan.Checks) == 0 {
		if plan.NoCheck == "" {
			return Outcomes{}, ErrNoChecks
		}
		rec.NoCheck = plan.NoCheck
		return Outcomes{}, nil
	}
	o := Outcomes{n: len(plan.Checks)}
	if rec.Checks == nil && len(plan.Checks) <= len(rec.checks) {
		rec.Checks = rec.checks[:0] // the common one- or two-check request allocates nothing here
	}
	var denied error
	for i, c := range plan.Checks {
		if c.Action == "" {
			return Outcomes{}, fmt.Errorf("%w: check %d has no action", ErrNoChecks, i)
		}
		who := p
		if c.Principal != nil {
			who = c.Principal
			if rec.Subject == nil {
				rec.Subject = who
			}
		}
		dec, err := d.decider.Decide(ctx, who, info, c.Check)
		if err != nil {
			return Outcomes{}, err
		}
		rec.Checks = append(rec.Checks, CheckRecord{Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount, Soft: c.Soft, Decision: dec})
		if e := authz.Denial(who, c.Check, dec); e != nil {
			if o.errs == nil {
				o.errs = make([]error, len(plan.Checks))
			}
			o.errs[i] = e
			if !c.Soft && denied == nil {
				denied = e
			}
		}
	}
	if denied != nil {
		return o, denied
	}
	return o, nil
}

// Call is an operation of a Query-protocol service (IAM, STS) resolved for
// one request: its plan, and the handler the driver runs once the plan's
// required checks allow, returning the result to encode.
type Call struct {
	Plan Plan
	Run  func(ctx context.Context, o Outcomes) (any, error)
}
