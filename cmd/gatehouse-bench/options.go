package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// options are the flags of run and setup.
type options struct {
	endpoint, workload, region string
	spread                     string // more endpoints for the load (comma-separated)
	accessKey, secretKey       string
	bucket, label              string
	concurrency                int
	duration                   time.Duration
	size, partSize             int64
	partsInFlight              int
	keys, objects              int
	pid                        int
	json                       bool
	setup, creds, roleARN      string
	roles                      int
	dataDir, seedDB            string
	cache                      string
	oidcListen                 string
	versioned                  bool
	cycleKeys, versions        int
	seedWhat                   map[string]bool // setup --seed-db: which of keys and versions were asked for
}

const workloadHelp = `workloads:
  sts-assume-role                 POST AssumeRole on the bench role, signed by the bench user (root keys with --setup none)
  sts-get-caller-identity         POST GetCallerIdentity
  sts-assume-role-with-web-identity  unsigned, with an RS256 ID token minted per request (fresh iat and jti) by an
                                  issuer the tool hosts on --oidc-listen (HTTPS, self-signed; Gatehouse trusts it
                                  through the thumbprint registered with CreateOpenIDConnectProvider: no server flag)
  iam-get-role                    POST GetRole on the bench role
  s3-put-small                    PUT of --size (default 4KiB) to a new key each request, payload hash signed; with
                                  --cycle-keys N the requests go round N keys put/cycle/%06d instead (with --versioned,
                                  every PUT adds a version)
  s3-get-small                    GET of a random one of --objects prefilled objects of --size
  s3-put-large                    PUT of --size (default 256MiB, concurrency 1) streamed, UNSIGNED-PAYLOAD; deleted after
                                  (outside the timing, as the cache drops of --cache cold)
  s3-get-large                    GET of --size objects (one per worker); --cache cold drops the page cache before each
  s3-multipart                    Create, UploadPart x N (--parts-in-flight at once), Complete of --size (default 1GiB)
                                  in --part-size parts; a request is one whole object; deleted after
  s3-list                         ListObjectsV2 pages of 1,000 keys from a random start-after over --keys list/ keys
                                  (prefilled by concurrent 0-byte PUTs, or --seed-db with setup for Gatehouse)
  s3-list-versions                ListObjectVersions pages of 1,000 entries (prefix vers/) over --versions versions,
                                  1,000 to a key vers/%06d: seeded ones (setup --seed-db --versions) from a random
                                  version (key-marker and version-id-marker), else prefilled by 0-byte PUTs (versioning
                                  turned on) from after a random key
  mixed                           70% s3-get-small, 15% s3-put-small, 5% 1,000-key list over the GET objects,
                                  5% sts-assume-role, 5% HEAD of a small object
Against Gatehouse (--setup gatehouse, chosen by --setup auto when IAM answers the root keys) the tool creates,
idempotently, user gatehouse-bench with a fresh access key, role gatehouse-bench trusting it, the bucket with a bucket
policy allowing the role s3:*, and S3 requests are signed with the role's temporary credentials (session token).
With --setup none the bucket is created if missing and --creds static signs with the given keys.
`

func parseRun(name string, args []string, stderr io.Writer, env func(string) (string, bool)) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.endpoint, "endpoint", "", "S3/STS endpoint URL (http://127.0.0.1:PORT)")
	fs.StringVar(&o.spread, "spread", "", "more endpoint URLs of the same cluster, comma-separated: setup goes through --endpoint, then the load goes round-robin, request by request, over all of them (as a load balancer would)")
	fs.StringVar(&o.workload, "workload", "", "workload to run (see below)")
	fs.StringVar(&o.region, "region", "us-east-1", "SigV4 region")
	fs.StringVar(&o.accessKey, "access-key", "", "access key id (default $AWS_ACCESS_KEY_ID): the root keys for --setup gatehouse")
	fs.StringVar(&o.secretKey, "secret-key", "", "secret access key (default $AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.bucket, "bucket", "bench", "bucket")
	fs.StringVar(&o.label, "label", "", "free text copied to the output (e.g. the target's name)")
	fs.IntVar(&o.concurrency, "concurrency", 0, "workers, each with one request in flight (default 16; 1 for s3-put-large, s3-get-large, s3-multipart)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to load (requests in flight then finish)")
	fs.Var(sizeFlag{&o.size}, "size", "object size (default 4KiB; 256MiB for s3-put-large and s3-get-large; 1GiB for s3-multipart)")
	o.partSize = 16 << 20
	fs.Var(sizeFlag{&o.partSize}, "part-size", "s3-multipart part size")
	fs.IntVar(&o.partsInFlight, "parts-in-flight", 4, "s3-multipart parts uploaded at once per worker")
	fs.IntVar(&o.keys, "keys", 10000, "s3-list: keys in the bucket under list/")
	fs.IntVar(&o.versions, "versions", 10000, "s3-list-versions: versions under vers/, a multiple of 1,000; setup --seed-db --versions N: seed them into --bucket")
	fs.BoolVar(&o.versioned, "versioned", false, "turn versioning on for --bucket in the setup")
	fs.IntVar(&o.cycleKeys, "cycle-keys", 0, "s3-put-small and mixed: PUT round N fixed keys instead of a new key each request (0: new keys)")
	fs.IntVar(&o.objects, "objects", 1000, "s3-get-small and mixed: objects prefilled under get/")
	fs.IntVar(&o.pid, "pid", 0, "server process id: sample its VmRSS every 50 ms and report the peak and VmHWM")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per line instead of the human line")
	fs.StringVar(&o.setup, "setup", "auto", "auto, gatehouse or none: what to create on the endpoint first (auto: gatehouse when IAM answers)")
	fs.StringVar(&o.creds, "creds", "auto", "auto, static or assume-role: the credentials S3 requests are signed with (auto: assume-role with --setup gatehouse, else static)")
	fs.StringVar(&o.roleARN, "role-arn", "", "role for AssumeRole with --setup none (default arn:aws:iam::000000000000:role/gatehouse-bench)")
	fs.IntVar(&o.roles, "roles", 0, "setup: extra roles to create (with --data-dir: 1,000 per extra account made in the server's data dir, as gatehouse account create does)")
	fs.StringVar(&o.dataDir, "data-dir", "", "setup --roles: the running Gatehouse's data dir, to add extra accounts")
	fs.StringVar(&o.seedDB, "seed-db", "", "setup: the STOPPED Gatehouse's gatehouse.db: add object records list/%08d up to --keys to --bucket without uploading (for 1M-key listing), or with --versions (and without --keys) version records under vers/ up to --versions")
	fs.StringVar(&o.cache, "cache", "hot", "s3-get-large: hot, or cold (sync and write 3 to /proc/sys/vm/drop_caches before each GET: needs root, and the server on this machine)")
	fs.StringVar(&o.oidcListen, "oidc-listen", "127.0.0.1:0", "address of the tool's OIDC issuer for sts-assume-role-with-web-identity")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gatehouse-bench %s [flags]\n", name)
		fs.PrintDefaults()
		fmt.Fprint(stderr, workloadHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.accessKey == "" {
		o.accessKey, _ = env("AWS_ACCESS_KEY_ID")
	}
	if o.secretKey == "" {
		o.secretKey, _ = env("AWS_SECRET_ACCESS_KEY")
	}
	if o.versions < versionsPerKey || o.versions%versionsPerKey != 0 || o.cycleKeys < 0 {
		return nil, errors.New("--versions: a positive multiple of 1000; --cycle-keys: not negative")
	}
	if name == "setup" && o.seedDB != "" {
		o.seedWhat = map[string]bool{}
		fs.Visit(func(f *flag.Flag) { o.seedWhat[f.Name] = true })
		return o, nil
	}
	if o.endpoint == "" {
		return nil, errors.New("--endpoint is required")
	}
	if o.accessKey == "" || o.secretKey == "" {
		return nil, errors.New("credentials: --access-key/--secret-key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
	}
	if name == "run" {
		w, ok := workloads()[o.workload]
		if !ok {
			return nil, fmt.Errorf("--workload: want one of %s", strings.Join(workloadNames(), ", "))
		}
		if o.concurrency == 0 {
			o.concurrency = w.concurrency
		}
		if o.size == 0 {
			o.size = w.size
		}
	}
	if o.concurrency <= 0 {
		o.concurrency = 16
	}
	if o.size == 0 {
		o.size = 4 << 10
	}
	if !slices.Contains([]string{"auto", "gatehouse", "none"}, o.setup) {
		return nil, errors.New("--setup: auto, gatehouse or none")
	}
	if !slices.Contains([]string{"auto", "static", "assume-role"}, o.creds) {
		return nil, errors.New("--creds: auto, static or assume-role")
	}
	if o.cache != "hot" && o.cache != "cold" {
		return nil, errors.New("--cache: hot or cold")
	}
	if o.partSize < 5<<20 && o.size > o.partSize {
		return nil, errors.New("--part-size: at least 5MiB (S3's minimum for all parts but the last)")
	}
	if o.partsInFlight < 1 || o.duration <= 0 || o.keys < 1 || o.objects < 1 {
		return nil, errors.New("--parts-in-flight, --duration, --keys and --objects must be positive")
	}
	return o, nil
}
