package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// pg is this test binary's throwaway PostgreSQL cluster, started by the
// first test that asks for a database.
var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// Two servers ("nodes", each with its own data dir) share one PostgreSQL
// database: S3 and IAM basics work on each, and what one writes the other
// serves, IAM changes included.
func TestPostgresStoreTwoNodes(t *testing.T) {
	ctx := context.Background()
	dsn := pg.DSN(t)
	withPG := func(c *config.Config) {
		c.Store = dsn
		c.MasterKey = "0000000000000000000000000000000000000000000000000000000000000001"
	}
	a := testenv.New(t, withPG)
	b := testenv.New(t, withPG)

	if _, err := a.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("k"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	// The object bytes stay in node a's data dir (blobs are not shared
	// here): node b serves the metadata.
	head, err := b.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")})
	if err != nil || *head.ContentLength != 5 {
		t.Fatalf("node b reads node a's object metadata: %+v, %v", head, err)
	}
	list, err := b.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")})
	if err != nil || len(list.Contents) != 1 || *list.Contents[0].Key != "k" {
		t.Fatalf("node b lists: %+v, %v", list, err)
	}

	// IAM on node a; the user's key works on node b at once (new keys are
	// read from the store), and a policy attached on a takes effect on b.
	if _, err := a.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := a.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := s3.NewFromConfig(b.AWSConfig(b.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("a"), Body: bytes.NewReader(nil)}); err == nil {
		t.Fatal("alice wrote without a policy")
	}
	if _, err := a.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	// Node b learns of the change by notification or, at the latest, by
	// its poll of the generation: a bounded wait, no timing asserted.
	var lastErr error
	for i := 0; i < 400; i++ {
		if _, lastErr = alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("a"), Body: strings.NewReader("x")}); lastErr == nil {
			break
		}
		b.Advance(100 * time.Millisecond) // of node b's clock: paces the poll
	}
	if lastErr != nil {
		t.Fatalf("node b never applied node a's policy: %v", lastErr)
	}
	got, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "x" {
		t.Fatalf("object a: %q", body)
	}
}

// The startup log names the PostgreSQL store without its password, and
// backup refuses a PostgreSQL store with a pointer to pg_dump.
func TestPostgresStoreLogAndBackup(t *testing.T) {
	dsn := strings.Replace(pg.DSN(t), "postgres@", "postgres:n0tlogged@", 1) // trust auth ignores it
	env := testenv.New(t, func(c *config.Config) { c.Store = dsn })
	// Serve logs "gatehouse listening" before it serves: once a request is
	// answered, the line is there.
	if _, err := env.S3.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatal(err)
	}
	if logs := env.Logs(); strings.Contains(logs, "n0tlogged") || !strings.Contains(logs, "postgres:xxxxx@") {
		t.Fatalf("startup log:\n%s", logs)
	}
	env.Close()
	admin, err := server.OpenAdmin(context.Background(), env.Cfg)
	if err != nil {
		t.Fatalf("operator commands open a PostgreSQL store: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Backup(context.Background(), t.TempDir(), server.BackupOptions{}); !errors.Is(err, server.ErrBackupUnsupported) {
		t.Fatalf("backup of a PostgreSQL store: %v", err)
	}
	_, err = server.Restore(context.Background(), env.Cfg, t.TempDir(), server.RestoreOptions{})
	if !errors.Is(err, server.ErrBackupUnsupported) || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("restore into a PostgreSQL store: %v", err)
	}
}
