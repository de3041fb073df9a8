// Command s3setup prepares a running Gatehouse for the S3 load figures and
// writes wrk Lua scripts that replay SigV4-signed requests (a header
// signature stays valid for 15 minutes): a role with S3 permissions assumed
// for temporary credentials, a bucket with a bucket policy in force, 4 KiB
// objects to GET, keys to PUT, and ListObjectsV2 pages. With --list-keys N it
// also writes N object records straight into the (stopped) server's store,
// so that listing can be measured on large buckets without uploading them.
package main

import (
	"bytes"
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
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

const (
	bucket          = "bench"
	versionedBucket = "bench-v"
	versionsPerKey  = 1000
)

func main() {
	endpoint := flag.String("url", "http://127.0.0.1:8700", "Gatehouse URL")
	rootKey := flag.String("key", "", "root access key id")
	rootSecret := flag.String("secret", "", "root secret")
	account := flag.String("account", "", "account id")
	out := flag.String("out", ".", "directory for the wrk scripts and credentials")
	objects := flag.Int("objects", 1000, "4 KiB objects to create for GET")
	seedDB := flag.String("seed-db", "", "with --list-keys: the stopped server's gatehouse.db to add object records to")
	listKeys := flag.Int("list-keys", 0, "object records to add under list/ (needs --seed-db)")
	versioned := flag.Bool("versioned", false, "also make the versioning-enabled bucket bench-v and s3putv.lua")
	seedVersions := flag.Int("seed-versions", 0, "versions to add to --versions-bucket (needs --seed-db)")
	versionsBucket := flag.String("versions-bucket", versionedBucket, "the versioned bucket --seed-versions adds to (bench-v or bench-vl)")
	resign := flag.Bool("resign", false, "only sign the GET and PUT scripts again with the temporary credentials in --out (for runs longer than a signature's 15 minutes)")
	flag.Parse()
	ctx := context.Background()
	if *resign {
		writeGetPut(*endpoint, readTemp(*out), *out, *objects)
		return
	}
	if *seedDB != "" && *seedVersions > 0 {
		total := seedVersionRecords(ctx, *seedDB, *out, *versionsBucket, *seedVersions)
		temp := readTemp(*out)
		var lists []signed
		for i := 0; i < 200; i++ {
			n := (i*7919 + 13) % total // spread over the whole bucket
			q := url.Values{"versions": {""}, "key-marker": {versionKey(n / versionsPerKey)}, "version-id-marker": {versionID(n)}, "max-keys": {"1000"}}
			lists = append(lists, sign(*endpoint, temp, "GET", "/"+*versionsBucket+"/?"+strings.Replace(q.Encode(), "versions=", "versions", 1), nil))
		}
		write(*out, "s3listv-"+*versionsBucket+".lua", lists, "")
		return
	}
	if *seedDB != "" {
		total := seed(ctx, *seedDB, *listKeys)
		// Pages that start anywhere in the bucket's list/ keys and are full.
		temp := readTemp(*out)
		var lists []signed
		for i := 0; i < 200; i++ {
			q := url.Values{"list-type": {"2"}, "prefix": {"list/"}, "max-keys": {"1000"}, "start-after": {fmt.Sprintf("list/%08d", i*(total-1000)/200)}}
			lists = append(lists, sign(*endpoint, temp, "GET", "/"+bucket+"/?"+q.Encode(), nil))
		}
		write(*out, "s3list.lua", lists, "")
		return
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: endpoint, Credentials: credentials.NewStaticCredentialsProvider(*rootKey, *rootSecret, "")}
	ic := iam.NewFromConfig(cfg)
	must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")}))
	k := must(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")}))
	must(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + *account + `:user/bench"},"Action":"sts:AssumeRole"}]}`
	must(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("s3-bench"), AssumeRolePolicyDocument: aws.String(trust)}))
	must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("s3-bench"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket","s3:ListBucketVersions","s3:AbortMultipartUpload"],"Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*","arn:aws:s3:::bench-v","arn:aws:s3:::bench-v/*","arn:aws:s3:::bench-vl","arn:aws:s3:::bench-vl/*"]}]}`)}))

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	// A bucket policy in force on every request: a deny that never matches
	// these requests still has to be evaluated, as in a typical deployment.
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletesOfArchive","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bench/archive/*"},` +
		`{"Sid":"RoleReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + *account + `:role/s3-bench"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bench/*"}]}`
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}))
	if *versioned {
		for _, b := range []string{versionedBucket, versionedBucket + "l"} {
			must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
			must(s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
			must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(strings.ReplaceAll(policy, "bench/", b+"/"))}))
		}
	}

	userCfg := cfg
	userCfg.Credentials = credentials.NewStaticCredentialsProvider(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	var ar *sts.AssumeRoleOutput
	for i := 0; i < 50; i++ { // IAM changes are visible at once; retry only in case of a slow start
		var err error
		if ar, err = sts.NewFromConfig(userCfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + *account + ":role/s3-bench"),
			RoleSessionName: aws.String("bench"), DurationSeconds: aws.Int32(3600)}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	temp := aws.Credentials{AccessKeyID: *ar.Credentials.AccessKeyId, SecretAccessKey: *ar.Credentials.SecretAccessKey, SessionToken: *ar.Credentials.SessionToken}
	os.WriteFile(filepath.Join(*out, "temp-credentials"), []byte(fmt.Sprintf("%s %s %s\n", temp.AccessKeyID, temp.SecretAccessKey, temp.SessionToken)), 0o600)

	body := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB
	var wg sync.WaitGroup
	work := make(chan int)
	tc := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.Credentials = credentials.StaticCredentialsProvider{Value: temp}
	})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				must(tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("get/%06d", i)), Body: bytes.NewReader(body)}))
			}
		}()
	}
	for i := 0; i < *objects; i++ {
		work <- i
	}
	close(work)
	wg.Wait()

	writeGetPut(*endpoint, temp, *out, *objects)
	if *versioned {
		var vputs []signed
		for i := 0; i < 5000; i++ {
			vputs = append(vputs, sign(*endpoint, temp, "PUT", fmt.Sprintf("/%s/put/%06d", versionedBucket, i), body))
		}
		write(*out, "s3putv.lua", vputs, string(body))
	}
}

// writeGetPut writes s3get.lua (the first n objects under get/) and
// s3put.lua (5,000 keys under put/), signed now.
func writeGetPut(endpoint string, temp aws.Credentials, out string, n int) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB
	var gets, puts []signed
	for i := 0; i < n; i++ {
		gets = append(gets, sign(endpoint, temp, "GET", fmt.Sprintf("/%s/get/%06d", bucket, i), nil))
	}
	for i := 0; i < 5000; i++ {
		puts = append(puts, sign(endpoint, temp, "PUT", fmt.Sprintf("/%s/put/%06d", bucket, i), body))
	}
	write(out, "s3get.lua", gets, "")
	write(out, "s3put.lua", puts, string(body))
}

func readTemp(dir string) aws.Credentials {
	raw, err := os.ReadFile(filepath.Join(dir, "temp-credentials"))
	if err != nil {
		log.Fatal(err)
	}
	f := strings.Fields(string(raw))
	return aws.Credentials{AccessKeyID: f[0], SecretAccessKey: f[1], SessionToken: f[2]}
}

func versionKey(k int) string { return fmt.Sprintf("vers/%06d", k) }
func versionID(n int) string  { return fmt.Sprintf("%032d", n) }

// seedVersionRecords adds n versions to bucket through the store API
// (after those already there, as the file versions-seeded-BUCKET in dir
// counts them), 10,000 to a transaction, and returns the total.
func seedVersionRecords(ctx context.Context, path, dir, bucket string, n int) int {
	st, err := sqlite.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	have := 0
	counter := filepath.Join(dir, "versions-seeded-"+bucket)
	if raw, err := os.ReadFile(counter); err == nil {
		fmt.Sscan(string(raw), &have)
	}
	now := time.Now().UTC()
	total := have + n
	for base := have; base < total; base += 10000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := base; i < min(base+10000, total); i++ {
				o := &store.Object{Bucket: bucket, Key: versionKey(i / versionsPerKey), VersionID: versionID(i), LastModified: now, Owner: "bench"}
				if i%10 == 4 {
					o.DeleteMarker = true
				} else {
					o.Size, o.ETag, o.ContentType = 4096, `"`+strings.Repeat("ab", 16)+`"`, "application/octet-stream"
					o.Blobs = []store.BlobRef{{Key: fmt.Sprintf("v%031x", i), Size: 4096}}
				}
				if _, err := tx.PutObject(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(counter, []byte(fmt.Sprint(total)), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("seeded %d versions; %s holds %d", n, bucket, total)
	return total
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

type signed struct {
	method, path string
	headers      http.Header
}

// sign makes a header-signed request as the SDKs send it (x-amz-content-sha256
// of the body, session token header).
func sign(endpoint string, creds aws.Credentials, method, path string, body []byte) signed {
	req, _ := http.NewRequest(method, endpoint+path, bytes.NewReader(body))
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-content-sha256", hash)
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Host", req.Host) // wrk.format sends only the headers it is given
	return signed{method: method, path: path, headers: req.Header}
}

// write renders a wrk script that cycles through the signed requests.
func write(dir, name string, reqs []signed, body string) {
	var b strings.Builder
	b.WriteString("local reqs = {}\n")
	for _, r := range reqs {
		b.WriteString("reqs[#reqs+1] = wrk.format(" + fmt.Sprintf("%q, %q, {", r.method, r.path))
		for k, v := range r.headers {
			fmt.Fprintf(&b, "[%q] = %q, ", k, v[0])
		}
		if body != "" {
			fmt.Fprintf(&b, "}, %q)\n", body)
		} else {
			b.WriteString("})\n")
		}
	}
	b.WriteString(`local i = 0
request = function()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end
done = function(summary, latency, requests)
  local errs = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests=%d non2xx_or_errors=%d rate=%.0f/s p50=%.2fms p99=%.2fms\n", summary.requests, errs, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// seed adds n object records under list/ to the stopped server's store (after
// those already there), in transactions of 10,000, and returns the total.
func seed(ctx context.Context, path string, n int) int {
	st, err := sqlite.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	have := 0
	err = st.View(ctx, func(tx store.Tx) error {
		for {
			page, err := tx.ListObjects(ctx, bucket, store.ObjectQuery{Prefix: "list/", After: fmt.Sprintf("list/%08d", have-1), Limit: 10000})
			if have == 0 {
				page, err = tx.ListObjects(ctx, bucket, store.ObjectQuery{Prefix: "list/", Limit: 10000})
			}
			if err != nil || len(page) == 0 {
				return err
			}
			have += len(page)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	total := have + n
	for base := have; base < total; base += 10000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := base; i < min(base+10000, total); i++ {
				o := &store.Object{Bucket: bucket, Key: fmt.Sprintf("list/%08d", i), Size: 4096, ETag: `"` + strings.Repeat("ab", 16) + `"`,
					LastModified: now, ContentType: "application/octet-stream", Owner: "bench",
					Blobs: []store.BlobRef{{Key: fmt.Sprintf("%032x", i), Size: 4096}}}
				if _, err := tx.PutObject(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("seeded %d object records; list/ holds %d", n, total)
	return total
}
