// Package s3blobtest runs moto_server, a foreign S3 implementation, for
// the tests of the s3blob backend and of a server storing object bytes in
// it. Tests that need it fail (never skip) when moto_server is missing.
package s3blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// startTimeout bounds the wait for moto_server to answer.
const startTimeout = 60 * time.Second

// Moto is a running moto_server.
type Moto struct {
	Endpoint string // http://127.0.0.1:PORT
	// Client talks to it directly (path style, test credentials).
	Client *s3.Client
	// CredentialsFile is a shared credentials file with the test
	// credentials, for credentials-file=.
	CredentialsFile string

	stop func() // kills the server once
}

// Stop kills the server now (an upstream that went away); the test's
// cleanup does it otherwise.
func (m *Moto) Stop() { m.stop() }

// Start runs moto_server on a free port in a temp dir until the test ends.
func Start(t testing.TB) *Moto {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatalf("moto_server is not installed (needed as the foreign S3 of these tests): install it with pip install 'moto[server]'")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	kill := func() {
		once.Do(func() {
			stop(cmd)
			<-exited
			logFile.Close()
		})
	}
	t.Cleanup(kill)
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(startTimeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := hc.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err // for kill
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("moto_server exited: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within %v", endpoint, startTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	return &Moto{Endpoint: endpoint, Client: c, CredentialsFile: creds, stop: kill}
}

// Bucket creates a bucket of a fresh name.
func (m *Moto) Bucket(t testing.TB) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "gh-" + hex.EncodeToString(b[:])
	if _, err := m.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// URL is the --blob URL of bucket/prefix on this server.
func (m *Moto) URL(bucket, prefix string) string {
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&region=us-east-1&path-style=true&credentials-file=%s", bucket, prefix,
		url.QueryEscape(m.Endpoint), url.QueryEscape(m.CredentialsFile))
}
