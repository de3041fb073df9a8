package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/token"
)

// ceiling is the yardstick server: S3 and STS as a minimal net/http server
// would answer them, with no authentication (any or no signature is
// accepted), no policy and no metadata store. Objects are one file each
// (written as the body streams in, no fsync), GETs go out with sendfile
// (http.ServeContent from the *os.File), listing reads an in-memory sorted
// key index, multipart parts are files and Complete concatenates them into
// the object (io.Copy between files: copy_file_range on Linux), and STS
// answers carry a session token sealed per request with internal/token, as
// bench/reference does, and the request id in the x-amzn-RequestId header
// and in ResponseMetadata, as AWS's answers do. IAM and anything else is answered NotImplemented.
// PUT and UploadPart answer the MD5 of the body as the ETag, as S3 does:
// computing it is part of an S3 write's job (--etag none skips it, for the
// rate of the bare file copy).
type ceiling struct {
	dir  string
	keys token.Key
	seq  atomic.Int64
	md5  bool

	mu      sync.Mutex
	buckets map[string]*keyIndex
}

// keyIndex is a bucket's keys: sorted, plus keys added since the last
// listing (merged in by the next one, so PUT stays O(1)).
type keyIndex struct {
	sorted  []string
	pending []string
	present map[string]int64 // key → size
}

type ceilingKeys struct{ k token.Key }

func (s ceilingKeys) Active() token.Key                  { return s.k }
func (s ceilingKeys) Lookup(id uint32) (token.Key, bool) { return s.k, id == s.k.ID }

func ceilingMain(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8790", "address")
	dir := fs.String("dir", "", "directory for the objects (required)")
	etag := fs.String("etag", "md5", "md5: PUT and UploadPart answer the body's MD5 as the ETag, as S3 does; none: a counter (the bare file copy)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if *dir == "" {
		return errors.New("ceiling: --dir is required")
	}
	if *etag != "md5" && *etag != "none" {
		return fmt.Errorf("ceiling: --etag %q: md5 or none", *etag)
	}
	h, err := newCeiling(*dir)
	if err != nil {
		return err
	}
	h.md5 = *etag == "md5"
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintf(stderr, "ceiling listening on %s, objects in %s\n", ln.Addr(), *dir)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newCeiling serves dir, loading the keys already there into the index.
func newCeiling(dir string) (*ceiling, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	k, err := token.NewKey(1, secret)
	if err != nil {
		return nil, err
	}
	c := &ceiling{dir: dir, keys: k, buckets: map[string]*keyIndex{}}
	if err := os.MkdirAll(filepath.Join(dir, ".mpu"), 0o755); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		idx := &keyIndex{present: map[string]int64{}}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			info, err := f.Info()
			if key, kerr := url.PathUnescape(f.Name()); err == nil && kerr == nil && !strings.HasPrefix(f.Name(), ".") {
				idx.add(key, info.Size())
			}
		}
		c.buckets[e.Name()] = idx
	}
	return c, nil
}

func (x *keyIndex) add(key string, size int64) {
	if _, ok := x.present[key]; !ok {
		x.pending = append(x.pending, key)
	}
	x.present[key] = size
}

func (x *keyIndex) remove(key string) {
	if _, ok := x.present[key]; ok {
		delete(x.present, key)
		x.merge()
		if i, ok := slices.BinarySearch(x.sorted, key); ok {
			x.sorted = slices.Delete(x.sorted, i, i+1)
		}
	}
}

func (x *keyIndex) merge() {
	if len(x.pending) == 0 {
		return
	}
	slices.Sort(x.pending)
	x.sorted = append(x.sorted, x.pending...)
	if len(x.sorted) > len(x.pending) && x.sorted[len(x.sorted)-len(x.pending)-1] > x.pending[0] {
		slices.Sort(x.sorted)
	}
	x.pending = x.pending[:0]
}

// objectFile is the file of bucket/key: one flat file per key, the key
// path-escaped (so "/" cannot make directories).
func (c *ceiling) objectFile(bucket, key string) string {
	return filepath.Join(c.dir, bucket, url.PathEscape(key))
}

func (c *ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	switch {
	case bucket == "" && r.Method == http.MethodPost:
		c.query(w, r)
	case bucket == "" || strings.HasPrefix(bucket, "."):
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	case key == "":
		c.bucket(w, r, bucket, q)
	case r.Method == http.MethodPut && q.Has("uploadId"):
		c.uploadPart(w, r, q.Get("uploadId"), q.Get("partNumber"))
	case r.Method == http.MethodPut:
		c.put(w, r, bucket, key)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		f, err := os.Open(c.objectFile(bucket, key))
		if err != nil {
			s3Error(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, st.ModTime().UnixNano(), st.Size()))
		http.ServeContent(w, r, "", st.ModTime(), f)
	case r.Method == http.MethodDelete:
		c.mu.Lock()
		if idx := c.buckets[bucket]; idx != nil {
			idx.remove(key)
		}
		c.mu.Unlock()
		_ = os.Remove(c.objectFile(bucket, key))
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && q.Has("uploads"):
		id := fmt.Sprintf("%d-%d", time.Now().UnixNano(), c.seq.Add(1))
		if err := os.Mkdir(filepath.Join(c.dir, ".mpu", id), 0o755); err != nil {
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return
		}
		writeXML(w, fmt.Sprintf(`<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>`,
			xmlEscape(bucket), xmlEscape(key), id))
	case r.Method == http.MethodPost && q.Has("uploadId"):
		c.complete(w, r, bucket, key, q.Get("uploadId"))
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func (c *ceiling) index(bucket string) *keyIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buckets[bucket]
}

// bucket answers CreateBucket, HeadBucket and ListObjectsV2.
func (c *ceiling) bucket(w http.ResponseWriter, r *http.Request, bucket string, q url.Values) {
	switch r.Method {
	case http.MethodPut:
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.buckets[bucket] != nil {
			s3Error(w, http.StatusConflict, "BucketAlreadyOwnedByYou")
			return
		}
		if err := os.MkdirAll(filepath.Join(c.dir, bucket), 0o755); err != nil {
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return
		}
		c.buckets[bucket] = &keyIndex{present: map[string]int64{}}
	case http.MethodHead:
		if c.index(bucket) == nil {
			w.WriteHeader(http.StatusNotFound)
		}
	case http.MethodGet:
		c.list(w, bucket, q)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func (c *ceiling) list(w http.ResponseWriter, bucket string, q url.Values) {
	prefix, after := q.Get("prefix"), q.Get("start-after")
	if t := q.Get("continuation-token"); t != "" {
		after = t
	}
	maxKeys := 1000
	if m, err := strconv.Atoi(q.Get("max-keys")); err == nil && m >= 0 && m < 1000 {
		maxKeys = m
	}
	c.mu.Lock()
	idx := c.buckets[bucket]
	if idx == nil {
		c.mu.Unlock()
		s3Error(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	idx.merge()
	i, _ := slices.BinarySearch(idx.sorted, max(after+"\x00", prefix))
	var keys []string
	var sizes []int64
	truncated := false
	for ; i < len(idx.sorted) && strings.HasPrefix(idx.sorted[i], prefix); i++ {
		if len(keys) == maxKeys {
			truncated = true
			break
		}
		keys = append(keys, idx.sorted[i])
		sizes = append(sizes, idx.present[idx.sorted[i]])
	}
	c.mu.Unlock()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys><IsTruncated>%v</IsTruncated>`,
		xmlEscape(bucket), xmlEscape(prefix), len(keys), maxKeys, truncated)
	if after != "" {
		fmt.Fprintf(&b, "<StartAfter>%s</StartAfter>", xmlEscape(after))
	}
	mod := time.Now().UTC().Format("2006-01-02T15:04:05.000Z") // the index keeps no times: a minimal server's shortcut
	for i, k := range keys {
		fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>"%x"</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`,
			xmlEscape(k), mod, sizes[i], sizes[i])
	}
	if truncated {
		fmt.Fprintf(&b, "<NextContinuationToken>%s</NextContinuationToken>", xmlEscape(keys[len(keys)-1]))
	}
	b.WriteString("</ListBucketResult>")
	writeXML(w, b.String())
}

// put streams the body to a temporary file and renames it into place.
func (c *ceiling) put(w http.ResponseWriter, r *http.Request, bucket, key string) {
	idx := c.index(bucket)
	if idx == nil {
		s3Error(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	n, etag, err := c.writeFile(c.objectFile(bucket, key), r.Body)
	if err != nil {
		s3Error(w, http.StatusInternalServerError, "InternalError")
		return
	}
	c.mu.Lock()
	idx.add(key, n)
	c.mu.Unlock()
	w.Header().Set("ETag", etag)
}

// writeFile streams body into path (through a temporary file renamed into
// place) and returns its size and ETag.
func (c *ceiling) writeFile(path string, body io.Reader) (int64, string, error) {
	seq := c.seq.Add(1)
	tmp := filepath.Join(c.dir, ".mpu", fmt.Sprintf(".tmp-%d", seq))
	f, err := os.Create(tmp)
	if err != nil {
		return 0, "", err
	}
	etag := fmt.Sprintf(`"%x"`, seq)
	var n int64
	if c.md5 {
		h := md5.New()
		n, err = io.CopyBuffer(io.MultiWriter(f, h), body, make([]byte, 256<<10))
		etag = `"` + hex.EncodeToString(h.Sum(nil)) + `"`
	} else {
		n, err = io.Copy(f, body)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return n, etag, err
}

func validUploadID(id string) bool {
	return id != "" && !strings.ContainsAny(id, "/\\.") && len(id) < 64
}

func (c *ceiling) uploadPart(w http.ResponseWriter, r *http.Request, id, part string) {
	n, err := strconv.Atoi(part)
	if !validUploadID(id) || err != nil || n < 1 || n > 10000 {
		s3Error(w, http.StatusBadRequest, "InvalidArgument")
		return
	}
	_, etag, err := c.writeFile(filepath.Join(c.dir, ".mpu", id, fmt.Sprintf("%05d", n)), r.Body)
	if err != nil {
		s3Error(w, http.StatusNotFound, "NoSuchUpload")
		return
	}
	w.Header().Set("ETag", etag)
}

// complete concatenates the listed parts into the object.
func (c *ceiling) complete(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	idx := c.index(bucket)
	if idx == nil || !validUploadID(id) {
		s3Error(w, http.StatusNotFound, "NoSuchUpload")
		return
	}
	var req struct {
		Parts []struct {
			PartNumber int `xml:"PartNumber"`
		} `xml:"Part"`
	}
	if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Parts) == 0 {
		s3Error(w, http.StatusBadRequest, "MalformedXML")
		return
	}
	updir := filepath.Join(c.dir, ".mpu", id)
	tmp := filepath.Join(c.dir, ".mpu", fmt.Sprintf(".tmp-%d", c.seq.Add(1)))
	out, err := os.Create(tmp)
	if err != nil {
		s3Error(w, http.StatusInternalServerError, "InternalError")
		return
	}
	var total int64
	for _, p := range req.Parts {
		in, err := os.Open(filepath.Join(updir, fmt.Sprintf("%05d", p.PartNumber)))
		if err != nil {
			out.Close()
			_ = os.Remove(tmp)
			s3Error(w, http.StatusBadRequest, "InvalidPart")
			return
		}
		n, err := io.Copy(out, in) // copy_file_range between files on Linux
		total += n
		in.Close()
		if err != nil {
			out.Close()
			_ = os.Remove(tmp)
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return
		}
	}
	if err := out.Close(); err != nil || os.Rename(tmp, c.objectFile(bucket, key)) != nil {
		s3Error(w, http.StatusInternalServerError, "InternalError")
		return
	}
	_ = os.RemoveAll(updir)
	c.mu.Lock()
	idx.add(key, total)
	c.mu.Unlock()
	writeXML(w, fmt.Sprintf(`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>%s</Bucket><Key>%s</Key><ETag>"%s-%d"</ETag></CompleteMultipartUploadResult>`,
		xmlEscape(bucket), xmlEscape(key), id, len(req.Parts)))
}

// query answers STS AssumeRole, AssumeRoleWithWebIdentity and
// GetCallerIdentity; any other action (IAM's) is NotImplemented.
func (c *ceiling) query(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s3Error(w, http.StatusBadRequest, "MalformedQueryString")
		return
	}
	action := r.PostForm.Get("Action")
	const ns = `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`
	switch action {
	case "GetCallerIdentity":
		reqID := strconv.FormatInt(c.seq.Add(1), 10)
		w.Header().Set("x-amzn-RequestId", reqID)
		writeXML(w, `<GetCallerIdentityResponse `+ns+`><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/ceiling</Arn><UserId>AIDACEILING0000000001</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>`+
			reqID+`</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case "AssumeRole", "AssumeRoleWithWebIdentity":
		now := time.Now().UTC()
		role := r.PostForm.Get("RoleArn")
		id := make([]byte, 8)
		_, _ = rand.Read(id)
		sess := &token.Session{Kind: token.KindRole, AccessKeyID: "ASIA" + strings.ToUpper(hex.EncodeToString(id)), SecretAccessKey: hex.EncodeToString(append(id, id...)),
			Account: "000000000000", IssuedAt: now, Expires: now.Add(time.Hour), RoleARN: role, RoleID: "AROACEILING000000001", SessionName: r.PostForm.Get("RoleSessionName")}
		tok, err := token.Seal(ceilingKeys{c.keys}, sess)
		if err != nil {
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return
		}
		// AWS's whole answer: the request id in the x-amzn-RequestId
		// header and in ResponseMetadata, which SDKs read.
		reqID := strconv.FormatInt(c.seq.Add(1), 10)
		w.Header().Set("x-amzn-RequestId", reqID)
		writeXML(w, fmt.Sprintf(`<%sResponse %s><%sResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROACEILING000000001:%s</AssumedRoleId></AssumedRoleUser></%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
			action, ns, action, sess.AccessKeyID, sess.SecretAccessKey, tok, sess.Expires.Format(time.RFC3339), xmlEscape(role), xmlEscape(sess.SessionName), xmlEscape(sess.SessionName), action, reqID, action))
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code><Message>the ceiling does not implement %s</Message></Error></ErrorResponse>`, xmlEscape(action))
	}
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = io.WriteString(w, body)
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message></Error>`, code, code)
}
