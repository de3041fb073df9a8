// Package bloburl parses the blob setting, which says where object bytes
// are stored: empty for the data directory on local disk (package
// blob/fs), or s3://BUCKET/PREFIX?endpoint=…&region=…&path-style=…&credentials-file=…
// for an S3-compatible store (package blob/s3blob). It is pure: it checks
// the URL strictly and reads no file and no network, so the configuration
// can reject a bad setting with the others before anything starts. A URL
// never carries credentials (one with user:password@ is refused), and an
// error quotes only the offending part of the URL, never all of it.
package bloburl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// S3 is where an s3:// URL puts the blobs.
type S3 struct {
	Bucket string
	Prefix string // "" or ending in "/"
	// Endpoint is the upstream's base URL ("": AWS S3 of Region).
	Endpoint string
	Region   string // "": the SDK's (AWS_REGION, the shared config), else us-east-1
	// PathStyle addresses the bucket in the path (true by default with an
	// Endpoint, as MinIO and Ceph usually need).
	PathStyle bool
	// CredentialsFile is a shared credentials file ("": the SDK's default
	// chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
	// AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials, …).
	CredentialsFile string
}

var (
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	regionPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// CheckBucket reports whether b is an S3 bucket name.
func CheckBucket(b string) error {
	if !bucketPattern.MatchString(b) || strings.Contains(b, "..") || net.ParseIP(b) != nil {
		return fmt.Errorf("%q is not a bucket name (3 to 63 lower-case letters, digits, dots and dashes)", b)
	}
	return nil
}

// Parse reads s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=BOOL&credentials-file=PATH].
// Its errors quote only the offending part, never the whole URL (which
// must not, but might, carry a secret).
func Parse(raw string) (*S3, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("blob: not a URL (want s3://BUCKET/PREFIX?endpoint=…)")
	}
	if u.Scheme != "s3" {
		return nil, fmt.Errorf("blob: unsupported scheme %q (want s3://BUCKET/PREFIX, or empty for the data directory)", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, errors.New("blob: want s3://BUCKET/PREFIX (with two slashes)")
	}
	if u.User != nil {
		return nil, errors.New("blob: credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or credentials-file=")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, errors.New("blob: the URL must not have a fragment (#…)")
	}
	if u.Port() != "" || strings.Contains(u.Host, ":") {
		return nil, errors.New("blob: the bucket name must not have a port; give the upstream as endpoint=http://HOST:PORT")
	}
	if err := CheckBucket(u.Host); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	loc := &S3{Bucket: u.Host}
	if loc.Prefix, err = parsePrefix(u.Path); err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("blob: malformed query string")
	}
	pathStyle := ""
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, fmt.Errorf("blob: %s given %d times", k, len(vs))
		}
		v := vs[0]
		switch k {
		case "endpoint":
			if err := checkEndpoint(v); err != nil {
				return nil, err
			}
			loc.Endpoint = strings.TrimSuffix(v, "/")
		case "region":
			if !regionPattern.MatchString(v) {
				return nil, fmt.Errorf("blob: region %q is not a region name", v)
			}
			loc.Region = v
		case "path-style":
			if v != "true" && v != "false" {
				return nil, fmt.Errorf("blob: path-style must be true or false, not %q", v)
			}
			pathStyle = v
		case "credentials-file":
			if v == "" {
				return nil, errors.New("blob: credentials-file is empty")
			}
			loc.CredentialsFile = v
		default:
			return nil, fmt.Errorf("blob: unknown parameter %q (known: endpoint, region, path-style, credentials-file)", k)
		}
	}
	loc.PathStyle = loc.Endpoint != ""
	if pathStyle != "" {
		loc.PathStyle = pathStyle == "true"
	}
	return loc, nil
}

// parsePrefix checks the URL's path and returns it as a key prefix.
func parsePrefix(path string) (string, error) {
	p := strings.TrimPrefix(path, "/")
	if p == "" {
		return "", nil
	}
	p = strings.TrimSuffix(p, "/")
	if len(p) > 512 {
		return "", errors.New("blob: the prefix is longer than 512 bytes")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("blob: the prefix %q has an empty, . or .. segment", p)
		}
		for _, c := range seg {
			if c < 0x20 || c == 0x7f || c == '\\' {
				return "", fmt.Errorf("blob: the prefix %q has a control character or backslash", p)
			}
		}
	}
	return p + "/", nil
}

func checkEndpoint(v string) error {
	e, err := url.Parse(v)
	if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.Opaque != "" {
		return fmt.Errorf("blob: endpoint %q is not an http or https URL", v)
	}
	if e.User != nil {
		return errors.New("blob: the endpoint must not carry credentials")
	}
	if (e.Path != "" && e.Path != "/") || e.RawQuery != "" || e.Fragment != "" {
		return fmt.Errorf("blob: endpoint %q must be scheme://host[:port] only", v)
	}
	if p := e.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("blob: endpoint %q has a bad port", v)
		}
	}
	return nil
}
