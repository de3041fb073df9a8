package server_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	iamsvc "github.com/gatehouse/gatehouse/internal/iam"
	s3svc "github.com/gatehouse/gatehouse/internal/s3"
	stssvc "github.com/gatehouse/gatehouse/internal/sts"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// What AWS itself lets a principal with no policies do. Everything else of
// every service must answer AccessDenied.
var allowedWithoutPolicy = map[string]string{
	"sts:GetCallerIdentity": "AWS requires no permission to ask who you are",
	"sts:GetSessionToken":   "AWS requires no permission: GetSessionToken authenticates; its sessions are limited instead",
	"s3:PreflightRequest":   "a CORS preflight carries no credentials; it is answered from the bucket's CORS rules (403 here: none are set)",
}

// authorizedByAssertion are the federation actions: their caller is the
// subject of the token or assertion they carry, not the request's signer
// (whose signature is not even checked), so the signer's (missing) policies
// do not decide them. Without a verifiable token or assertion they must
// fail all the same (here: no provider of the issuer is registered, the
// SAML provider does not exist: InvalidIdentityToken); the trust denials
// are covered by sts/webidentity_integration_test.go and
// sts/saml_integration_test.go.
var authorizedByAssertion = map[string]string{
	"sts:AssumeRoleWithWebIdentity": "the web identity token authenticates the caller; the role's trust policy decides",
	"sts:AssumeRoleWithSAML":        "the SAML assertion authenticates the caller; the role's trust policy decides",
}

// TestDenyByDefault sends every operation of every service as a user with
// no policies (and every S3 operation also anonymously and as the root of
// another account) and expects AccessDenied, except the list above.
func TestDenyByDefault(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	acct := testenv.AccountID
	// A user with no policies at all.
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	key, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	nobody := aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey}
	otherID, otherRoot := env.CreateAccount("other")
	other, err := otherRoot.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Things to act on: a user, group, role, policy, MFA device, bucket, object.
	for _, err := range []error{
		ignore(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("target")})),
		ignore(env.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})),
		ignore(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`)})),
		ignore(env.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})),
		ignore(env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("matrix")})),
		ignore(env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("matrix"), Key: aws.String("k"), Body: strings.NewReader("v")})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	send := func(t *testing.T, creds *aws.Credentials, service, method, path string, q url.Values, h http.Header, body string) (int, string) {
		t.Helper()
		u := env.URL + path
		if len(q) > 0 {
			u += "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
		}
		req, err := http.NewRequest(method, u, bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header[k] = v
		}
		if creds != nil {
			sum := sha256.Sum256([]byte(body))
			hash := hex.EncodeToString(sum[:])
			if service == "s3" {
				req.Header.Set("x-amz-content-sha256", hash)
			}
			if err := v4.NewSigner().SignHTTP(ctx, *creds, req, hash, service, testenv.Region, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		return roundTrip(t, env, req)
	}
	expectDenied := func(t *testing.T, what string, status int, body string) {
		t.Helper()
		if status != http.StatusForbidden || !strings.Contains(body, "<Code>AccessDenied</Code>") {
			t.Errorf("%s: %d %s; want 403 AccessDenied", what, status, body)
		}
	}

	// IAM: every action, with parameters naming existing things.
	iamParams := url.Values{"UserName": {"target"}, "RoleName": {"r"}, "GroupName": {"g"}, "PolicyName": {"x"},
		"PolicyArn": {"arn:aws:iam::" + acct + ":policy/p"}, "PolicyDocument": {`{"Version":"2012-10-17","Statement":[]}`},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[]}`}, "VersionId": {"v1"}, "AccessKeyId": {"AKIAIOSFODNN7EXAMPLE"},
		"Status": {"Inactive"}, "SerialNumber": {"arn:aws:iam::" + acct + ":mfa/d"}, "VirtualMFADeviceName": {"d"},
		"AuthenticationCode1": {"123456"}, "AuthenticationCode2": {"654321"}, "PermissionsBoundary": {"arn:aws:iam::" + acct + ":policy/p"},
		"Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}, "TagKeys.member.1": {"k"}, "Description": {"d"}, "NewUserName": {"n"},
		"Url": {"https://idp.example.com"}, "OpenIDConnectProviderArn": {"arn:aws:iam::" + acct + ":oidc-provider/idp.example.com"},
		"ClientID": {"c"}, "ThumbprintList.member.1": {strings.Repeat("a", 40)},
		"Name": {"p"}, "SAMLProviderArn": {"arn:aws:iam::" + acct + ":saml-provider/p"}}
	iamActions := iamsvc.New(iamsvc.Config{}).Actions()
	sort.Strings(iamActions)
	for _, action := range iamActions {
		q := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
		for k, v := range iamParams {
			q[k] = v
		}
		status, body := send(t, &nobody, "iam", http.MethodPost, "/", nil, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, q.Encode())
		expectDenied(t, "iam:"+action, status, body)
	}
	if len(iamActions) < 80 {
		t.Fatalf("only %d IAM actions listed", len(iamActions))
	}

	// STS. The caller of a federation action is its token or assertion,
	// not the signer: a token of no registered provider, an assertion of no
	// provider are refused (authorizedByAssertion).
	enc := base64.RawURLEncoding.EncodeToString
	token := enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"https://unregistered.example.com","sub":"x","aud":"sts.amazonaws.com","exp":4102444800}`)) + ".AAAA"
	for _, action := range stssvc.New(stssvc.Config{}).Actions() {
		q := url.Values{"Action": {action}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + acct + ":role/r"},
			"RoleSessionName": {"session"}, "AccessKeyId": {"AKIAIOSFODNN7EXAMPLE"}, "Name": {"federated"}, "WebIdentityToken": {token},
			"PrincipalArn": {"arn:aws:iam::" + acct + ":saml-provider/p"}, "SAMLAssertion": {"PHNhbWxwOlJlc3BvbnNlLz4="}}
		status, body := send(t, &nobody, "sts", http.MethodPost, "/", nil, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, q.Encode())
		if _, ok := authorizedByAssertion["sts:"+action]; ok {
			if status != http.StatusBadRequest || !strings.Contains(body, "<Code>InvalidIdentityToken</Code>") {
				t.Errorf("sts:%s without a verifiable token or assertion: %d %s; want 400 InvalidIdentityToken", action, status, body)
			}
			continue
		}
		if _, ok := allowedWithoutPolicy["sts:"+action]; ok {
			if status != http.StatusOK {
				t.Errorf("sts:%s: %d %s; AWS allows it without policies", action, status, body)
			}
			continue
		}
		expectDenied(t, "sts:"+action, status, body)
	}

	// S3: one request per operation of the routing table.
	type s3req struct {
		method, path string
		q            url.Values
		h            http.Header
		body         string
	}
	del := `<Delete><Object><Key>k</Key></Object></Delete>`
	tagging := `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`
	form := "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nposted\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ndata\r\n--B--\r\n"
	up := url.Values{"uploadId": {"nosuchupload"}}
	s3ops := map[string]s3req{
		"ListBuckets":                     {http.MethodGet, "/", nil, nil, ""},
		"CreateBucket":                    {http.MethodPut, "/newbucket", nil, nil, ""},
		"HeadBucket":                      {http.MethodHead, "/matrix", nil, nil, ""},
		"DeleteBucket":                    {http.MethodDelete, "/matrix", nil, nil, ""},
		"GetBucketLocation":               {http.MethodGet, "/matrix", url.Values{"location": {""}}, nil, ""},
		"ListObjects":                     {http.MethodGet, "/matrix", nil, nil, ""},
		"ListObjectsV2":                   {http.MethodGet, "/matrix", url.Values{"list-type": {"2"}}, nil, ""},
		"ListMultipartUploads":            {http.MethodGet, "/matrix", url.Values{"uploads": {""}}, nil, ""},
		"GetBucketPolicy":                 {http.MethodGet, "/matrix", url.Values{"policy": {""}}, nil, ""},
		"PutBucketPolicy":                 {http.MethodPut, "/matrix", url.Values{"policy": {""}}, nil, `{"Version":"2012-10-17","Statement":[]}`},
		"DeleteBucketPolicy":              {http.MethodDelete, "/matrix", url.Values{"policy": {""}}, nil, ""},
		"GetBucketCors":                   {http.MethodGet, "/matrix", url.Values{"cors": {""}}, nil, ""},
		"PutBucketCors":                   {http.MethodPut, "/matrix", url.Values{"cors": {""}}, nil, `<CORSConfiguration/>`},
		"DeleteBucketCors":                {http.MethodDelete, "/matrix", url.Values{"cors": {""}}, nil, ""},
		"GetBucketTagging":                {http.MethodGet, "/matrix", url.Values{"tagging": {""}}, nil, ""},
		"PutBucketTagging":                {http.MethodPut, "/matrix", url.Values{"tagging": {""}}, nil, tagging},
		"DeleteBucketTagging":             {http.MethodDelete, "/matrix", url.Values{"tagging": {""}}, nil, ""},
		"GetBucketEncryption":             {http.MethodGet, "/matrix", url.Values{"encryption": {""}}, nil, ""},
		"PutBucketEncryption":             {http.MethodPut, "/matrix", url.Values{"encryption": {""}}, nil, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`},
		"DeleteBucketEncryption":          {http.MethodDelete, "/matrix", url.Values{"encryption": {""}}, nil, ""},
		"GetBucketVersioning":             {http.MethodGet, "/matrix", url.Values{"versioning": {""}}, nil, ""},
		"PutBucketVersioning":             {http.MethodPut, "/matrix", url.Values{"versioning": {""}}, nil, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`},
		"ListObjectVersions":              {http.MethodGet, "/matrix", url.Values{"versions": {""}}, nil, ""},
		"GetBucketAcl":                    {http.MethodGet, "/matrix", url.Values{"acl": {""}}, nil, ""},
		"PutBucketAcl":                    {http.MethodPut, "/matrix", url.Values{"acl": {""}}, http.Header{"X-Amz-Acl": {"private"}}, ""},
		"GetBucketOwnershipControls":      {http.MethodGet, "/matrix", url.Values{"ownershipControls": {""}}, nil, ""},
		"PutBucketOwnershipControls":      {http.MethodPut, "/matrix", url.Values{"ownershipControls": {""}}, nil, `<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>`},
		"DeleteBucketOwnershipControls":   {http.MethodDelete, "/matrix", url.Values{"ownershipControls": {""}}, nil, ""},
		"DeleteObjects":                   {http.MethodPost, "/matrix", url.Values{"delete": {""}}, http.Header{"Content-Md5": {md5b64(del)}}, del},
		"PostObject":                      {http.MethodPost, "/matrix", nil, http.Header{"Content-Type": {"multipart/form-data; boundary=B"}}, form},
		"PreflightRequest":                {http.MethodOptions, "/matrix/k", nil, http.Header{"Origin": {"https://example.com"}, "Access-Control-Request-Method": {"GET"}}, ""},
		"PutObject":                       {http.MethodPut, "/matrix/new", nil, nil, "data"},
		"CopyObject":                      {http.MethodPut, "/matrix/copy", nil, http.Header{"X-Amz-Copy-Source": {"/matrix/k"}}, ""},
		"GetObject":                       {http.MethodGet, "/matrix/k", nil, nil, ""},
		"HeadObject":                      {http.MethodHead, "/matrix/k", nil, nil, ""},
		"DeleteObject":                    {http.MethodDelete, "/matrix/k", nil, nil, ""},
		"GetObjectTagging":                {http.MethodGet, "/matrix/k", url.Values{"tagging": {""}}, nil, ""},
		"PutObjectTagging":                {http.MethodPut, "/matrix/k", url.Values{"tagging": {""}}, nil, tagging},
		"DeleteObjectTagging":             {http.MethodDelete, "/matrix/k", url.Values{"tagging": {""}}, nil, ""},
		"GetObjectAcl":                    {http.MethodGet, "/matrix/k", url.Values{"acl": {""}}, nil, ""},
		"PutObjectAcl":                    {http.MethodPut, "/matrix/k", url.Values{"acl": {""}}, http.Header{"X-Amz-Acl": {"bucket-owner-full-control"}}, ""},
		"GetObjectAttributes":             {http.MethodGet, "/matrix/k", url.Values{"attributes": {""}}, http.Header{"X-Amz-Object-Attributes": {"ETag"}}, ""},
		"CreateMultipartUpload":           {http.MethodPost, "/matrix/big", url.Values{"uploads": {""}}, nil, ""},
		"UploadPart":                      {http.MethodPut, "/matrix/big", url.Values{"uploadId": up["uploadId"], "partNumber": {"1"}}, nil, "data"},
		"UploadPartCopy":                  {http.MethodPut, "/matrix/big", url.Values{"uploadId": up["uploadId"], "partNumber": {"1"}}, http.Header{"X-Amz-Copy-Source": {"/matrix/k"}}, ""},
		"CompleteMultipartUpload":         {http.MethodPost, "/matrix/big", up, nil, complete},
		"AbortMultipartUpload":            {http.MethodDelete, "/matrix/big", up, nil, ""},
		"ListParts":                       {http.MethodGet, "/matrix/big", up, nil, ""},
		"GetBucketLifecycleConfiguration": {http.MethodGet, "/matrix", url.Values{"lifecycle": {""}}, nil, ""},
		"PutBucketLifecycleConfiguration": {http.MethodPut, "/matrix", url.Values{"lifecycle": {""}}, nil, `<LifecycleConfiguration/>`},
		"DeleteBucketLifecycle":           {http.MethodDelete, "/matrix", url.Values{"lifecycle": {""}}, nil, ""},
		"GetPublicAccessBlock":            {http.MethodGet, "/matrix", url.Values{"publicAccessBlock": {""}}, nil, ""},
		"PutPublicAccessBlock":            {http.MethodPut, "/matrix", url.Values{"publicAccessBlock": {""}}, nil, `<PublicAccessBlockConfiguration/>`},
		"DeletePublicAccessBlock":         {http.MethodDelete, "/matrix", url.Values{"publicAccessBlock": {""}}, nil, ""},
		"GetBucketPolicyStatus":           {http.MethodGet, "/matrix", url.Values{"policyStatus": {""}}, nil, ""},
		"GetAccountPublicAccessBlock":     {http.MethodGet, "/v20180820/configuration/publicAccessBlock", nil, http.Header{"X-Amz-Account-Id": {acct}}, ""},
		"PutAccountPublicAccessBlock":     {http.MethodPut, "/v20180820/configuration/publicAccessBlock", nil, http.Header{"X-Amz-Account-Id": {acct}}, `<PublicAccessBlockConfiguration/>`},
		"DeleteAccountPublicAccessBlock":  {http.MethodDelete, "/v20180820/configuration/publicAccessBlock", nil, http.Header{"X-Amz-Account-Id": {acct}}, ""},
		"GetObjectLockConfiguration":      {http.MethodGet, "/matrix", url.Values{"object-lock": {""}}, nil, ""},
		"PutObjectLockConfiguration":      {http.MethodPut, "/matrix", url.Values{"object-lock": {""}}, nil, `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`},
		"GetObjectRetention":              {http.MethodGet, "/matrix/k", url.Values{"retention": {""}}, nil, ""},
		"PutObjectRetention":              {http.MethodPut, "/matrix/k", url.Values{"retention": {""}}, nil, `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>`},
		"GetObjectLegalHold":              {http.MethodGet, "/matrix/k", url.Values{"legal-hold": {""}}, nil, ""},
		"PutObjectLegalHold":              {http.MethodPut, "/matrix/k", url.Values{"legal-hold": {""}}, nil, `<LegalHold><Status>ON</Status></LegalHold>`},
	}
	for _, name := range s3svc.OperationNames() {
		rq, ok := s3ops[name]
		if !ok {
			t.Errorf("s3:%s has no row in the deny-by-default matrix", name)
			continue
		}
		for _, who := range []struct {
			label string
			creds *aws.Credentials
		}{{"a user without policies", &nobody}, {"an anonymous caller", nil}, {"the root of account " + otherID, &other}} {
			if name == "PostObject" && who.creds != nil {
				continue // a form upload's credential is in the form: the unsigned form is the anonymous case
			}
			if (name == "ListBuckets" || name == "CreateBucket") && who.creds == &other {
				continue // the other root acts in its own account, where it may do anything
			}
			status, body := send(t, who.creds, "s3", rq.method, rq.path, rq.q, rq.h, rq.body)
			what := "s3:" + name + " as " + who.label
			if _, ok := allowedWithoutPolicy["s3:"+name]; ok {
				if status != http.StatusForbidden || strings.Contains(body, "AccessDenied") {
					t.Errorf("%s: %d %s; want the CORS refusal", what, status, body)
				}
				continue
			}
			if name == "DeleteObjects" {
				// S3 answers 200 and denies each key in the result.
				if status != http.StatusOK || !strings.Contains(body, "<Key>k</Key><Code>AccessDenied</Code>") {
					t.Errorf("%s: %d %s; want key k denied", what, status, body)
				}
				continue
			}
			if rq.method == http.MethodHead {
				if status != http.StatusForbidden {
					t.Errorf("%s: %d; want 403", what, status)
				}
				continue
			}
			expectDenied(t, what, status, body)
		}
	}
	// Requests naming a version are authorized as the version actions:
	// denied all the same.
	null := url.Values{"versionId": {"null"}}
	delVersion := `<Delete><Object><Key>k</Key><VersionId>null</VersionId></Object></Delete>`
	for name, rq := range map[string]s3req{
		"GetObject (s3:GetObjectVersion)":                     {http.MethodGet, "/matrix/k", null, nil, ""},
		"DeleteObject (s3:DeleteObjectVersion)":               {http.MethodDelete, "/matrix/k", null, nil, ""},
		"GetObjectTagging (s3:GetObjectVersionTagging)":       {http.MethodGet, "/matrix/k", url.Values{"tagging": {""}, "versionId": {"null"}}, nil, ""},
		"PutObjectTagging (s3:PutObjectVersionTagging)":       {http.MethodPut, "/matrix/k", url.Values{"tagging": {""}, "versionId": {"null"}}, nil, tagging},
		"DeleteObjectTagging (s3:DeleteObjectVersionTagging)": {http.MethodDelete, "/matrix/k", url.Values{"tagging": {""}, "versionId": {"null"}}, nil, ""},
		"GetObjectAcl (s3:GetObjectVersionAcl)":               {http.MethodGet, "/matrix/k", url.Values{"acl": {""}, "versionId": {"null"}}, nil, ""},
		"PutObjectAcl (s3:PutObjectVersionAcl)": {http.MethodPut, "/matrix/k", url.Values{"acl": {""}, "versionId": {"null"}},
			http.Header{"X-Amz-Acl": {"bucket-owner-full-control"}}, ""},
		"GetObjectAttributes (s3:GetObjectVersionAttributes)": {http.MethodGet, "/matrix/k", url.Values{"attributes": {""}, "versionId": {"null"}},
			http.Header{"X-Amz-Object-Attributes": {"ETag"}}, ""},
		"CopyObject (s3:GetObjectVersion on the source)": {http.MethodPut, "/matrix/copy", nil, http.Header{"X-Amz-Copy-Source": {"/matrix/k?versionId=null"}}, ""},
		"DeleteObjects (s3:DeleteObjectVersion)":         {http.MethodPost, "/matrix", url.Values{"delete": {""}}, http.Header{"Content-Md5": {md5b64(delVersion)}}, delVersion},
	} {
		for _, who := range []struct {
			label string
			creds *aws.Credentials
		}{{"a user without policies", &nobody}, {"an anonymous caller", nil}, {"the root of account " + otherID, &other}} {
			status, body := send(t, who.creds, "s3", rq.method, rq.path, rq.q, rq.h, rq.body)
			what := "s3:" + name + " as " + who.label
			if strings.HasPrefix(name, "DeleteObjects") {
				if status != http.StatusOK || !strings.Contains(body, "<Key>k</Key><VersionId>null</VersionId><Code>AccessDenied</Code>") {
					t.Errorf("%s: %d %s; want key k denied", what, status, body)
				}
				continue
			}
			expectDenied(t, what, status, body)
		}
	}
	// The bucket and its object are untouched.
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("matrix"), Key: aws.String("k")}); err != nil {
		t.Fatalf("the object was harmed: %v", err)
	}
}

func ignore[T any](_ T, err error) error { return err }

func md5b64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
