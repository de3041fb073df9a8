// Command setup prepares a running Gatehouse for the STS load figures: a
// user with a key, a role trusting it, optionally many more roles, and
// wrk Lua scripts that replay a signed AssumeRole and a signed
// GetCallerIdentity request (a SigV4 signature stays valid for 15 minutes).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

func main() {
	endpoint := flag.String("url", "http://127.0.0.1:8700", "Gatehouse URL")
	rootKey := flag.String("key", "", "root access key id")
	rootSecret := flag.String("secret", "", "root secret")
	account := flag.String("account", "", "account id")
	extraRoles := flag.Int("roles", 0, "extra roles to create, 1,000 per extra account (AWS's default roles quota)")
	dataDir := flag.String("data-dir", "", "the server's data dir (extra accounts are added there, as `gatehouse account create` does)")
	out := flag.String("out", ".", "directory for the wrk scripts")
	user := flag.String("user", "bench", "the user to create, whose key signs the requests (another name lets s3setup's user bench share the server)")
	resign := flag.Bool("resign", false, "only sign the scripts again with the key saved in --out by an earlier run (for runs longer than a signature's 15 minutes)")
	flag.Parse()
	ctx := context.Background()
	keyFile := filepath.Join(*out, *user+"-key")
	if *resign {
		raw, err := os.ReadFile(keyFile)
		if err != nil {
			log.Fatal(err)
		}
		f := strings.Fields(string(raw))
		writeScripts(*endpoint, aws.Credentials{AccessKeyID: f[0], SecretAccessKey: f[1]}, *account, *out)
		return
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: endpoint, Credentials: credentials.NewStaticCredentialsProvider(*rootKey, *rootSecret, "")}
	c := iam.NewFromConfig(cfg)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: user}); err != nil {
		log.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: user})
	if err != nil {
		log.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + *account + `:user/` + *user + `"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("demo"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		log.Fatal(err)
	}
	// Extra roles in extra accounts, 8 requests at a time.
	start := time.Now()
	var wg sync.WaitGroup
	type job struct {
		c *iam.Client
		i int
	}
	work := make(chan job)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := j.c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%06d", j.i)), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	if *extraRoles > 0 {
		cfgFile, err := config.Load([]string{"--data-dir", *dataDir}, os.LookupEnv)
		if err != nil {
			log.Fatal(err)
		}
		admin, err := server.OpenAdmin(ctx, cfgFile)
		if err != nil {
			log.Fatal(err)
		}
		var ac *iam.Client
		for i := 0; i < *extraRoles; i++ {
			if i%1000 == 0 {
				cr, err := admin.CreateAccount(ctx, "", fmt.Sprintf("bench-%d", i/1000))
				if err != nil {
					log.Fatal(err)
				}
				acfg := cfg
				acfg.Credentials = credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, "")
				ac = iam.NewFromConfig(acfg)
			}
			work <- job{ac, i}
		}
		admin.Close()
	}
	close(work)
	wg.Wait()
	if *extraRoles > 0 {
		log.Printf("created %d roles in %v", *extraRoles, time.Since(start))
	}
	creds := aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
	if err := os.WriteFile(keyFile, []byte(creds.AccessKeyID+" "+creds.SecretAccessKey+"\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	writeScripts(*endpoint, creds, *account, *out)
}

// writeScripts writes assumerole.lua and getcalleridentity.lua, signed now.
func writeScripts(endpoint string, creds aws.Credentials, account, out string) {
	assume := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + account + ":role/demo"},
		"RoleSessionName": {"bench"}, "DurationSeconds": {"900"}}.Encode()
	who := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	for name, body := range map[string]string{"assumerole.lua": assume, "getcalleridentity.lua": who} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(wrkScript(endpoint, creds, body)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// wrkScript signs one STS POST and returns a wrk script that replays it.
func wrkScript(endpoint string, creds aws.Credentials, body string) string {
	req, _ := http.NewRequest("POST", endpoint+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("wrk.method = \"POST\"\n")
	fmt.Fprintf(&b, "wrk.body = %q\n", body)
	for k, v := range req.Header {
		fmt.Fprintf(&b, "wrk.headers[%q] = %q\n", k, v[0])
	}
	b.WriteString(`done = function(summary, latency, requests)
  local errs = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests=%d non2xx_or_errors=%d rate=%.0f/s p50=%.2fms p99=%.2fms\n", summary.requests, errs, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`)
	return b.String()
}
