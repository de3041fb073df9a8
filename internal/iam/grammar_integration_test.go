package iam_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// exactErr asserts that err is an AWS API error with exactly this code and
// message.
func exactErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// Every write of an identity policy — managed, a new version, inline on a
// user, group or role — is held to IAM's grammar, with AWS's messages.
// (The grammar's every rule is in internal/policy/testdata/validation; these
// are the rules the issue names, end to end through each operation.)
func TestIdentityPolicyGrammarOnEveryWrite(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	arn := *must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("base"), PolicyDocument: aws.String(allowS3)})).Policy.Arn

	writes := map[string]func(doc string) error{
		"CreatePolicy": func(doc string) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"CreatePolicyVersion": func(doc string) error {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc)})
			return err
		},
		"PutUserPolicy": func(doc string) error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"PutGroupPolicy": func(doc string) error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"PutRolePolicy": func(doc string) error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
	}
	stmt := func(extra string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + extra + `}]}`
	}
	for _, tc := range []struct{ name, doc, msg string }{
		{"no Version", `{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, "Policy document must be version 2012-10-17 or greater."},
		{"Version 2008-10-17", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, "Policy document must be version 2012-10-17 or greater."},
		{"empty Statement", `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
		{"empty Action list", stmt(`"Action":[],"Resource":"*"`), "Policy statement must contain actions."},
		{"empty Resource list", stmt(`"Action":"s3:ListBucket","Resource":[]`), "Policy statement must contain resources."},
		{"two colons", stmt(`"Action":"s3:List:Bucket","Resource":"*"`), "Actions/Condition can contain only one colon."},
		{"vendor with a space", stmt(`"Action":"a a:ListBucket","Resource":"*"`), "Vendor a a is not valid"},
		{"IAM ARN with a region", stmt(`"Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1::user/x"`), "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."},
		{"unknown partition", stmt(`"Action":"s3:ListBucket","Resource":"arn:xyz:s3:::b"`), `Partition "xyz" is not valid for resource "arn:xyz:s3:::b".`},
		{"date that is not a date", stmt(`"Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"next tuesday"}}`), "The policy failed legacy parsing"},
	} {
		for op, write := range writes {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				exactErr(t, write(tc.doc), "MalformedPolicyDocument", tc.msg)
			})
		}
	}
	for op, write := range writes {
		if err := write(allowS3); err != nil {
			t.Fatalf("%s of a valid policy: %v", op, err)
		}
	}

	// Trust policies keep AWS's legacy allowances: no Version, or
	// 2008-10-17, as CreateRole and UpdateAssumeRolePolicy accept them.
	legacy := `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("legacy"), AssumeRolePolicyDocument: aws.String(legacy)}))
	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("legacy"),
		PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
}

// Tag keys are case insensitive in IAM: a request naming one key twice is
// refused, a new tag replaces the one whose key differs in case, and Untag
// removes it whatever its case. Untag takes at most 50 keys.
func TestTagKeysAreCaseInsensitive(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	const dup = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	twice := []types.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}

	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Tags: twice})
	exactErr(t, err, "InvalidInput", dup)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustFor(acct)), Tags: twice})
	exactErr(t, err, "InvalidInput", dup)
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3), Tags: twice})
	exactErr(t, err, "InvalidInput", dup)

	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: twice})
	exactErr(t, err, "InvalidInput", dup)

	must(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("Test"), Value: aws.String("1")}, {Key: aws.String("keep"), Value: aws.String("k")}}}))
	must(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("test"), Value: aws.String("2")}}}))
	tags := must(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app")})).Tags
	if len(tags) != 2 || *tags[0].Key != "keep" || *tags[1].Key != "test" || *tags[1].Value != "2" {
		t.Fatalf("tags after re-tagging in another case: %+v", tags)
	}
	must(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"TEST"}}))
	tags = must(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app")})).Tags
	if len(tags) != 1 || *tags[0].Key != "keep" {
		t.Fatalf("tags after untagging TEST: %+v", tags)
	}

	var keys []string
	for i := range 51 {
		keys = append(keys, "k"+strconv.Itoa(i))
	}
	want := "1 validation error detected: Value '[" + strings.Join(keys, ", ") + "]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"
	_, err = c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: keys})
	exactErr(t, err, "ValidationError", want)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	_, err = c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: keys})
	exactErr(t, err, "ValidationError", want)
	must(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: keys[:50]}))
}

// bodyRecorder keeps the body of the last response it carried.
type bodyRecorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	last string
}

func (r *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.last = string(b)
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (r *bodyRecorder) body() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Responses have AWS's shapes: no empty Tags or Description element for
// what was never set, CreateRole echoes the boundary and tags it was given,
// and GetAccountSummary has every key AWS returns.
func TestResponseShapes(t *testing.T) {
	env := testenv.New(t)
	rec := &bodyRecorder{rt: env.HTTP().Transport}
	c := iam.NewFromConfig(env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")), func(o *iam.Options) {
		o.HTTPClient = &http.Client{Transport: rec}
	})
	bare := func(op string, call func() error, absent ...string) {
		t.Helper()
		if err := call(); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		body := rec.body()
		if !strings.Contains(body, "<"+op+"Result>") {
			t.Fatalf("%s: no result in %s", op, body)
		}
		for _, el := range absent {
			if strings.Contains(body, "<"+el+">") || strings.Contains(body, "<"+el+"/>") {
				t.Fatalf("%s: unset %s sent: %s", op, el, body)
			}
		}
	}
	bare("CreateUser", func() error {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
		return err
	}, "Tags", "PermissionsBoundary")
	bare("GetUser", func() error {
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		return err
	}, "Tags", "PermissionsBoundary")
	bare("CreateRole", func() error {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustFor(acct))})
		return err
	}, "Tags", "Description", "PermissionsBoundary")
	bare("GetRole", func() error {
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		return err
	}, "Tags", "Description", "PermissionsBoundary")
	bare("CreatePolicy", func() error {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3"), PolicyDocument: aws.String(allowS3)})
		return err
	}, "Tags", "Description")
	bare("GetAccountAuthorizationDetails", func() error {
		_, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
		return err
	}, "Tags", "Description")

	// CreateRole echoes the permissions boundary and the tags it was given.
	boundary := "arn:aws:iam::aws:policy/PowerUserAccess"
	role := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(trustFor(acct)),
		PermissionsBoundary: aws.String(boundary), Description: aws.String("bounded role"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})).Role
	if role.PermissionsBoundary == nil || role.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy ||
		*role.PermissionsBoundary.PermissionsBoundaryArn != boundary {
		t.Fatalf("CreateRole's boundary: %+v", role.PermissionsBoundary)
	}
	if len(role.Tags) != 1 || *role.Tags[0].Key != "team" || *role.Tags[0].Value != "blue" || *role.Description != "bounded role" {
		t.Fatalf("CreateRole's tags and description: %+v %v", role.Tags, role.Description)
	}
	if role.RoleLastUsed != nil {
		t.Fatalf("CreateRole shows RoleLastUsed: %+v", role.RoleLastUsed)
	}
	if !strings.Contains(rec.body(), "<PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>"+boundary+"</PermissionsBoundaryArn></PermissionsBoundary>") {
		t.Fatalf("CreateRole's boundary on the wire: %s", rec.body())
	}

	// GetAccountSummary: every key of AWS's answer, usage and quotas.
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/s3")}))
	sum := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	want := map[string]int32{
		"Users": 1, "UsersQuota": 5000, "Groups": 0, "GroupsQuota": 300, "Roles": 2, "RolesQuota": 1000,
		"Policies": 1, "PoliciesQuota": 1500, "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5,
		"PolicyVersionsInUse": 2, "PolicyVersionsInUseQuota": 10000,
		"UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048,
		"GroupsPerUserQuota": 10, "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
		"AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
		"InstanceProfiles": 0, "InstanceProfilesQuota": 1000, "ServerCertificates": 0, "ServerCertificatesQuota": 20, "Providers": 0,
		"MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountSigningCertificatesPresent": 0,
		"GlobalEndpointTokenVersion": 1,
	}
	var got, missing []string
	for k := range sum {
		got = append(got, k)
	}
	for k, v := range want {
		if g, ok := sum[k]; !ok || g != v {
			missing = append(missing, k+"="+strconv.Itoa(int(v))+" (got "+strconv.Itoa(int(g))+")")
		}
	}
	sort.Strings(got)
	sort.Strings(missing)
	if len(sum) != len(want) || len(want) != 33 || len(missing) > 0 {
		t.Fatalf("summary keys %v; wrong or missing: %v", got, missing)
	}
}
