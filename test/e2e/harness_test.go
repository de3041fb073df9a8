// Package e2e drives the real gatehouse binary with real AWS clients (the aws
// CLI, boto3, the AWS SDKs). Nothing here imports Gatehouse's product code:
// the tests see exactly what a user sees. (The cluster test uses the
// throwaway-PostgreSQL and moto_server harnesses of internal/store/postgres
// and internal/blob/s3blob as infrastructure.)
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	accountID  = "123456789012"
	rootKeyID  = "AKIAE2EROOTKEY000001"
	rootSecret = "e2eRootSecretKey0123456789abcdefghijklmn"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// gatehouseBinary builds cmd/gatehouse once per test process.
func gatehouseBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gatehouse-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gatehouse")
		cmd := exec.Command("go", "build", "-o", binPath, "../../cmd/gatehouse")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is one running gatehouse process.
type server struct {
	t       *testing.T
	dataDir string
	cmd     *exec.Cmd
	URL     string
	stdout  *lockedBuffer
	stderr  *lockedBuffer // the server's log
	waitErr chan error
}

// lockedBuffer is a bytes.Buffer safe for the process's writer goroutine
// and the test reading it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listenLine = regexp.MustCompile(`msg="gatehouse listening" url=(https?://[0-9.:]+)`)

// startServer runs `gatehouse serve` on a random loopback port with dataDir;
// extra flags are appended.
func startServer(t *testing.T, dataDir string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--account-id", accountID, "--shutdown-timeout", "5s"}, extra...)
	return launchServer(t, dataDir, "", args, "GATEHOUSE_ROOT_ACCESS_KEY_ID="+rootKeyID, "GATEHOUSE_ROOT_SECRET_ACCESS_KEY="+rootSecret)
}

// launchServer runs `gatehouse args…` in dir (the test's own when empty)
// with env added to the test's environment, and waits until it listens on
// 127.0.0.1. dataDir is where that server keeps its data.
func launchServer(t *testing.T, dataDir, dir string, args []string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(gatehouseBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stdout := &lockedBuffer{}
	cmd.Stdout = stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, dataDir: dataDir, cmd: cmd, stdout: stdout, stderr: &lockedBuffer{}, waitErr: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.stderr.Write([]byte(line + "\n"))
			t.Logf("gatehouse: %s", line)
			if m := listenLine.FindStringSubmatch(line); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.waitErr <- cmd.Wait() }()
	select {
	case s.URL = <-urlc:
	case err := <-s.waitErr:
		t.Fatalf("gatehouse exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("gatehouse did not start listening within 30s")
	}
	t.Cleanup(s.stop)
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	if s.cmd.ProcessState != nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.waitErr:
		if err != nil {
			s.t.Errorf("gatehouse exited with %v", err)
		}
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		s.t.Error("gatehouse did not stop within 15s of SIGINT")
	}
	s.cmd.Process = nil
}

// awsCLI runs the aws CLI against the server with a private config directory.
type awsCLI struct {
	t    *testing.T
	url  string
	home string // holds .aws/config and .aws/credentials
	env  []string
}

func newAWSCLI(t *testing.T, url string) *awsCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("the aws CLI is required for end-to-end tests (scripts/test installs the prerequisites): ", err)
	}
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	c := &awsCLI{t: t, url: url, home: home}
	c.env = []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=",
		// The CLI's own assume-role provider (role_arn + source_profile)
		// calls STS outside --endpoint-url; the standard endpoint variable
		// points it at Gatehouse too.
		"AWS_ENDPOINT_URL=" + url,
	}
	if p := os.Getenv("PYENV_ROOT"); p != "" {
		c.env = append(c.env, "PYENV_ROOT="+p)
	}
	c.writeFile("credentials", fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", rootKeyID, rootSecret))
	c.writeFile("config", "[default]\nregion = us-east-1\noutput = json\n")
	return c
}

func (c *awsCLI) writeFile(name, text string) {
	if err := os.WriteFile(filepath.Join(c.home, ".aws", name), []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *awsCLI) appendFile(name, text string) {
	f, err := os.OpenFile(filepath.Join(c.home, ".aws", name), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		c.t.Fatal(err)
	}
}

// run executes `aws --endpoint-url URL args…` and returns stdout, stderr and
// whether it succeeded.
func (c *awsCLI) run(args ...string) (stdout, stderr string, ok bool) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--endpoint-url", c.url}, args...)
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = c.env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	return o.String(), e.String(), err == nil
}

// runBare executes `aws args…` without --endpoint-url, with extra
// environment (name=value) replacing the CLI's defaults of the same name.
func (c *awsCLI) runBare(extraEnv []string, args ...string) (stdout, stderr string, ok bool) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", args...)
	env := map[string]string{}
	var order []string
	for _, kv := range append(append([]string{}, c.env...), extraEnv...) {
		k, v, _ := strings.Cut(kv, "=")
		if _, seen := env[k]; !seen {
			order = append(order, k)
		}
		env[k] = v
	}
	for _, k := range order {
		if env[k] != "" {
			cmd.Env = append(cmd.Env, k+"="+env[k])
		}
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	return o.String(), e.String(), err == nil
}

// must runs the CLI, fails the test on error, and decodes JSON output into out (if non-nil).
func (c *awsCLI) must(out any, args ...string) string {
	c.t.Helper()
	o, e, ok := c.run(args...)
	if !ok {
		c.t.Fatalf("aws %s failed:\n%s%s", strings.Join(args, " "), o, e)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(o), out); err != nil {
			c.t.Fatalf("aws %s: decoding %q: %v", strings.Join(args, " "), o, err)
		}
	}
	return o
}

// fails runs the CLI, expects it to fail, and returns its error output.
func (c *awsCLI) fails(args ...string) string {
	c.t.Helper()
	o, e, ok := c.run(args...)
	if ok {
		c.t.Fatalf("aws %s succeeded, want failure:\n%s", strings.Join(args, " "), o)
	}
	return e
}

// setURL points the CLI at a restarted server.
func (c *awsCLI) setURL(url string) {
	c.url = url
	for i, kv := range c.env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			c.env[i] = "AWS_ENDPOINT_URL=" + url
		}
	}
}
