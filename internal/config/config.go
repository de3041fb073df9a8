package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/gatehouse/gatehouse/internal/blob/bloburl"
)

// Config is the server configuration.
type Config struct {
	Listen  string // address to listen on
	DataDir string // directory of the embedded store, blobs and key files
	// Store is the metadata store: "" for SQLite in DataDir, a postgres://
	// URL for PostgreSQL.
	Store string
	// Blob is where object bytes are stored: "" for DataDir/blobs on local
	// disk, or an s3://BUCKET/PREFIX?… URL of an S3-compatible store
	// (package blob/bloburl parses it).
	Blob            string
	Region          string        // region the server signs as and accepts
	AccountID       string        // id of the default account created on first start ("" = generated)
	AccountName     string        // name of the default account
	TLSCert         string        // PEM certificate file; with TLSKey enables HTTPS
	TLSKey          string        // PEM private key file
	ShutdownTimeout time.Duration // how long in-flight requests may take to finish on SIGINT/SIGTERM
	LogLevel        string        // debug, info, warn or error
	// S3Domain enables virtual-host-style S3 addressing: BUCKET.S3Domain.
	S3Domain string
	// S3EncryptObjects encrypts every new object whose write asks for no
	// encryption (and whose bucket has no default encryption) with SSE-S3,
	// as S3 does.
	S3EncryptObjects bool
	// S3InlineMax is the largest object (bytes) a PUT keeps inside its
	// metadata record instead of a blob; 0 keeps every object in a blob.
	S3InlineMax int
	// S3SSECAllowHTTP accepts SSE-C customer keys over plain HTTP (S3
	// refuses them: the key would cross the network in clear).
	S3SSECAllowHTTP bool
	// S3MFAAllowHTTP accepts x-amz-mfa (MFA Delete's codes) over plain
	// HTTP (S3 requires HTTPS for requests carrying it).
	S3MFAAllowHTTP bool
	// S3BlockPublicAccess turns all four S3 Block Public Access settings
	// on for every new bucket, as AWS does since April 2023.
	S3BlockPublicAccess bool
	// S3DefaultObjectOwnership is the Object Ownership of a bucket created
	// without x-amz-object-ownership: BucketOwnerEnforced (S3's default:
	// ACLs disabled), BucketOwnerPreferred or ObjectWriter.
	S3DefaultObjectOwnership string
	// SAMLEndpoint is the URL SAML assertions may name as audience and
	// recipient beside https://signin.aws.amazon.com/saml ("": derived
	// from Listen and TLS, see SAMLEndpointURL).
	SAMLEndpoint string
	// SweepInterval is how often orphaned object bytes are collected
	// (0 disables the sweeper).
	SweepInterval time.Duration
	// LifecycleInterval is how often the S3 lifecycle worker passes over
	// the buckets' lifecycle configurations (0 disables it).
	LifecycleInterval time.Duration

	// Connection limits and timeouts.
	ReadHeaderTimeout time.Duration // to receive a request's headers (and the TLS handshake)
	IdleTimeout       time.Duration // a keep-alive connection waiting for its next request
	// BodyTimeout fails a request body read that makes no progress for
	// this long, or up to a quarter longer (400 RequestTimeout, as S3
	// answers after about 20 s).
	BodyTimeout time.Duration
	// WriteTimeout fails a response write that makes no progress for this
	// long, or up to a quarter longer (a client that stopped reading).
	WriteTimeout time.Duration
	// MaxConnections caps open client connections; more wait in the
	// listen backlog.
	MaxConnections int
	// MaxUnsignedRequests caps requests in progress that carry no
	// signature in their headers or query (anonymous, browser form
	// uploads, unsigned STS); more are answered 503 at once.
	MaxUnsignedRequests int
	// QueryBodyMemory caps the bytes of IAM and STS request bodies held
	// in memory beyond the first 16 KiB of each; a body that needs more
	// while the budget is spent is answered 503.
	QueryBodyMemory int64

	// OIDCCAFiles are PEM files of CAs trusted for OpenID Connect
	// issuers' certificates (AssumeRoleWithWebIdentity), beyond the system
	// roots and the providers' thumbprints; comma-separated.
	OIDCCAFiles string
	// SigningRegions are the regions a signature's credential scope may
	// name: ["*"] (the default) accepts any region name, as S3-compatible
	// services do; a list accepts those, Region, and us-east-1 for IAM and
	// STS.
	SigningRegions []string
	// STS rate quotas of AssumeRole*, GetSessionToken and
	// GetFederationToken: requests a second and burst, per principal and
	// per account (rate 0: no limit). Accounts may override them.
	STSPrincipalRate  float64
	STSPrincipalBurst int
	STSAccountRate    float64
	STSAccountBurst   int
	// Accounts are per-account settings, from the config file's
	// [accounts.ID] tables (accounts.go).
	Accounts map[string]AccountSettings
	// AdminListen is the address of the admin listener serving /metrics,
	// /health/live and /health/ready ("" = none).
	AdminListen string
	// AdminPprof serves Go's profiler (/debug/pprof/) on the admin
	// listener: for measuring, not for production.
	AdminPprof bool
	// GCPercent is the Go garbage collector's target (GOGC) for
	// `gatehouse serve`, unless the GOGC environment variable is set.
	GCPercent int
	// AccessLog writes one info line per request to the log.
	AccessLog bool
	// Audit is the audit trail (internal/config/audit.go).
	Audit AuditConfig

	// Secrets: environment or config file only.
	MasterKey           string // base64 or hex of 32 bytes; "" = generated key file in DataDir
	RootAccessKeyID     string // root access key of the default account at bootstrap ("" = generated)
	RootSecretAccessKey string
}

// Setting describes one configuration value for every source.
type Setting struct {
	Key     string // TOML key and flag name (without dashes)
	Env     string // environment variable
	Default string
	Usage   string
	Secret  bool // no flag; value never printed
	set     func(*Config, string) error
	get     func(*Config) string
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
var accessKeyPattern = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
var regionPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func str(p func(*Config) *string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error { *p(c) = v; return nil }, func(c *Config) string { return *p(c) }
}

// duration is a setting holding a positive duration.
func duration(key, env, def, usage string, p func(*Config) *time.Duration) Setting {
	return Setting{Key: key, Env: env, Default: def, Usage: usage,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("not a positive duration (e.g. %s): %q", def, v)
			}
			*p(c) = d
			return nil
		},
		get: func(c *Config) string { return p(c).String() },
	}
}

// count is a setting holding a positive integer.
func count(key, env, def, usage string, p func(*Config) *int) Setting {
	return Setting{Key: key, Env: env, Default: def, Usage: usage,
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("not a positive integer (e.g. %s): %q", def, v)
			}
			*p(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*p(c)) },
	}
}

// sizeUnits are the suffixes parseSize accepts, largest first.
var sizeUnits = []struct {
	suffix string
	n      int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// parseSize reads a byte count: an integer with an optional KiB, MiB or
// GiB suffix.
func parseSize(v string) (int64, error) {
	mult := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = num, u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a size: %q", v)
	}
	return n * mult, nil
}

func formatSize(n int64) string {
	for _, u := range sizeUnits {
		if n%u.n == 0 && n >= u.n {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// Settings returns the table of every setting, in documentation order.
func Settings() []Setting {
	mk := func(key, env, def, usage string, secret bool, p func(*Config) *string) Setting {
		set, get := str(p)
		return Setting{Key: key, Env: env, Default: def, Usage: usage, Secret: secret, set: set, get: get}
	}
	settings := []Setting{
		mk("listen", "GATEHOUSE_LISTEN", "127.0.0.1:8700", "address to listen on (host:port)", false, func(c *Config) *string { return &c.Listen }),
		mk("data-dir", "GATEHOUSE_DATA_DIR", "./gatehouse-data", "directory for the embedded SQLite store, object bytes and key files", false, func(c *Config) *string { return &c.DataDir }),
		mk("blob", "GATEHOUSE_BLOB", "", "where object bytes are stored: empty for DATA_DIR/blobs on local disk, or s3://BUCKET/PREFIX?endpoint=http://HOST:PORT&region=REGION&path-style=true&credentials-file=PATH for an S3-compatible store (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_SHARED_CREDENTIALS_FILE or credentials-file, never from the URL)", false, func(c *Config) *string { return &c.Blob }),
		mk("store", "GATEHOUSE_STORE", "", "metadata store: empty for the SQLite database in the data dir, or a postgres:// URL for PostgreSQL shared by several nodes (keep the password out of the URL: PGPASSWORD or ~/.pgpass)", false, func(c *Config) *string { return &c.Store }),
		mk("region", "GATEHOUSE_REGION", "us-east-1", "region name the server accepts in signatures and reports", false, func(c *Config) *string { return &c.Region }),
		mk("account-id", "GATEHOUSE_ACCOUNT_ID", "", "12-digit id of the default account created on first start (empty: generated)", false, func(c *Config) *string { return &c.AccountID }),
		mk("account-name", "GATEHOUSE_ACCOUNT_NAME", "default", "name of the default account created on first start", false, func(c *Config) *string { return &c.AccountName }),
		mk("tls-cert", "GATEHOUSE_TLS_CERT", "", "PEM certificate file; with --tls-key serves HTTPS", false, func(c *Config) *string { return &c.TLSCert }),
		mk("tls-key", "GATEHOUSE_TLS_KEY", "", "PEM private key file for --tls-cert", false, func(c *Config) *string { return &c.TLSKey }),
		{
			Key: "shutdown-timeout", Env: "GATEHOUSE_SHUTDOWN_TIMEOUT", Default: "30s",
			Usage: "how long in-flight requests may run after SIGINT/SIGTERM",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("not a duration (e.g. 30s): %q", v)
				}
				c.ShutdownTimeout = d
				return nil
			},
			get: func(c *Config) string { return c.ShutdownTimeout.String() },
		},
		mk("saml-endpoint", "GATEHOUSE_SAML_ENDPOINT", "", "URL that SAML assertions may name as audience and recipient beside https://signin.aws.amazon.com/saml (empty: http(s)://LISTEN/saml)", false, func(c *Config) *string { return &c.SAMLEndpoint }),
		mk("s3-domain", "GATEHOUSE_S3_DOMAIN", "s3.localhost", "base domain for virtual-host-style S3 requests (BUCKET.DOMAIN); empty: path style only", false, func(c *Config) *string { return &c.S3Domain }),
		boolean("s3-block-public-access", "GATEHOUSE_S3_BLOCK_PUBLIC_ACCESS", "false", "new S3 buckets start with all four Block Public Access settings on, as AWS's do since April 2023 (false: they start without a configuration; the account's still applies)", func(c *Config) *bool { return &c.S3BlockPublicAccess }),
		{
			Key: "s3-default-object-ownership", Env: "GATEHOUSE_S3_DEFAULT_OBJECT_OWNERSHIP", Default: "BucketOwnerEnforced",
			Usage: "Object Ownership of buckets created without x-amz-object-ownership: BucketOwnerEnforced (S3's default, ACLs disabled), BucketOwnerPreferred or ObjectWriter (ACLs enabled, for tools that still set them)",
			set: func(c *Config, v string) error {
				switch v {
				case "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter":
					c.S3DefaultObjectOwnership = v
					return nil
				}
				return fmt.Errorf("not BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter: %q", v)
			},
			get: func(c *Config) string { return c.S3DefaultObjectOwnership },
		},
		{
			Key: "sweep-interval", Env: "GATEHOUSE_SWEEP_INTERVAL", Default: "10m",
			Usage: "how often unreferenced object bytes (from crashes or aborted uploads) are deleted; 0 disables",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 {
					return fmt.Errorf("not a non-negative duration (e.g. 10m): %q", v)
				}
				c.SweepInterval = d
				return nil
			},
			get: func(c *Config) string { return c.SweepInterval.String() },
		},
		{
			Key: "s3-lifecycle-interval", Env: "GATEHOUSE_S3_LIFECYCLE_INTERVAL", Default: "1h",
			Usage: "how often bucket lifecycle rules are executed (expirations, noncurrent versions, delete markers, upload aborts); 0 disables",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 {
					return fmt.Errorf("not a non-negative duration (e.g. 1h): %q", v)
				}
				c.LifecycleInterval = d
				return nil
			},
			get: func(c *Config) string { return c.LifecycleInterval.String() },
		},
		duration("read-header-timeout", "GATEHOUSE_READ_HEADER_TIMEOUT", "10s", "how long a client may take to send a request's headers (and finish the TLS handshake)", func(c *Config) *time.Duration { return &c.ReadHeaderTimeout }),
		duration("idle-timeout", "GATEHOUSE_IDLE_TIMEOUT", "60s", "how long an idle keep-alive connection stays open", func(c *Config) *time.Duration { return &c.IdleTimeout }),
		duration("body-timeout", "GATEHOUSE_BODY_TIMEOUT", "20s", "a request body read that receives nothing for this long (up to a quarter longer) fails with 400 RequestTimeout and the connection is closed", func(c *Config) *time.Duration { return &c.BodyTimeout }),
		duration("write-timeout", "GATEHOUSE_WRITE_TIMEOUT", "60s", "a response write that makes no progress for this long (up to a quarter longer; the client stopped reading) closes the connection", func(c *Config) *time.Duration { return &c.WriteTimeout }),
		count("max-connections", "GATEHOUSE_MAX_CONNECTIONS", "4096", "open client connections at most; more wait in the listen backlog", func(c *Config) *int { return &c.MaxConnections }),
		count("max-unsigned-requests", "GATEHOUSE_MAX_UNSIGNED_REQUESTS", "256", "requests without a signature (anonymous, browser form uploads) in progress at most; more are answered 503 at once", func(c *Config) *int { return &c.MaxUnsignedRequests }),
		{
			Key: "query-body-memory", Env: "GATEHOUSE_QUERY_BODY_MEMORY", Default: "64MiB",
			Usage: "memory for IAM and STS request bodies beyond the first 16 KiB of each; past it such requests are answered 503",
			set: func(c *Config, v string) error {
				n, err := parseSize(v)
				if err != nil || n < 1<<20 {
					return fmt.Errorf("not a size of at least 1MiB (e.g. 64MiB): %q", v)
				}
				c.QueryBodyMemory = n
				return nil
			},
			get: func(c *Config) string { return formatSize(c.QueryBodyMemory) },
		},
		mk("oidc-ca-files", "GATEHOUSE_OIDC_CA_FILES", "", "comma-separated PEM files of CAs trusted for OpenID Connect issuers' TLS certificates, beyond the system roots and each provider's thumbprints", false, func(c *Config) *string { return &c.OIDCCAFiles }),
		{
			Key: "signing-regions", Env: "GATEHOUSE_SIGNING_REGIONS", Default: "*",
			Usage: "regions a signature may be scoped to: * for any region name (S3-compatible clients sign with auto, their vendor's name, …), or a comma-separated list (then also --region, and us-east-1 for IAM and STS)",
			set: func(c *Config, v string) error {
				var list []string
				for _, r := range strings.Split(v, ",") {
					r = strings.TrimSpace(r)
					if r != "*" && !regionPattern.MatchString(r) {
						return fmt.Errorf("not * or a comma-separated list of region names: %q", v)
					}
					list = append(list, r)
				}
				c.SigningRegions = list
				return nil
			},
			get: func(c *Config) string { return strings.Join(c.SigningRegions, ",") },
		},
		rate("sts-principal-rate", "GATEHOUSE_STS_PRINCIPAL_RATE", "50", "AssumeRole*, GetSessionToken and GetFederationToken calls a second per principal (0: no limit); more are answered 400 Throttling", func(c *Config) *float64 { return &c.STSPrincipalRate }),
		count("sts-principal-burst", "GATEHOUSE_STS_PRINCIPAL_BURST", "100", "calls a principal may make at once before sts-principal-rate applies", func(c *Config) *int { return &c.STSPrincipalBurst }),
		rate("sts-account-rate", "GATEHOUSE_STS_ACCOUNT_RATE", "500", "the same calls a second per account, all its principals together (0: no limit)", func(c *Config) *float64 { return &c.STSAccountRate }),
		count("sts-account-burst", "GATEHOUSE_STS_ACCOUNT_BURST", "1000", "calls an account may make at once before sts-account-rate applies", func(c *Config) *int { return &c.STSAccountBurst }),
		mk("log-level", "GATEHOUSE_LOG_LEVEL", "info", "log level: debug, info, warn or error", false, func(c *Config) *string { return &c.LogLevel }),
		mk("admin-listen", "GATEHOUSE_ADMIN_LISTEN", "", "address (host:port) of the admin listener serving /metrics, /health/live and /health/ready over plain HTTP; empty: off", false, func(c *Config) *string { return &c.AdminListen }),
		boolean("admin-pprof", "GATEHOUSE_ADMIN_PPROF", "false", "also serve Go's profiler (/debug/pprof/) on the admin listener, for measuring (CPU and allocation profiles); it reveals the server's internals, keep the admin listener on loopback", func(c *Config) *bool { return &c.AdminPprof }),
		count("gc-percent", "GATEHOUSE_GC_PERCENT", "200", "the Go garbage collector's target (GOGC) for gatehouse serve: the heap may grow this many percent over what is live before a collection; higher spends memory to save CPU (100 is Go's default); the GOGC environment variable, when set, wins, and GOMEMLIMIT caps the heap as in any Go program", func(c *Config) *int { return &c.GCPercent }),
		{Key: "s3-inline-max", Env: "GATEHOUSE_S3_INLINE_MAX", Default: "8192",
			Usage: "objects up to this many bytes are kept inside their metadata record (one store commit per PUT instead of a blob file's writes and syncs; with --blob s3://, no upstream request); 0: every object in a blob; at most 262144",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > maxInline {
					return fmt.Errorf("not a byte count from 0 to %d: %q", maxInline, v)
				}
				c.S3InlineMax = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(c.S3InlineMax) }},
		boolean("s3-encrypt-objects", "GATEHOUSE_S3_ENCRYPT_OBJECTS", "true", "encrypt every new S3 object that asks for no encryption, in a bucket without default encryption, with SSE-S3 (as S3 does); false stores such objects in clear", func(c *Config) *bool { return &c.S3EncryptObjects }),
		boolean("s3-sse-c-allow-http", "GATEHOUSE_S3_SSE_C_ALLOW_HTTP", "false", "accept SSE-C customer-provided keys over plain HTTP (S3 refuses them: the key crosses the network in clear)", func(c *Config) *bool { return &c.S3SSECAllowHTTP }),
		boolean("s3-mfa-allow-http", "GATEHOUSE_S3_MFA_ALLOW_HTTP", "false", "accept x-amz-mfa (MFA Delete's device codes) over plain HTTP (S3 requires HTTPS for requests carrying it)", func(c *Config) *bool { return &c.S3MFAAllowHTTP }),
		boolean("access-log", "GATEHOUSE_ACCESS_LOG", "true", "log one info line per request (request id, action, principal, bucket/key, status, bytes, duration, client)", func(c *Config) *bool { return &c.AccessLog }),
		mk("master-key", "GATEHOUSE_MASTER_KEY", "", "32-byte key (base64 or hex) sealing secrets at rest (empty: generated into DATA_DIR/master.key)", true, func(c *Config) *string { return &c.MasterKey }),
		mk("root-access-key-id", "GATEHOUSE_ROOT_ACCESS_KEY_ID", "", "root access key id of the default account at first start (empty: generated)", true, func(c *Config) *string { return &c.RootAccessKeyID }),
		mk("root-secret-access-key", "GATEHOUSE_ROOT_SECRET_ACCESS_KEY", "", "root secret access key of the default account at first start (empty: generated)", true, func(c *Config) *string { return &c.RootSecretAccessKey }),
	}
	return append(settings, auditSettings()...)
}

// maxInline bounds s3-inline-max: larger records slow every read of them.
const maxInline = 256 << 10

// Load builds the configuration from defaults, the config file, the
// environment and args (flags of the serve command). lookupEnv is usually
// os.LookupEnv. All problems are reported together.
func Load(args []string, lookupEnv func(string) (string, bool)) (*Config, error) {
	var problems []error
	c := &Config{}
	settings := Settings()
	for _, s := range settings {
		if err := s.set(c, s.Default); err != nil {
			problems = append(problems, fmt.Errorf("default %s: %w", s.Key, err))
		}
	}

	fs := flag.NewFlagSet("gatehouse serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configFile := fs.String("config", "", "TOML configuration file (env GATEHOUSE_CONFIG)")
	flagValues := map[string]*string{}
	for _, s := range settings {
		if s.Secret {
			continue
		}
		flagValues[s.Key] = fs.String(s.Key, s.Default, s.Usage)
	}
	if err := fs.Parse(args); err != nil {
		problems = append(problems, err)
	}
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}

	// File.
	path := *configFile
	if path == "" {
		path, _ = lookupEnv("GATEHOUSE_CONFIG")
	}
	if path != "" {
		problems = append(problems, loadFile(c, path, settings)...)
	}
	// Environment.
	for _, s := range settings {
		if v, ok := lookupEnv(s.Env); ok && v != "" {
			if err := s.set(c, v); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", s.Env, err))
			}
		}
	}
	// Flags given explicitly.
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		for _, s := range settings {
			if s.Key == f.Name {
				if err := s.set(c, *flagValues[s.Key]); err != nil {
					problems = append(problems, fmt.Errorf("--%s: %w", s.Key, err))
				}
			}
		}
	})
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return c, nil
}

func loadFile(c *Config, path string, settings []Setting) []error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("config file: %w", err)}
	}
	var values map[string]any
	if err := toml.Unmarshal(raw, &values); err != nil {
		return []error{fmt.Errorf("config file %s: %w", path, err)}
	}
	var problems []error
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == accountsKey {
			problems = append(problems, loadAccounts(c, path, values[k])...)
			continue
		}
		var found *Setting
		for i := range settings {
			if settings[i].Key == k {
				found = &settings[i]
			}
		}
		if found == nil {
			problems = append(problems, fmt.Errorf("config file %s: unknown key %q", path, k))
			continue
		}
		var v string
		switch x := values[k].(type) {
		case string:
			v = x
		case int64:
			v = strconv.FormatInt(x, 10)
		case bool:
			v = strconv.FormatBool(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			problems = append(problems, fmt.Errorf("config file %s: %s must be a string", path, k))
			continue
		}
		if err := found.set(c, v); err != nil {
			problems = append(problems, fmt.Errorf("config file %s: %s: %w", path, k, err))
		}
	}
	return problems
}

// validate returns every problem with the values.
func (c *Config) validate() []error {
	var p []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		p = append(p, fmt.Errorf("listen: %q is not host:port", c.Listen))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		p = append(p, errors.New("data-dir: must not be empty"))
	}
	if c.Blob != "" {
		if _, err := bloburl.Parse(c.Blob); err != nil {
			p = append(p, err)
		}
	}
	if c.AdminPprof && c.AdminListen == "" {
		p = append(p, errors.New("admin-pprof: needs admin-listen (the profiler is served there)"))
	}
	if c.AdminListen != "" {
		if _, _, err := net.SplitHostPort(c.AdminListen); err != nil {
			p = append(p, fmt.Errorf("admin-listen: %q is not host:port", c.AdminListen))
		}
	}
	if !regionPattern.MatchString(c.Region) {
		p = append(p, fmt.Errorf("region: %q is not a region name (lower-case letters, digits and dashes)", c.Region))
	}
	if c.AccountID != "" && !accountIDPattern.MatchString(c.AccountID) {
		p = append(p, fmt.Errorf("account-id: %q is not 12 digits", c.AccountID))
	}
	if c.SAMLEndpoint != "" {
		if u, err := url.Parse(c.SAMLEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, fmt.Errorf("saml-endpoint: %q is not an http or https URL", c.SAMLEndpoint))
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		p = append(p, errors.New("tls-cert and tls-key must be given together"))
	}
	for _, f := range []struct{ name, path string }{{"tls-cert", c.TLSCert}, {"tls-key", c.TLSKey}} {
		if f.path != "" {
			if _, err := os.Stat(f.path); err != nil {
				p = append(p, fmt.Errorf("%s: %v", f.name, err))
			}
		}
	}
	for _, f := range c.OIDCCAPaths() {
		if _, err := os.Stat(f); err != nil {
			p = append(p, fmt.Errorf("oidc-ca-files: %v", err))
		}
	}
	if c.Store != "" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		p = append(p, errors.New("store: must be empty (SQLite in the data dir) or a postgres:// URL"))
	}
	if c.ShutdownTimeout < 0 {
		p = append(p, errors.New("shutdown-timeout: must not be negative"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, fmt.Errorf("log-level: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretAccessKey == "") {
		p = append(p, errors.New("GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY must be set together"))
	}
	if c.RootAccessKeyID != "" && !accessKeyPattern.MatchString(c.RootAccessKeyID) {
		p = append(p, errors.New("GATEHOUSE_ROOT_ACCESS_KEY_ID: must be AKIA followed by 16 upper-case letters or digits"))
	}
	if c.RootSecretAccessKey != "" && len(c.RootSecretAccessKey) != 40 {
		p = append(p, errors.New("GATEHOUSE_ROOT_SECRET_ACCESS_KEY: must be 40 characters"))
	}
	p = append(p, c.Audit.validate()...)
	return p
}

// OIDCCAPaths are the files of OIDCCAFiles.
func (c *Config) OIDCCAPaths() []string {
	var out []string
	for _, f := range strings.Split(c.OIDCCAFiles, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Usage writes the flag documentation of the serve command.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "  --config FILE  TOML configuration file (env GATEHOUSE_CONFIG)")
	for _, s := range Settings() {
		name := "--" + s.Key
		if s.Secret {
			name = "(env only)"
		}
		def := s.Default
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  %-28s %s\n  %-28s   env %s, default %s\n", name, s.Usage, "", s.Env, def)
	}
}

// SAMLEndpointURL is the server's own SAML endpoint: SAMLEndpoint, or
// http(s)://LISTEN/saml (https when TLS is configured).
func (c *Config) SAMLEndpointURL() string {
	if c.SAMLEndpoint != "" {
		return c.SAMLEndpoint
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + c.Listen + "/saml"
}
