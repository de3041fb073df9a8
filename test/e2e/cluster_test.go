package e2e

// The cluster test: three gatehouse processes sharing one PostgreSQL
// database (metadata) and one foreign S3 store, moto_server (object
// bytes), with the same master key. Clients spread over the nodes create
// IAM entities, assume roles, and upload small, large and multipart objects
// in parallel; one node is killed with SIGKILL mid-run and the clients go on
// with the others. At the end every acknowledged write is present and
// byte-identical on every live node, and a Deny written through node 1 is
// enforced by node 3 (the measured delay is logged; docs/cluster.md states
// the bound). The PostgreSQL and moto harnesses are the only internals
// used: infrastructure, not product code.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// clusterNodes is the running cluster as the clients see it.
type clusterNodes struct {
	t     *testing.T
	nodes []*server
	dead  []atomic.Bool
	hc    *http.Client
	// failovers counts operations retried on another node after a
	// transport error.
	failovers atomic.Int32
}

// s3For is an S3 client of node i with creds; the SDK does not retry
// (the test fails over to another node itself).
func (c *clusterNodes) s3For(i int, creds aws.CredentialsProvider) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.nodes[i].URL), UsePathStyle: true,
		Credentials: creds, HTTPClient: c.hc, RetryMaxAttempts: 1})
}

func (c *clusterNodes) iamFor(i int, creds aws.CredentialsProvider) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.nodes[i].URL), Credentials: creds, HTTPClient: c.hc})
}

func (c *clusterNodes) stsFor(i int, creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.nodes[i].URL), Credentials: creds, HTTPClient: c.hc})
}

// onAnyNode runs op on node start, or, when the node is down (or goes down
// during op), on the next live one: what a client behind a load balancer
// sees. An error the service answered is returned as it is.
func (c *clusterNodes) onAnyNode(start int, op func(node int) error) error {
	var err error
	for k := range len(c.nodes) * 2 {
		i := (start + k) % len(c.nodes)
		if c.dead[i].Load() {
			continue
		}
		if err = op(i); err == nil {
			return nil
		}
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return err
		}
		// A transport error: the node died, or the connection broke.
		c.failovers.Add(1)
	}
	return err
}

// kill stops node i with SIGKILL.
func (c *clusterNodes) kill(i int) {
	c.dead[i].Store(true)
	s := c.nodes[i]
	_ = s.cmd.Process.Kill()
	<-s.waitErr
	s.cmd.Process = nil // nothing for the cleanup's stop to do
}

// ackedObject is a write a client saw acknowledged.
type ackedObject struct {
	key  string
	sum  [32]byte
	size int
}

func TestCluster(t *testing.T) {
	ctx := context.Background()
	pg, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	dsn, err := pg.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The default upstream is moto_server; GATEHOUSE_CLUSTER_MINIO, the
	// path of a minio binary, selects MinIO and a heavier run.
	writers, perWriter := 6, 6
	var blobURL string
	if bin := os.Getenv("GATEHOUSE_CLUSTER_MINIO"); bin != "" {
		blobURL = startMinIO(t, bin)
		writers, perWriter = 12, 12
	} else {
		moto := s3blobtest.Start(t)
		blobURL = moto.URL(moto.Bucket(t), "cluster")
	}
	var mk [32]byte
	rand.Read(mk[:])
	env := []string{"GATEHOUSE_MASTER_KEY=" + base64.StdEncoding.EncodeToString(mk[:]),
		"GATEHOUSE_ROOT_ACCESS_KEY_ID=" + rootKeyID, "GATEHOUSE_ROOT_SECRET_ACCESS_KEY=" + rootSecret}
	c := &clusterNodes{t: t, dead: make([]atomic.Bool, 3), hc: &http.Client{Timeout: 2 * time.Minute}}
	for range 3 {
		dir := t.TempDir()
		args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--account-id", accountID, "--shutdown-timeout", "5s",
			"--store", dsn, "--blob", blobURL}
		c.nodes = append(c.nodes, launchServer(t, dir, "", args, env...))
	}
	root := credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, "")

	// IAM through node 1; a role assumed through node 3 (IAM changes reach
	// every node: the role is there at once or within the bound).
	admin := c.iamFor(0, root)
	need(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("app")}))(t)
	need(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("data"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`)}))(t)
	key := need(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app")}))(t).AccessKey
	app := credentials.NewStaticCredentialsProvider(*key.AccessKeyId, *key.SecretAccessKey, "")
	need(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("worker"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:user/app"},"Action":"sts:AssumeRole"}]}`)}))(t)
	need(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("data"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`)}))(t)
	var assumed *sts.AssumeRoleOutput
	deadline := time.Now().Add(10 * time.Second)
	for {
		assumed, err = c.stsFor(2, app).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + accountID + ":role/worker"), RoleSessionName: aws.String("worker-1")})
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("AssumeRole through node 3 of a role created through node 1: %v", err)
	}
	worker := credentials.NewStaticCredentialsProvider(*assumed.Credentials.AccessKeyId, *assumed.Credentials.SecretAccessKey, *assumed.Credentials.SessionToken)
	need(c.s3For(1, root).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))(t)

	// Writers: each alternates nodes and credentials; node 2 is killed with
	// SIGKILL in the middle of one of them (a 20 MiB PUT to node 2 whose
	// body the client has half read), while the others run.
	var mu sync.Mutex
	var acked []ackedObject
	killed := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			creds := []aws.CredentialsProvider{app, worker}[w%2]
			for n := range perWriter {
				k := fmt.Sprintf("w%d/o%d", w, n)
				var body []byte
				switch n % 3 {
				case 0:
					body = noise(4 << 10)
				case 1:
					body = noise(20<<20 + 7) // above the upstream's single-PUT threshold
				}
				var err error
				if body != nil {
					start, attempt := w+n, 0
					if w == 0 && n == 1 {
						start = 1 // the upload node 2 dies under
					}
					err = c.onAnyNode(start, func(i int) error {
						var r io.ReadSeeker = bytes.NewReader(body)
						if attempt++; w == 0 && n == 1 && attempt == 1 {
							// Node 2 is killed once the client has read half
							// of this body (to sign or to send it): the PUT
							// to node 2 fails and the client sends it again
							// to another node.
							r = &killAtHalf{r: r, half: int64(len(body) / 2), kill: func() { killOnce.Do(func() { c.kill(1); close(killed) }) }}
						}
						_, err := c.s3For(i, creds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: r})
						return err
					})
				} else {
					body, err = c.multipartAcrossNodes(ctx, w+n, creds, k)
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", k, err)
					return
				}
				mu.Lock()
				acked = append(acked, ackedObject{key: k, sum: sha256.Sum256(body), size: len(body)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	select {
	case <-killed:
	default:
		t.Fatal("node 2 was never killed")
	}
	if t.Failed() {
		t.FailNow()
	}
	if len(acked) != writers*perWriter || c.failovers.Load() == 0 {
		t.Fatalf("%d writes acknowledged (want %d), %d failed over", len(acked), writers*perWriter, c.failovers.Load())
	}
	t.Logf("%d writes acknowledged; %d operations failed over to another node after node 2 died", len(acked), c.failovers.Load())

	// Every acknowledged write, byte-identical, on each live node.
	for _, node := range []int{0, 2} {
		s := c.s3For(node, root)
		for _, a := range acked {
			out, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(a.key)})
			if err != nil {
				t.Fatalf("node %d: GET %s: %v", node+1, a.key, err)
			}
			h := sha256.New()
			n, err := io.Copy(h, out.Body)
			out.Body.Close()
			if err != nil || int(n) != a.size || !bytes.Equal(h.Sum(nil), a.sum[:]) {
				t.Fatalf("node %d: %s read back %d bytes (want %d), equal %v, err %v", node+1, a.key, n, a.size, bytes.Equal(h.Sum(nil), a.sum[:]), err)
			}
		}
	}
	users := need(c.iamFor(2, root).ListUsers(ctx, &iam.ListUsersInput{}))(t)
	if len(users.Users) != 1 || aws.ToString(users.Users[0].UserName) != "app" {
		t.Fatalf("users on node 3: %+v", users.Users)
	}

	// The token keyring is the store's: a rotation by the operator command
	// on node 1's data dir reaches node 3, whose new token works on node 1,
	// and the token minted before the rotation still works everywhere.
	rot := exec.Command(gatehouseBinary(t), "keys", "rotate", "--data-dir", c.nodes[0].dataDir)
	rot.Env = append(os.Environ(), append(env, "GATEHOUSE_STORE="+dsn, "GATEHOUSE_BLOB="+blobURL)...)
	if out, err := rot.CombinedOutput(); err != nil {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	fresh := need(c.stsFor(2, app).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + accountID + ":role/worker"), RoleSessionName: aws.String("after-rotation")}))(t)
	rotated := credentials.NewStaticCredentialsProvider(*fresh.Credentials.AccessKeyId, *fresh.Credentials.SecretAccessKey, *fresh.Credentials.SessionToken)
	for _, creds := range []aws.CredentialsProvider{rotated, worker} {
		for _, node := range []int{0, 2} {
			if _, err := c.stsFor(node, creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("a session token on node %d after the rotation: %v", node+1, err)
			}
		}
	}

	// A Deny written through node 1 is enforced by node 3.
	probe := acked[0].key
	if _, err := c.s3For(2, app).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(probe)}); err != nil {
		t.Fatalf("before the Deny: %v", err)
	}
	need(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`)}))(t)
	written := time.Now()
	for {
		out, err := c.s3For(2, app).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(probe)})
		if err == nil {
			out.Body.Close()
		}
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied" {
			t.Logf("the Deny written through node 1 was enforced by node 3 after %v", time.Since(written))
			break
		}
		// The bound documented in docs/cluster.md is about a second; ten
		// seconds here means propagation is broken, not slow.
		if time.Since(written) > 10*time.Second {
			t.Fatalf("node 3 still allows 10s after the Deny was written through node 1: %v", err)
		}
	}
}

// multipartAcrossNodes uploads a three-part object: initiated on one node,
// each part through the next, completed through the one after (failing
// over to live nodes), and returns its bytes.
func (c *clusterNodes) multipartAcrossNodes(ctx context.Context, start int, creds aws.CredentialsProvider, key string) ([]byte, error) {
	var id string
	err := c.onAnyNode(start, func(i int) error {
		out, err := c.s3For(i, creds).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key)})
		if err == nil {
			id = *out.UploadId
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var all []byte
	var parts []s3types.CompletedPart
	for p := int32(1); p <= 3; p++ {
		body := noise(5<<20 + int(p))
		if p == 3 {
			body = noise(1 << 20)
		}
		all = append(all, body...)
		err := c.onAnyNode(start+int(p), func(i int) error {
			out, err := c.s3For(i, creds).UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: aws.String(id),
				PartNumber: aws.Int32(p), Body: bytes.NewReader(body)})
			if err == nil {
				parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(p), ETag: out.ETag})
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	err = c.onAnyNode(start+4, func(i int) error {
		_, err := c.s3For(i, creds).CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
			UploadId: aws.String(id), MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
		return err
	})
	return all, err
}

// killAtHalf is a request body that runs kill once half of it was read,
// before handing out more.
type killAtHalf struct {
	r    io.ReadSeeker
	read int64
	half int64
	kill func()
}

func (k *killAtHalf) Read(p []byte) (int, error) {
	if k.read >= k.half && k.kill != nil {
		k.kill()
		k.kill = nil
	}
	if rest := k.half - k.read; rest > 0 && int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := k.r.Read(p)
	k.read += int64(n)
	return n, err
}

func (k *killAtHalf) Seek(off int64, whence int) (int64, error) {
	n, err := k.r.Seek(off, whence)
	k.read = n
	return n, err
}

// startMinIO runs the minio binary at bin on a free loopback port in a
// temp dir until the test ends, creates a bucket, and returns the --blob
// URL of a prefix in it.
func startMinIO(t *testing.T, bin string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "server", filepath.Join(dir, "data"), "--address", addr, "--console-address", "127.0.0.1:0", "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=gatehouse-test", "MINIO_ROOT_PASSWORD=gatehouse-test-secret")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	endpoint := "http://" + addr
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("gatehouse-test", "gatehouse-test-secret", "")})
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("gatehouse-bytes")})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio did not answer: %v\n%s", err, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = gatehouse-test\naws_secret_access_key = gatehouse-test-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "s3://gatehouse-bytes/cluster?endpoint=" + url.QueryEscape(endpoint) + "&region=us-east-1&path-style=true&credentials-file=" + url.QueryEscape(creds)
}

// noise is n random bytes (crypto/rand does not fail).
func noise(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
