package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// Names the Gatehouse setup creates.
const (
	benchUser    = "gatehouse-bench"
	benchRole    = "gatehouse-bench"
	benchWebRole = "gatehouse-bench-web"
	oidcAudience = "sts.amazonaws.com"
	oidcSubject  = "system:serviceaccount:bench:load"
)

// bench is a prepared endpoint: who signs what.
type bench struct {
	o         *options
	c         *client
	gatehouse bool
	stsCreds  aws.Credentials // signs STS and IAM requests
	s3Creds   aws.Credentials // signs S3 requests
	roleARN   string
	account   string
	issuer    *issuer // web identity only
	webRole   string
}

// prepare sets the endpoint up as o asks and returns who signs what.
func prepare(ctx context.Context, o *options, c *client, webIdentity bool) (*bench, error) {
	root := aws.Credentials{AccessKeyID: o.accessKey, SecretAccessKey: o.secretKey, Source: "flags"}
	b := &bench{o: o, c: c, stsCreds: root, s3Creds: root}
	switch o.setup {
	case "gatehouse":
		b.gatehouse = true
	case "auto":
		_, err := c.query(ctx, &root, "iam", url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}}, false)
		b.gatehouse = err == nil
	}
	if b.gatehouse {
		if err := b.setupGatehouse(ctx, root, webIdentity); err != nil {
			return nil, fmt.Errorf("setup on %s: %w", o.endpoint, err)
		}
	} else {
		b.roleARN = o.roleARN
		if b.roleARN == "" {
			b.roleARN = "arn:aws:iam::000000000000:role/" + benchRole
		}
		if err := c.ensureBucket(ctx, root, o.bucket); err != nil {
			return nil, fmt.Errorf("creating bucket %s: %w", o.bucket, err)
		}
		if webIdentity {
			iss, err := startIssuer(o.oidcListen)
			if err != nil {
				return nil, err
			}
			b.issuer, b.webRole = iss, b.roleARN
		}
	}
	if o.versioned {
		if err := c.enableVersioning(ctx, root, o.bucket); err != nil {
			return nil, fmt.Errorf("enabling versioning on %s: %w", o.bucket, err)
		}
	}
	if o.creds == "assume-role" || (o.creds == "auto" && b.gatehouse) {
		tmp, err := c.assumeRole(ctx, b.stsCreds, b.roleARN)
		if err != nil {
			if unsupported(err) {
				return nil, fmt.Errorf("--creds assume-role: unsupported by endpoint: %w", err)
			}
			return nil, err
		}
		b.s3Creds = tmp
	}
	return b, nil
}

func (b *bench) close() {
	if b.issuer != nil {
		b.issuer.close()
	}
}

// setupGatehouse creates (idempotently) the bench user with a fresh access
// key, the role trusting it, the bucket and its policy, and for web
// identity the OIDC provider and a role trusting it.
func (b *bench) setupGatehouse(ctx context.Context, root aws.Credentials, webIdentity bool) error {
	account, err := b.c.callerAccount(ctx, root)
	if err != nil {
		return fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	b.account = account
	cfg := aws.Config{Region: b.o.region, BaseEndpoint: aws.String(b.c.endpoint), HTTPClient: b.c.hc,
		Credentials: credentials.StaticCredentialsProvider{Value: root}}
	ic := iam.NewFromConfig(cfg)
	if err := exists(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(benchUser)})); err != nil {
		return err
	}
	if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(benchUser), PolicyName: aws.String("bench"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetRole"],"Resource":"*"}]}`)}); err != nil {
		return err
	}
	// A fresh key each setup; the old ones go (a user has two at most).
	keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(benchUser)})
	if err != nil {
		return err
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(benchUser), AccessKeyId: k.AccessKeyId}); err != nil {
			return err
		}
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(benchUser)})
	if err != nil {
		return err
	}
	b.stsCreds = aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey, Source: "setup"}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/` + benchUser + `"},"Action":"sts:AssumeRole"}]}`
	if err := ensureRole(ctx, ic, benchRole, trust); err != nil {
		return err
	}
	b.roleARN = "arn:aws:iam::" + account + ":role/" + benchRole
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if err := exists(sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.o.bucket)})); err != nil {
		return err
	}
	// The policy every S3 request is evaluated against: the role may do
	// anything in the bucket; a deny that never matches is evaluated too.
	arn := "arn:aws:s3:::" + b.o.bucket
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletesOfArchive","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"` + arn + `/archive/*"},` +
		`{"Sid":"BenchRole","Effect":"Allow","Principal":{"AWS":"` + b.roleARN + `"},"Action":"s3:*","Resource":["` + arn + `","` + arn + `/*"]}]}`
	if _, err := sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b.o.bucket), Policy: aws.String(policy)}); err != nil {
		return err
	}
	if webIdentity {
		iss, err := startIssuer(b.o.oidcListen)
		if err != nil {
			return err
		}
		b.issuer = iss
		if err := b.registerIssuer(ctx, ic); err != nil {
			return fmt.Errorf("registering the OIDC issuer: %w", err)
		}
	}
	return nil
}

// registerIssuer makes the tool's issuer an OIDC provider (or updates its
// thumbprint) and role gatehouse-bench-web trusting it.
func (b *bench) registerIssuer(ctx context.Context, ic *iam.Client) error {
	provARN := "arn:aws:iam::" + b.account + ":oidc-provider/" + strings.TrimPrefix(b.issuer.url, "https://")
	_, err := ic.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(b.issuer.url),
		ClientIDList: []string{oidcAudience}, ThumbprintList: []string{b.issuer.thumbprint}})
	if isCode(err, "EntityAlreadyExists") {
		_, err = ic.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(provARN), ThumbprintList: []string{b.issuer.thumbprint}})
	}
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(b.issuer.url, "https://")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + name + `:aud":"` + oidcAudience + `"},"StringLike":{"` +
		name + `:sub":"system:serviceaccount:bench:*"}}}]}`
	if err := ensureRole(ctx, ic, benchWebRole, trust); err != nil {
		return err
	}
	b.webRole = "arn:aws:iam::" + b.account + ":role/" + benchWebRole
	return nil
}

// ensureRole creates a role or sets its trust policy.
func ensureRole(ctx context.Context, ic *iam.Client, name, trust string) error {
	_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if isCode(err, "EntityAlreadyExists") {
		_, err = ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)})
	}
	return err
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// exists drops the error of creating what is already there.
func exists[T any](_ T, err error) error {
	if isCode(err, "EntityAlreadyExists") || isCode(err, "BucketAlreadyOwnedByYou") {
		return nil
	}
	return err
}

// setupOnly is `gatehouse-bench setup`: seeding a stopped server's store,
// or preparing a running endpoint (and extra roles), then exiting.
func setupOnly(ctx context.Context, o *options, stdout io.Writer) error {
	if o.seedDB != "" {
		if o.seedWhat["versions"] {
			total, err := seedVersions(ctx, o.seedDB, o.bucket, o.versions)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "bucket %s holds %d versions under vers/\n", o.bucket, total)
			if !o.seedWhat["keys"] {
				return nil
			}
		}
		total, err := seedKeys(ctx, o.seedDB, o.bucket, o.keys)
		if err == nil {
			fmt.Fprintf(stdout, "bucket %s holds %d keys under list/\n", o.bucket, total)
		}
		return err
	}
	c := newClient(o.endpoint, o.region, o.concurrency)
	defer c.close()
	b, err := prepare(ctx, o, c, false)
	if err != nil {
		return err
	}
	defer b.close()
	if o.roles > 0 {
		if !b.gatehouse {
			return errors.New("--roles needs a Gatehouse endpoint (--setup gatehouse)")
		}
		start := time.Now()
		if err := b.extraRoles(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %d extra roles in %v\n", o.roles, time.Since(start).Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "ready: endpoint %s gatehouse=%v bucket %s role %s\n", o.endpoint, b.gatehouse, o.bucket, b.roleARN)
	return nil
}

// extraRoles creates --roles roles trusting the bench user, 8 requests at a
// time: with --data-dir in extra accounts of 1,000 each made through the
// data dir (as `gatehouse account create` does; AWS's default roles quota),
// else in the bench account.
func (b *bench) extraRoles(ctx context.Context) error {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b.account + `:user/` + benchUser + `"},"Action":"sts:AssumeRole"}]}`
	base := aws.Config{Region: b.o.region, BaseEndpoint: aws.String(b.c.endpoint), HTTPClient: b.c.hc}
	type job struct {
		c *iam.Client
		i int
	}
	work := make(chan job)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if err := ensureRole(ctx, j.c, fmt.Sprintf("role-%06d", j.i), trust); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	var admin *server.Admin
	if b.o.dataDir != "" {
		cfg, err := config.Load([]string{"--data-dir", b.o.dataDir}, os.LookupEnv)
		if err != nil {
			close(work)
			return err
		}
		if admin, err = server.OpenAdmin(ctx, cfg); err != nil {
			close(work)
			return err
		}
		defer admin.Close()
	}
	rootCfg := base
	rootCfg.Credentials = credentials.StaticCredentialsProvider{Value: aws.Credentials{AccessKeyID: b.o.accessKey, SecretAccessKey: b.o.secretKey}}
	ic := iam.NewFromConfig(rootCfg)
	var err error
	for i := 0; i < b.o.roles && err == nil; i++ {
		if admin != nil && i%1000 == 0 {
			cr, e := admin.CreateAccount(ctx, "", fmt.Sprintf("bench-%d-%d", time.Now().Unix(), i/1000))
			if e != nil {
				err = e
				break
			}
			ac := base
			ac.Credentials = credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, "")
			ic = iam.NewFromConfig(ac)
		}
		select {
		case work <- job{ic, i}:
		case err = <-errs:
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// seedKeys adds object records list/%08d to bucket in the stopped server's
// store at path until it holds n, 10,000 to a transaction, and returns how
// many there are. The records point at no
// blob: they are for listing only.
func seedKeys(ctx context.Context, path, bucket string, n int) (int, error) {
	st, err := sqlite.Open(path)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	have := 0
	err = st.View(ctx, func(tx store.Tx) error {
		q := store.ObjectQuery{Prefix: "list/", Limit: 10000}
		for {
			page, err := tx.ListObjects(ctx, bucket, q)
			if err != nil || len(page) == 0 {
				return err
			}
			have += len(page)
			q.After = page[len(page)-1].Key
		}
	})
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC()
	return seedRecords(ctx, st, have, n, func(i int) *store.Object {
		return &store.Object{Bucket: bucket, Key: listKey(i), Size: 0, ETag: `"d41d8cd98f00b204e9800998ecf8427e"`,
			LastModified: now, ContentType: "application/octet-stream", Owner: "bench"}
	})
}

// seedRecords writes the records record(have) … record(n-1) straight into
// the store, 10,000 to a transaction, and returns how many there are.
func seedRecords(ctx context.Context, st store.Store, have, n int, record func(i int) *store.Object) (int, error) {
	for base := have; base < n; base += 10000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := base; i < min(base+10000, n); i++ {
				if _, err := tx.PutObject(ctx, record(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return max(have, n), nil
}

func listKey(i int) string { return fmt.Sprintf("list/%08d", i) }
