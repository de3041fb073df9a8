package server_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/migrate"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// must fails t on err and returns v.
func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// asJSON renders API results for comparison.
func asJSON(t *testing.T, v ...any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// migrated is what the source server wrote, to check on the cluster.
type migrated struct {
	alice     aws.CredentialsProvider // a user's access key
	session   aws.CredentialsProvider // alice's session token, minted before
	ssec      testenv.CustomerKey
	bodies    map[string][]byte // "key@version" → bytes
	iamView   func(c *iam.Client) string
	s3View    func(c *s3.Client) string
	ssecBody  []byte
	multipart []byte
}

// populate fills a running server through its API: IAM users, roles,
// policies, keys, an MFA device; a versioned bucket with tagged, SSE-S3,
// SSE-C and multipart objects, an unfinished upload and a lifecycle
// configuration.
func populate(t *testing.T, e *testenv.Env) *migrated {
	ctx := context.Background()
	m := &migrated{ssec: testenv.NewCustomerKey(7), bodies: map[string][]byte{}}
	ic := e.IAM
	must[*iam.CreateUserOutput](t)(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	key := must[*iam.CreateAccessKeyOutput](t)(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	m.alice = e.Credentials(*key.AccessKeyId, *key.SecretAccessKey, "")
	pol := must[*iam.CreatePolicyOutput](t)(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	must[*iam.AttachUserPolicyOutput](t)(ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: pol.Policy.Arn}))
	must[*iam.PutUserPolicyOutput](t)(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("sts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)}))
	must[*iam.CreateRoleOutput](t)(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testenv.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must[*iam.CreateGroupOutput](t)(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*iam.AddUserToGroupOutput](t)(ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	dev := must[*iam.CreateVirtualMFADeviceOutput](t)(ic.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})).VirtualMFADevice
	seed := must[[]byte](t)(base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(dev.Base32StringSeed)))
	step := mfa.StepAt(time.Now())
	must[*iam.EnableMFADeviceOutput](t)(ic.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: dev.SerialNumber,
		AuthenticationCode1: aws.String(mfa.Code(seed, step)), AuthenticationCode2: aws.String(mfa.Code(seed, step+1))}))
	m.iamView = func(c *iam.Client) string {
		return asJSON(t,
			must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{})).Users,
			must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{})).Roles,
			must[*iam.ListGroupsOutput](t)(c.ListGroups(ctx, &iam.ListGroupsInput{})).Groups,
			must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})).Policies,
			must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})).AccessKeyMetadata,
			must[*iam.ListUserTagsOutput](t)(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})).Tags,
			must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})).AttachedPolicies,
			must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")})).PolicyNames,
			must[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})).Groups,
			must[*iam.ListVirtualMFADevicesOutput](t)(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})).VirtualMFADevices,
		)
	}

	sc := e.S3
	b := aws.String("data")
	must[*s3.CreateBucketOutput](t)(sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must[*s3.PutBucketVersioningOutput](t)(sc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	must[*s3.PutBucketLifecycleConfigurationOutput](t)(sc.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("old"),
			Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)}}}}}))
	put := func(key string, data []byte, in *s3.PutObjectInput) {
		t.Helper()
		if in == nil {
			in = &s3.PutObjectInput{}
		}
		in.Bucket, in.Key, in.Body = b, aws.String(key), bytes.NewReader(data)
		out := must[*s3.PutObjectOutput](t)(sc.PutObject(ctx, in))
		m.bodies[key+"@"+aws.ToString(out.VersionId)] = data
	}
	put("doc", plaintext(1000), nil)
	put("doc", plaintext(70_000), &s3.PutObjectInput{Tagging: aws.String("k=v&x=y")})
	put("logs/a", plaintext(10), &s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAes256})
	must[*s3.DeleteObjectOutput](t)(sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("logs/a")}))
	m.ssecBody = plaintext(300_001)
	ssec := &s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(m.ssec.Key), SSECustomerKeyMD5: aws.String(m.ssec.MD5)}
	in := *ssec
	in.Bucket, in.Key, in.Body = b, aws.String("secret"), bytes.NewReader(m.ssecBody)
	must[*s3.PutObjectOutput](t)(sc.PutObject(ctx, &in))

	// A multipart object of two parts, and an upload left unfinished.
	m.multipart = plaintext(5<<20 + 4321)
	up := must[*s3.CreateMultipartUploadOutput](t)(sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("big")}))
	var parts []types.CompletedPart
	for i, chunk := range [][]byte{m.multipart[:5<<20], m.multipart[5<<20:]} {
		p := must[*s3.UploadPartOutput](t)(sc.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("big"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(chunk)}))
		parts = append(parts, types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	must[*s3.CompleteMultipartUploadOutput](t)(sc.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("big"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	open := must[*s3.CreateMultipartUploadOutput](t)(sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("pending")}))
	must[*s3.UploadPartOutput](t)(sc.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("pending"), UploadId: open.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(plaintext(1234))}))

	m.s3View = func(c *s3.Client) string {
		v := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b}))
		u := must[*s3.ListMultipartUploadsOutput](t)(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b}))
		p := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("pending"), UploadId: open.UploadId}))
		lc := must[*s3.GetBucketLifecycleConfigurationOutput](t)(c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}))
		tags := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("doc")}))
		buckets := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{}))
		return asJSON(t, v.Versions, v.DeleteMarkers, u.Uploads, p.Parts, lc.Rules, tags.TagSet, buckets.Buckets)
	}
	return m
}

// check checks a server on the migrated stores against what the
// source served.
func (m *migrated) check(t *testing.T, e *testenv.Env, iamBefore, s3Before string) {
	ctx := context.Background()
	if got := m.iamView(e.IAM); got != iamBefore {
		t.Errorf("IAM lists differ:\nbefore %s\nafter  %s", iamBefore, got)
	}
	if got := m.s3View(e.S3); got != s3Before {
		t.Errorf("S3 lists differ:\nbefore %s\nafter  %s", s3Before, got)
	}
	b := aws.String("data")
	for kv, want := range m.bodies {
		key, version, _ := strings.Cut(kv, "@")
		got := testenv.ReadBody(t)(e.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), VersionId: aws.String(version)}))
		if !bytes.Equal(got, want) {
			t.Errorf("GET %s: %d bytes, want %d", kv, len(got), len(want))
		}
	}
	if got := testenv.ReadBody(t)(e.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("big")})); !bytes.Equal(got, m.multipart) {
		t.Errorf("multipart object: %d bytes, want %d", len(got), len(m.multipart))
	}
	ssec := func(rng *string) []byte {
		return testenv.ReadBody(t)(e.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("secret"), Range: rng,
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(m.ssec.Key), SSECustomerKeyMD5: aws.String(m.ssec.MD5)}))
	}
	if got := ssec(nil); !bytes.Equal(got, m.ssecBody) {
		t.Errorf("SSE-C object: %d bytes", len(got))
	}
	if got := ssec(aws.String("bytes=1000-70999")); !bytes.Equal(got, m.ssecBody[1000:71000]) {
		t.Errorf("SSE-C range: %d bytes", len(got))
	}
	if _, err := e.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("secret")}); err == nil {
		t.Error("SSE-C object read without its key")
	}
	// The user's access key and a session token minted before the move.
	for name, creds := range map[string]aws.CredentialsProvider{"access key": m.alice, "session token": m.session} {
		id, err := e.STSClient(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || !strings.HasSuffix(aws.ToString(id.Arn), "alice") {
			t.Errorf("%s: GetCallerIdentity %v, %v", name, id, err)
			continue
		}
		if got := testenv.ReadBody(t)(e.S3Client(creds).GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("big")})); len(got) != len(m.multipart) {
			t.Errorf("%s: GET %d bytes", name, len(got))
		}
	}
}

// A data directory populated through a real server, stopped, migrated
// into PostgreSQL and moto: a server on --store and --blob with the same
// master key serves all of it, and the refusals hold.
func TestMigrateIntoCluster(t *testing.T) {
	ctx := context.Background()
	moto := s3blobtest.Start(t)
	upstream := moto.Bucket(t)
	blobURL := moto.URL(upstream, "cluster")
	sseOverHTTP := func(c *config.Config) { c.S3SSECAllowHTTP = true }
	src := testenv.New(t, sseOverHTTP)
	m := populate(t, src)
	sess := must[*sts.GetSessionTokenOutput](t)(src.STSClient(m.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{})).Credentials
	m.session = src.Credentials(*sess.AccessKeyId, *sess.SecretAccessKey, *sess.SessionToken)
	iamBefore, s3Before := m.iamView(src.IAM), m.s3View(src.S3)

	mcfg := *src.Cfg
	mcfg.Store, mcfg.Blob = pg.DSN(t), blobURL
	// Refused while the server runs: the data dir's lock is held.
	if _, err := server.Migrate(ctx, &mcfg, server.MigrateOptions{}); !errors.Is(err, server.ErrInUse) || !strings.Contains(err.Error(), "stop") {
		t.Fatalf("migrate beside a running server: %v", err)
	}
	src.Close()

	var progress bytes.Buffer
	sum, err := server.Migrate(ctx, &mcfg, server.MigrateOptions{Progress: &progress})
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, progress.String())
	}
	t.Logf("summary %+v\n%s", sum, progress.String())
	// doc's first version and logs/a are small enough to be kept inline:
	// their bytes travel in their rows, not as blobs.
	if sum.Blobs < 5 || sum.Copied != sum.Blobs || sum.Verified != sum.Blobs || sum.Rows["accounts"] != 1 || sum.Rows["mfa_devices"] != 1 || sum.Rows["parts"] != 1 {
		t.Fatalf("summary: %+v", sum)
	}
	if strings.Contains(progress.String(), "postgres://") {
		t.Fatalf("progress names the database: %s", progress.String())
	}

	// The upstream holds every blob, as ciphertext (SSE-S3 and SSE-C on the
	// source): no plaintext crossed.
	objs := upstreamObjects(t, moto, upstream, "cluster/")
	if int64(len(objs)) != sum.Blobs {
		t.Fatalf("upstream holds %d objects, %d blobs referenced", len(objs), sum.Blobs)
	}
	for name, b := range objs {
		if bytes.Contains(b, []byte(marker)) {
			t.Fatalf("upstream object %s holds plaintext", name)
		}
	}

	// Into the same database again: refused, nothing written.
	if _, err := server.Migrate(ctx, &mcfg, server.MigrateOptions{}); !errors.Is(err, migrate.ErrTargetNotEmpty) {
		t.Fatalf("second migrate into the same database: %v", err)
	}
	// Into a fresh database with the blobs already upstream: resumed.
	again := mcfg
	again.Store = pg.DSN(t)
	if sum2, err := server.Migrate(ctx, &again, server.MigrateOptions{}); err != nil || sum2.Skipped != sum.Blobs || sum2.Copied != 0 {
		t.Fatalf("migrate with the blobs upstream: %+v, %v", sum2, err)
	}

	key, err := keyring.ReadMasterKeyFile(filepath.Join(src.DataDir, keyring.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	node := testenv.New(t, sseOverHTTP, func(c *config.Config) {
		c.Store, c.Blob = mcfg.Store, blobURL
		c.MasterKey = base64.StdEncoding.EncodeToString(key)
	})
	m.check(t, node, iamBefore, s3Before)
	// The node stores new bytes upstream and none in its own data dir.
	if _, err := node.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), Body: strings.NewReader("fresh")}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(node.DataDir, server.BlobDir)); len(entries) > 0 {
		t.Errorf("the node wrote %d entries into its data dir's blobs", len(entries))
	}
}
