package pipeline

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// decider allows the actions in allow, fails on fail, denies the rest.
type decider struct {
	allow map[string]bool
	fail  string
	asked []string
}

func (d *decider) Decide(_ context.Context, _ *authz.Principal, _ authz.RequestInfo, c authz.Check) (policy.Decision, error) {
	d.asked = append(d.asked, c.Action)
	if c.Action == d.fail {
		return policy.Decision{}, errors.New("policy store down")
	}
	if d.allow[c.Action] {
		return policy.Decision{Effect: policy.Allow, Source: policy.SourceIdentity}, nil
	}
	return policy.Decision{Effect: policy.ImplicitDeny, Source: policy.SourceIdentity}, nil
}

// exchange records what the driver made of it.
type exchange struct {
	plan     Plan
	authErr  error
	handled  bool
	outcomes Outcomes
	failed   error
}

func (x *exchange) Authenticate(context.Context) (*authz.Principal, authz.RequestInfo, error) {
	return &authz.Principal{Type: authz.TypeUser, ARN: "arn:aws:iam::111122223333:user/u"}, authz.RequestInfo{}, x.authErr
}
func (x *exchange) Resolve(context.Context) (Plan, error) { return x.plan, nil }
func (x *exchange) Handle(_ context.Context, o Outcomes) error {
	x.handled, x.outcomes = true, o
	return nil
}
func (x *exchange) Fail(err error) (string, string) { x.failed = err; return "Code", "message" }

func check(action string) Check { return Check{Check: authz.Check{Action: action, Resource: "*"}} }

func serve(t *testing.T, d *decider, x *exchange) *Record {
	t.Helper()
	rec := &Record{RequestID: "r1"}
	New(d).Serve(context.Background(), x, rec)
	return rec
}

func TestAllowedRuns(t *testing.T) {
	x := &exchange{plan: Plan{Checks: []Check{check("s3:GetObject")}}}
	rec := serve(t, &decider{allow: map[string]bool{"s3:GetObject": true}}, x)
	if !x.handled || x.failed != nil || rec.ErrorCode != "" || len(rec.Checks) != 1 || rec.Checks[0].Decision.Effect != policy.Allow {
		t.Fatalf("handled=%v failed=%v record=%+v", x.handled, x.failed, rec)
	}
}

func TestEmptyPlanFailsClosed(t *testing.T) {
	for name, p := range map[string]Plan{
		"no checks":        {},
		"empty action":     {Checks: []Check{check("")}},
		"one empty action": {Checks: []Check{check("s3:GetObject"), check("")}},
	} {
		x := &exchange{plan: p}
		rec := serve(t, &decider{allow: map[string]bool{"s3:GetObject": true, "": true}}, x)
		if x.handled || !errors.Is(x.failed, ErrNoChecks) || rec.ErrorCode == "" {
			t.Errorf("%s: handled=%v failed=%v", name, x.handled, x.failed)
		}
	}
	x := &exchange{plan: Plan{NoCheck: "documented"}}
	rec := serve(t, &decider{}, x)
	if !x.handled || rec.NoCheck != "documented" {
		t.Fatalf("a documented exception was not run: %+v", rec)
	}
}

func TestDenialAndErrorsStopTheHandler(t *testing.T) {
	x := &exchange{plan: Plan{Checks: []Check{check("a:Allowed"), check("a:Denied"), check("a:Later")}}}
	d := &decider{allow: map[string]bool{"a:Allowed": true, "a:Later": true}}
	rec := serve(t, d, x)
	var de *authz.DeniedError
	if x.handled || !errors.As(x.failed, &de) || de.Action != "a:Denied" {
		t.Fatalf("handled=%v failed=%v", x.handled, x.failed)
	}
	if len(rec.Checks) != 3 {
		t.Fatalf("the record has %d checks, want all 3 decided", len(rec.Checks))
	}
	x = &exchange{plan: Plan{Checks: []Check{check("a:Allowed"), check("a:Broken")}}}
	serve(t, &decider{allow: map[string]bool{"a:Allowed": true, "a:Broken": true}, fail: "a:Broken"}, x)
	if x.handled || x.failed == nil || errors.As(x.failed, &de) {
		t.Fatalf("a failure to decide must fail the request (not as a denial): handled=%v failed=%v", x.handled, x.failed)
	}
}

func TestSoftDenialReachesTheHandler(t *testing.T) {
	soft := check("s3:ListBucket")
	soft.Soft = true
	x := &exchange{plan: Plan{Checks: []Check{check("s3:GetObject"), soft}}}
	serve(t, &decider{allow: map[string]bool{"s3:GetObject": true}}, x)
	if !x.handled || !x.outcomes.Allowed(0) || x.outcomes.Allowed(1) || x.outcomes.Denial(1) == nil || x.outcomes.Allowed(2) {
		t.Fatalf("handled=%v outcomes=%+v", x.handled, x.outcomes)
	}
}

func TestAuthenticationFailureIsRecorded(t *testing.T) {
	x := &exchange{authErr: errors.New("bad signature"), plan: Plan{Checks: []Check{check("s3:GetObject")}}}
	d := &decider{allow: map[string]bool{"s3:GetObject": true}}
	rec := serve(t, d, x)
	if x.handled || len(d.asked) != 0 || rec.ErrorCode == "" || rec.Err == nil {
		t.Fatalf("handled=%v asked=%v record=%+v", x.handled, d.asked, rec)
	}
}

type countSink struct{ n *int }

func (c countSink) Record(context.Context, *Record) { *c.n++ }

func TestTeeReachesEverySink(t *testing.T) {
	var a, b int
	Tee{countSink{&a}, Discard{}, countSink{&b}}.Record(context.Background(), &Record{})
	if a != 1 || b != 1 {
		t.Fatalf("sinks saw %d and %d records", a, b)
	}
}
