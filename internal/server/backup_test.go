package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/backup"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// body is the content of an object: derived from its key and version, of a
// size that varies with them (up to about 300 KiB: past blob/fs's
// pipeline chunk).
func body(key string, version int) []byte {
	line := fmt.Sprintf("%s v%d|", key, version)
	n := (len(key)*7919 + version*104729) % (300 << 10)
	return bytes.Repeat([]byte(line), n/len(line)+1)
}

// TestBackupUnderLoad backs up a serving data directory while writers PUT
// new objects and others overwrite and delete objects (freeing their
// bytes), restores the backup into a new data directory, serves it, and
// finds every object whose PUT was acknowledged before the backup started,
// with its bytes; an overwritten object holds one whole version.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	const bucket = "load"
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	// An upload in progress: its part's bytes must be in the backup too.
	up, err := env.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part := body("mp-part", 1)
	pr, err := env.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(part)})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		acked = map[string]int{} // key → version acknowledged
		stop  = make(chan struct{})
		wg    sync.WaitGroup
		ready = make(chan struct{}) // closed after the first 40 acknowledged PUTs
		once  sync.Once
	)
	put := func(key string, version int) error {
		_, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body(key, version))})
		if err == nil {
			mu.Lock()
			acked[key] = version
			if len(acked) >= 40 {
				once.Do(func() { close(ready) })
			}
			mu.Unlock()
		}
		return err
	}
	for w := range 6 {
		wg.Add(1)
		go func() { // new objects
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := put(fmt.Sprintf("w%d/%05d", w, i), 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() { // overwrites and deletes: bytes freed while the backup runs
			defer wg.Done()
			for v := 1; ; v++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("churn/%d/%d", w, v%5)
				if err := put(key, v); err != nil {
					t.Error(err)
					return
				}
				if v%3 == 0 {
					if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					delete(acked, key)
					mu.Unlock()
				}
			}
		}()
	}
	select {
	case <-ready:
	case <-stopped(&wg):
		t.Fatal("the writers stopped before 40 PUTs")
	}

	mu.Lock()
	before := map[string]int{}
	for k, v := range acked {
		if !strings.HasPrefix(k, "churn/") {
			before[k] = v
		}
	}
	mu.Unlock()
	admin, err := server.OpenAdmin(ctx, env.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "backup")
	m, err := admin.Backup(ctx, dest, server.BackupOptions{Version: "test"})
	admin.Close()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	if m.Counts["objects"] < int64(len(before)) || m.Counts["uploads"] != 1 || m.Counts["parts"] != 1 || m.MasterKey != nil {
		t.Fatalf("manifest counts %v (master key %v) for %d objects acknowledged before", m.Counts, m.MasterKey, len(before))
	}
	if _, err := os.Stat(filepath.Join(dest, keyring.MasterKeyFile)); err == nil {
		t.Fatal("the backup holds master.key without --include-master-key")
	}
	t.Logf("backed up %d objects (%d acknowledged before it started), %d blobs, %d bytes", m.Counts["objects"], len(before), m.Blobs, m.BlobBytes)

	restored := filepath.Join(t.TempDir(), "restored")
	cfg := cfgFor(env.Cfg, restored)
	if _, err := server.Restore(ctx, cfg, dest, server.RestoreOptions{MasterKeyFile: filepath.Join(env.DataDir, keyring.MasterKeyFile)}); err != nil {
		t.Fatal(err)
	}
	env2 := testenv.New(t, func(c *config.Config) { c.DataDir = restored })
	for key, version := range before {
		got := getObject(t, env2.S3, bucket, key)
		if !bytes.Equal(got, body(key, version)) {
			t.Fatalf("restored %s: %d bytes, want %d", key, len(got), len(body(key, version)))
		}
	}
	// Every restored object is one whole version of what was written.
	var token *string
	n := 0
	for {
		page, err := env2.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			n++
			got := getObject(t, env2.S3, bucket, *o.Key)
			var version int
			if _, err := fmt.Sscanf(string(got[len(*o.Key)+1:]), "v%d|", &version); err != nil || !bytes.Equal(got, body(*o.Key, version)) {
				t.Fatalf("restored %s is no version of it (%d bytes)", *o.Key, len(got))
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		token = page.NextContinuationToken
	}
	if int64(n) != m.Counts["objects"] {
		t.Fatalf("the restored bucket lists %d objects, the manifest counted %d", n, m.Counts["objects"])
	}
	// The upload in progress completes from its restored part.
	if _, err := env2.S3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pr.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if got := getObject(t, env2.S3, bucket, "mp"); !bytes.Equal(got, part) {
		t.Fatal("the completed upload's bytes differ from the part")
	}
}

func stopped(wg *sync.WaitGroup) <-chan struct{} {
	c := make(chan struct{})
	go func() { wg.Wait(); close(c) }()
	return c
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	return b
}

// TestRestoreRefusals: restore writes nowhere without the right master key,
// and only into a new or empty directory unless forced; a backup taken
// with the master key restores alone.
func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	admin, err := server.OpenAdmin(ctx, env.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	plain, withKey := filepath.Join(t.TempDir(), "plain"), filepath.Join(t.TempDir(), "with-key")
	if _, err := admin.Backup(ctx, plain, server.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := admin.Backup(ctx, withKey, server.BackupOptions{IncludeMasterKey: true})
	if err != nil || m.MasterKey == nil {
		t.Fatalf("backup with the key: %+v %v", m, err)
	}
	if _, err := admin.Backup(ctx, filepath.Join(env.DataDir, "inside"), server.BackupOptions{}); err == nil {
		t.Fatal("a backup into the data directory itself was taken")
	}
	admin.Close()
	keyFile := filepath.Join(env.DataDir, keyring.MasterKeyFile)
	otherKey := filepath.Join(t.TempDir(), "other.key")
	if err := keyring.WriteMasterKeyFile(filepath.Dir(otherKey), bytes.Repeat([]byte{9}, keyring.MasterKeySize)); err != nil {
		t.Fatal(err)
	}
	otherKey = filepath.Join(filepath.Dir(otherKey), keyring.MasterKeyFile)

	target := filepath.Join(t.TempDir(), "target")
	cfg := cfgFor(env.Cfg, target)
	notCreated := func(what string) {
		t.Helper()
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Fatalf("%s: the target directory was created: %v", what, err)
		}
	}
	_, err = server.Restore(ctx, cfg, plain, server.RestoreOptions{})
	if !errors.Is(err, server.ErrMasterKeyMissing) || !strings.Contains(err.Error(), "--master-key-file") {
		t.Fatalf("restore without a key: %v", err)
	}
	notCreated("no key")
	if _, err := server.Restore(ctx, cfg, plain, server.RestoreOptions{MasterKeyFile: otherKey}); !errors.Is(err, server.ErrMasterKeyMismatch) {
		t.Fatalf("restore with a wrong key: %v", err)
	}
	notCreated("wrong key")
	if _, err := server.Restore(ctx, cfg, filepath.Join(t.TempDir(), "nothing"), server.RestoreOptions{}); !errors.Is(err, backup.ErrNotBackup) {
		t.Fatalf("restore of no backup: %v", err)
	}
	notCreated("no backup")

	if _, err := server.Restore(ctx, cfg, withKey, server.RestoreOptions{}); err != nil {
		t.Fatalf("restore of a backup with its key: %v", err)
	}
	if _, err := server.Restore(ctx, cfg, plain, server.RestoreOptions{MasterKeyFile: keyFile}); !errors.Is(err, server.ErrDataDirNotEmpty) {
		t.Fatalf("restore into a data directory: %v", err)
	}
	// A server on the target keeps even a forced restore out.
	env2 := testenv.New(t, func(c *config.Config) { c.DataDir = target })
	if _, err := server.Restore(ctx, cfg, plain, server.RestoreOptions{MasterKeyFile: keyFile, Force: true}); !errors.Is(err, server.ErrInUse) {
		t.Fatalf("forced restore under a running server: %v", err)
	}
	env2.Close()
	os.WriteFile(filepath.Join(target, "notes.txt"), []byte("mine"), 0o600)
	os.WriteFile(filepath.Join(target, server.RootCredentialsFile), []byte("[default]\n"), 0o600)
	if _, err := server.Restore(ctx, cfg, plain, server.RestoreOptions{MasterKeyFile: keyFile, Force: true}); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "notes.txt")); err != nil {
		t.Fatal("a forced restore removed a file that is not the data directory's")
	}
	if _, err := os.Stat(filepath.Join(target, server.RootCredentialsFile)); err == nil {
		t.Fatal("a forced restore kept the old root-credentials")
	}
	env2.Restart()
	if got := getObject(t, env2.S3, "bkt", "k"); string(got) != "v" {
		t.Fatalf("restored object: %q", got)
	}
}
