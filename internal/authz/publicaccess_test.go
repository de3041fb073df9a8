package authz_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

const (
	publicRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	fixedRead  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
)

func (w *world) decideCheck(p *authz.Principal, c authz.Check) (policy.Decision, error) {
	return w.authz.Decide(ctx, p, authz.RequestInfo{Now: time.Now()}, c)
}

// RestrictPublicBuckets: a public bucket policy no longer grants to
// anonymous or cross-account callers; a non-public one still does; the
// owner's account keeps its access.
func TestRestrictPublicBuckets(t *testing.T) {
	w := newWorld(t)
	rsb := &store.PublicAccessBlock{RestrictPublicBuckets: true}
	other := &authz.Principal{Type: authz.TypeRoot, Account: "444455556666", ARN: "arn:aws:iam::444455556666:root"}
	for _, tc := range []struct {
		name   string
		who    *authz.Principal
		doc    string
		pab    *store.PublicAccessBlock
		action string
		want   policy.Effect
	}{
		{"anonymous, public policy, no setting", authz.Anonymous(), publicRead, nil, "s3:GetObject", policy.Allow},
		{"anonymous, public policy, RestrictPublicBuckets", authz.Anonymous(), publicRead, rsb, "s3:GetObject", policy.ImplicitDeny},
		{"anonymous, public policy, other flags only", authz.Anonymous(), publicRead, &store.PublicAccessBlock{BlockPublicPolicy: true, BlockPublicAcls: true, IgnorePublicAcls: true}, "s3:GetObject", policy.Allow},
		{"cross-account root, public policy, no setting", other, publicRead, nil, "s3:GetObject", policy.Allow},
		{"cross-account root, public policy, RestrictPublicBuckets", other, publicRead, rsb, "s3:GetObject", policy.ImplicitDeny},
		{"cross-account root, non-public policy, RestrictPublicBuckets", other, fixedRead, rsb, "s3:GetObject", policy.Allow},
		{"same-account user, public policy, RestrictPublicBuckets", w.bob, publicRead, rsb, "s3:GetObject", policy.Allow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := authz.Check{Action: tc.action, Resource: "arn:aws:s3:::b/k", ResourceAccount: acct, ResourcePolicy: policy.MustCompile("bucket/b", tc.doc), PublicAccess: tc.pab}
			d, err := w.decideCheck(tc.who, c)
			if err != nil || d.Effect != tc.want {
				t.Fatalf("got %+v, %v; want %s", d, err, tc.want)
			}
		})
	}
}

// BlockPublicPolicy refuses, after the policies allowed, writing a public
// policy; a non-public one, or no setting, passes; a caller the policies
// deny gets the plain denial.
func TestBlockPublicPolicy(t *testing.T) {
	w := newWorld(t)
	bpp := &store.PublicAccessBlock{BlockPublicPolicy: true}
	put := func(doc string, pab *store.PublicAccessBlock, action string) (policy.Decision, error) {
		return w.decideCheck(w.bob, authz.Check{Action: action, Resource: "arn:aws:s3:::b", ResourceAccount: acct,
			NewResourcePolicy: policy.MustCompile("new", doc), PublicAccess: pab})
	}
	d, err := put(publicRead, bpp, "s3:PutBucketPolicy")
	if err != nil || d.Effect != policy.ExplicitDeny || d.Source != policy.SourceBlockPublicPolicy {
		t.Fatalf("public policy under BlockPublicPolicy: %+v, %v", d, err)
	}
	msg := authz.Denial(w.bob, authz.Check{Action: "s3:PutBucketPolicy", Resource: `"arn:aws:s3:::b"`}, d).Error()
	if want := `User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::b" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.`; msg != want {
		t.Fatalf("message %q", msg)
	}
	if d, err := put(fixedRead, bpp, "s3:PutBucketPolicy"); err != nil || d.Effect != policy.Allow {
		t.Fatalf("non-public policy: %+v, %v", d, err)
	}
	if d, err := put(publicRead, &store.PublicAccessBlock{RestrictPublicBuckets: true, BlockPublicAcls: true}, "s3:PutBucketPolicy"); err != nil || d.Effect != policy.Allow {
		t.Fatalf("public policy without BlockPublicPolicy: %+v, %v", d, err)
	}
	// bob's attached policy denies s3:DeleteObject: that denial comes first.
	if d, err := put(publicRead, bpp, "s3:DeleteObject"); err != nil || d.Source != policy.SourceIdentity {
		t.Fatalf("a denied caller: %+v, %v", d, err)
	}
}

func TestBlockPublicAcls(t *testing.T) {
	w := newWorld(t)
	d, err := w.decideCheck(w.bob, authz.Check{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: acct,
		PublicACL: true, PublicAccess: &store.PublicAccessBlock{BlockPublicAcls: true}})
	if err != nil || d.Source != policy.SourceBlockPublicAcls {
		t.Fatalf("public ACL under BlockPublicAcls: %+v, %v", d, err)
	}
	if msg := authz.Denial(w.bob, authz.Check{Action: "s3:PutObject", Resource: "r"}, d).Error(); !strings.HasSuffix(msg, "because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.") {
		t.Fatalf("message %q", msg)
	}
	d, err = w.decideCheck(w.bob, authz.Check{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: acct,
		PublicACL: true, PublicAccess: &store.PublicAccessBlock{IgnorePublicAcls: true}})
	if err != nil || d.Effect != policy.Allow {
		t.Fatalf("public ACL without BlockPublicAcls: %+v, %v", d, err)
	}
}

// A configuration that could not be loaded fails the decision.
func TestPublicAccessLoadFailsClosed(t *testing.T) {
	w := newWorld(t)
	_, err := w.decideCheck(authz.Anonymous(), authz.Check{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: acct,
		ResourcePolicy: policy.MustCompile("bucket/b", publicRead), PublicAccessErr: errors.New("disk on fire")})
	if !errors.Is(err, authz.ErrPolicyLoad) {
		t.Fatalf("err = %v, want ErrPolicyLoad", err)
	}
}
