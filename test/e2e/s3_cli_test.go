package e2e

import (
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestCLIS3ReadOnlyRole is the users' first flow: a user assumes a role
// with AmazonS3ReadOnlyAccess; with the temporary keys as a profile,
// `aws s3 ls` works and `aws s3 cp` is denied on PutObject.
func TestCLIS3ReadOnlyRole(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)

	aws.must(nil, "s3", "mb", "s3://www.example.com")
	src := filepath.Join(t.TempDir(), "abc.txt")
	os.WriteFile(src, []byte("read me"), 0o600)
	aws.must(nil, "s3", "cp", src, "s3://www.example.com/abc.txt", "--no-progress")

	aws.must(nil, "iam", "create-user", "--user-name", "mystsuser")
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	aws.must(&key, "iam", "create-access-key", "--user-name", "mystsuser")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:user/mystsuser"},"Action":"sts:AssumeRole","Condition":{}}]}`
	aws.must(nil, "iam", "create-role", "--role-name", "sts-s3-read-only", "--assume-role-policy-document", trust)
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "sts-s3-read-only", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
	aws.must(nil, "iam", "put-user-policy", "--user-name", "mystsuser", "--policy-name", "assume", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::`+accountID+`:role/sts-s3-read-only"}]}`)
	aws.appendFile("credentials", "[ststestprofile]\naws_access_key_id = "+key.AccessKey.AccessKeyId+"\naws_secret_access_key = "+key.AccessKey.SecretAccessKey+"\n")

	var out struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	aws.must(&out, "sts", "assume-role", "--role-arn", "arn:aws:iam::"+accountID+":role/sts-s3-read-only",
		"--role-session-name", "mytestsession", "--duration-seconds", "3600", "--profile", "ststestprofile")
	aws.appendFile("credentials", "[stsgeneratedprofile]\naws_access_key_id = "+out.Credentials.AccessKeyId+
		"\naws_secret_access_key = "+out.Credentials.SecretAccessKey+"\naws_session_token = "+out.Credentials.SessionToken+"\n")

	if o := aws.must(nil, "s3", "ls", "--profile", "stsgeneratedprofile"); !strings.Contains(o, "www.example.com") {
		t.Fatalf("aws s3 ls: %q", o)
	}
	if o := aws.must(nil, "s3", "ls", "s3://www.example.com", "--profile", "stsgeneratedprofile"); !strings.Contains(o, "abc.txt") {
		t.Fatalf("aws s3 ls bucket: %q", o)
	}
	if o := aws.must(nil, "s3", "cp", "s3://www.example.com/abc.txt", "-", "--profile", "stsgeneratedprofile"); o != "read me" {
		t.Fatalf("aws s3 cp to stdout: %q", o)
	}
	msg := aws.fails("s3", "cp", src, "s3://www.example.com/abc2.txt", "--profile", "stsgeneratedprofile")
	denied := strings.Contains(msg, "upload failed") && strings.Contains(msg, "An error occurred (AccessDenied) when calling the PutObject operation")
	record(t, clientCLI, featAssumeRole, denied, "aws sts assume-role, its credentials as a profile: aws s3 ls and cp from S3 work, cp to S3 fails with AccessDenied on PutObject (read-only role)")
	if !denied {
		t.Fatalf("read-only upload:\n%s", msg)
	}
	if o := aws.must(nil, "s3", "ls", "s3://www.example.com"); strings.Contains(o, "abc2.txt") {
		t.Fatalf("denied upload left an object: %q", o)
	}
}

// TestCLIS3Transfers drives the CLI's transfer commands: a 100 MiB upload
// (multipart), download and hash check, sync, recursive ls and rm, and
// presigned URLs fetched with a plain HTTP client.
func TestCLIS3Transfers(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	dir := t.TempDir()
	aws.must(nil, "s3", "mb", "s3://transfers")

	big := filepath.Join(dir, "big.bin")
	writeRandom(t, big, 100<<20)
	aws.must(nil, "s3", "cp", big, "s3://transfers/big.bin", "--no-progress")
	var head struct {
		ContentLength int64
		ETag          string
	}
	aws.must(&head, "s3api", "head-object", "--bucket", "transfers", "--key", "big.bin")
	if head.ContentLength != 100<<20 || !strings.HasSuffix(head.ETag, `-13"`) {
		t.Fatalf("head-object after multipart cp: %+v", head)
	}
	back := filepath.Join(dir, "back.bin")
	aws.must(nil, "s3", "cp", "s3://transfers/big.bin", back, "--no-progress")
	if fileHash(t, big) != fileHash(t, back) {
		t.Fatal("downloaded bytes differ from uploaded bytes")
	}

	tree := filepath.Join(dir, "tree")
	for _, p := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt", "space name.txt"} {
		os.MkdirAll(filepath.Dir(filepath.Join(tree, p)), 0o700)
		os.WriteFile(filepath.Join(tree, p), []byte("content of "+p), 0o600)
	}
	aws.must(nil, "s3", "sync", tree, "s3://transfers/tree/", "--no-progress")
	if o := aws.must(nil, "s3", "sync", tree, "s3://transfers/tree/", "--no-progress"); strings.TrimSpace(o) != "" {
		t.Fatalf("second sync copied again: %q", o)
	}
	o := aws.must(nil, "s3", "ls", "--recursive", "s3://transfers/tree/")
	var keys []string
	for _, line := range strings.Split(strings.TrimSpace(o), "\n") {
		f := strings.Fields(line)
		keys = append(keys, strings.Join(f[3:], " "))
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "tree/a.txt,tree/space name.txt,tree/sub/b.txt,tree/sub/deeper/c.txt" {
		t.Fatalf("ls --recursive: %q", o)
	}
	if o := aws.must(nil, "s3", "ls", "s3://transfers/tree/"); !strings.Contains(o, "PRE sub/") {
		t.Fatalf("ls with delimiter: %q", o)
	}
	down := filepath.Join(dir, "down")
	aws.must(nil, "s3", "sync", "s3://transfers/tree/", down, "--no-progress")
	if b, _ := os.ReadFile(filepath.Join(down, "sub/deeper/c.txt")); string(b) != "content of sub/deeper/c.txt" {
		t.Fatalf("sync down: %q", b)
	}

	// Presigned URLs: the CLI's default (SigV2 query string) and SigV4.
	defer func() {
		record(t, clientCLI, featPresign, !t.Failed(), "aws s3 presign, GET only (the CLI cannot presign a PUT): SigV2 URLs by default, SigV4 with s3.signature_version = s3v4; fetched with net/http")
	}()
	for _, cfg := range []string{"", "[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n"} {
		if cfg != "" {
			aws.writeFile("config", cfg)
		}
		url := strings.TrimSpace(aws.must(nil, "s3", "presign", "s3://transfers/tree/a.txt", "--expires-in", "300"))
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "content of a.txt" {
			t.Fatalf("presigned GET %s: %d %s", url, resp.StatusCode, body)
		}
		resp, err = http.Get(strings.Replace(url, "a.txt", "sub/b.txt", 1))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("presigned URL for another key: %d", resp.StatusCode)
		}
	}

	aws.must(nil, "s3", "rm", "--recursive", "s3://transfers/tree/")
	if o := aws.must(nil, "s3", "ls", "--recursive", "s3://transfers/"); strings.Contains(o, "tree/") || !strings.Contains(o, "big.bin") {
		t.Fatalf("after rm --recursive: %q", o)
	}
	aws.must(nil, "s3", "rm", "s3://transfers/big.bin")
	aws.must(nil, "s3", "rb", "s3://transfers")
}

func writeRandom(t *testing.T, path string, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, int64(size)); err != nil {
		t.Fatal(err)
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// selfSignedCert makes a certificate for 127.0.0.1 with openssl and returns
// the certificate and key files.
func selfSignedCert(t *testing.T) (cert, key string) {
	t.Helper()
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	return cert, key
}

// TestCLIS3OverTLS is the CLI's upload path as it runs against AWS: over
// HTTPS the CLI sends aws-chunked bodies with a trailing CRC32
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER) instead of signing the payload.
func TestCLIS3OverTLS(t *testing.T) {
	cert, key := selfSignedCert(t)
	srv := startServer(t, t.TempDir(), "--tls-cert", cert, "--tls-key", key, "--log-level", "debug")
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server URL %s", srv.URL)
	}
	aws := newAWSCLI(t, srv.URL)
	aws.env = append(aws.env, "AWS_CA_BUNDLE="+cert)
	dir := t.TempDir()
	aws.must(nil, "s3", "mb", "s3://secure")
	big := filepath.Join(dir, "big.bin")
	writeRandom(t, big, 64<<20)
	aws.must(nil, "s3", "cp", big, "s3://secure/big.bin", "--no-progress")
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte("small over tls"), 0o600)
	aws.must(nil, "s3", "cp", small, "s3://secure/small.txt", "--no-progress")
	back := filepath.Join(dir, "back.bin")
	aws.must(nil, "s3", "cp", "s3://secure/big.bin", back, "--no-progress")
	if fileHash(t, big) != fileHash(t, back) {
		t.Fatal("downloaded bytes differ from uploaded bytes")
	}
	if o := aws.must(nil, "s3", "cp", "s3://secure/small.txt", "-"); o != "small over tls" {
		t.Fatalf("small object: %q", o)
	}
	log := srv.stderr.String()
	chunked := strings.Contains(log, `operation=UploadPart`) && strings.Contains(log, "payload=STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	record(t, clientCLI, featUpload, chunked, "aws s3 cp: 8 MiB parts, each aws-chunked with a trailing CRC32 (STREAMING-UNSIGNED-PAYLOAD-TRAILER) over HTTPS; cp back and compared")
	if !chunked {
		t.Fatalf("the CLI did not send aws-chunked uploads over TLS; server log:\n%s", tail(log, 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
