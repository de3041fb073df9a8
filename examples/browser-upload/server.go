package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// credentialsLifetime is how long the browser's temporary credentials last:
// STS's minimum, enough to start a large upload (a part already being sent
// when they expire still completes; a new part would be refused).
const credentialsLifetime = 15 * time.Minute

// maxListed bounds the /api/files answer.
const maxListed = 1000

// Config is what the app server needs to run.
type Config struct {
	// Gatehouse is the base URL of the Gatehouse endpoint (IAM, STS and S3),
	// e.g. http://127.0.0.1:8700. The browser talks to it directly, so it
	// must be reachable from the browser as well as from this server.
	Gatehouse string
	// Region is the signing region, us-east-1 unless Gatehouse was started
	// with another --region.
	Region string
	// Bucket receives the uploads, under uploads/<user>/.
	Bucket string
	// RoleARN is the role assumed for each user. Its own policy must allow
	// at least s3:PutObject, s3:AbortMultipartUpload and
	// s3:ListMultipartUploadParts on the bucket's objects; every session is
	// narrowed further to the user's prefix by a session policy.
	RoleARN string
	// Assets is the directory of the built page (web/dist).
	Assets string
	// Credentials are the app's own long-term credentials: an IAM user
	// allowed to sts:AssumeRole the role and to s3:ListBucket the bucket.
	Credentials aws.CredentialsProvider
	// Logger receives one line per login, logout and issued credentials
	// (never a secret). Nil means slog.Default().
	Logger *slog.Logger
}

// Server is the app: it logs its users in, hands each of them temporary
// credentials that can only write under their own prefix, lists their
// uploads and serves the page. It is an http.Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	sts      *sts.Client
	s3       *s3.Client
	sessions *sessions
	mux      *http.ServeMux
	csp      string
}

// NewServer checks cfg and returns the app's handler.
func NewServer(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.Gatehouse)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the Gatehouse URL (--gatehouse) %q must be an absolute http(s) URL", cfg.Gatehouse)
	}
	switch {
	case cfg.Region == "":
		return nil, errors.New("a region is required (--region)")
	case cfg.Bucket == "":
		return nil, errors.New("a bucket is required (--bucket)")
	case !strings.HasPrefix(cfg.RoleARN, "arn:aws:iam::"):
		return nil, fmt.Errorf("the role ARN (--role-arn) %q must look like arn:aws:iam::ACCOUNT:role/NAME", cfg.RoleARN)
	case cfg.Credentials == nil:
		return nil, errors.New("the app's own AWS credentials are required (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	}
	if _, err := os.Stat(filepath.Join(cfg.Assets, "index.html")); err != nil {
		return nil, fmt.Errorf("no built page in %s (run `npm ci && npm run build` in web/, or pass --assets): %w", cfg.Assets, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		sessions: newSessions(),
		sts: sts.New(sts.Options{
			Region:       cfg.Region,
			Credentials:  cfg.Credentials,
			BaseEndpoint: aws.String(cfg.Gatehouse),
		}),
		s3: s3.New(s3.Options{
			Region:       cfg.Region,
			Credentials:  cfg.Credentials,
			BaseEndpoint: aws.String(cfg.Gatehouse),
			UsePathStyle: true,
		}),
		// The page may talk to itself and to Gatehouse, nothing else.
		csp: "default-src 'self'; connect-src 'self' " + u.Scheme + "://" + u.Host +
			"; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /logout", s.logout)
	mux.HandleFunc("GET /api/me", s.me)
	mux.HandleFunc("GET /api/credentials", s.requireUser(s.credentials))
	mux.HandleFunc("GET /api/files", s.requireUser(s.files))
	mux.Handle("GET /", http.FileServerFS(os.DirFS(cfg.Assets)))
	s.mux = mux
	return s, nil
}

// ServeHTTP serves the app.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// userHandler is a handler for a logged-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, user string)

// requireUser answers 401 unless the request carries a live session.
func (s *Server) requireUser(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, ok := s.sessions.user(r)
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not logged in"})
			return
		}
		h(w, r, user)
	}
}

// login checks the demo form (user, password) and starts a session. Either
// way it redirects to the page, with ?login=failed on a wrong password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	if !checkPassword(user, password) {
		s.log.Info("login refused", "user", user)
		http.Redirect(w, r, "/?login=failed", http.StatusSeeOther)
		return
	}
	s.sessions.start(w, r, user)
	s.log.Info("login", "user", user)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session and redirects to the page.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if user, ok := s.sessions.end(w, r); ok {
		s.log.Info("logout", "user", user)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// me answers {"user": NAME}, or {"user": null} when not logged in, so the
// page knows whether to show the login form.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if user, ok := s.sessions.user(r); ok {
		writeJSON(w, http.StatusOK, map[string]string{"user": user})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": nil})
}

// Credentials is the /api/credentials answer: everything the page needs to
// build its S3 client and name its object.
type Credentials struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      time.Time `json:"expiration"`
	Region          string    `json:"region"`
	Endpoint        string    `json:"endpoint"`
	Bucket          string    `json:"bucket"`
	Prefix          string    `json:"prefix"`
}

// credentials assumes the role for the user, narrowed by a session policy
// to uploading under uploads/<user>/ and nothing else: no reads, no
// listing, no other prefix, whatever the role itself allows.
func (s *Server) credentials(w http.ResponseWriter, r *http.Request, user string) {
	prefix := userPrefix(user)
	policy, err := sessionPolicy(s.cfg.Bucket, prefix)
	if err != nil {
		s.fail(w, "building the session policy", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	out, err := s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(s.cfg.RoleARN),
		RoleSessionName: aws.String(user),
		DurationSeconds: aws.Int32(int32(credentialsLifetime / time.Second)),
		Policy:          aws.String(policy),
	})
	if err != nil {
		s.fail(w, "sts:AssumeRole", err)
		return
	}
	c := out.Credentials
	s.log.Info("issued upload credentials", "user", user, "prefix", prefix, "expires", aws.ToTime(c.Expiration))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expiration:      aws.ToTime(c.Expiration).UTC(),
		Region:          s.cfg.Region,
		Endpoint:        s.cfg.Gatehouse,
		Bucket:          s.cfg.Bucket,
		Prefix:          prefix,
	})
}

// File is one entry of the /api/files answer.
type File struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"lastModified"`
}

// files lists the user's uploads with the app's own credentials (the
// browser's credentials cannot list).
func (s *Server) files(w http.ResponseWriter, r *http.Request, user string) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	list := []File{}
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.cfg.Bucket),
		Prefix: aws.String(userPrefix(user)),
	})
	for pages.HasMorePages() && len(list) < maxListed {
		page, err := pages.NextPage(ctx)
		if err != nil {
			s.fail(w, "s3:ListBucket", err)
			return
		}
		for _, o := range page.Contents {
			list = append(list, File{
				Key:          aws.ToString(o.Key),
				Size:         aws.ToInt64(o.Size),
				ETag:         aws.ToString(o.ETag),
				LastModified: aws.ToTime(o.LastModified).UTC(),
			})
		}
	}
	if len(list) > maxListed {
		list = list[:maxListed]
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, list)
}

// fail logs err (AWS errors carry a code, a message and a request id, no
// secrets) and answers 502: the app is fine, Gatehouse said no.
func (s *Server) fail(w http.ResponseWriter, what string, err error) {
	s.log.Error("request to Gatehouse failed", "call", what, "err", err)
	writeJSON(w, http.StatusBadGateway, map[string]string{"error": what + " failed"})
}

// userPrefix is where user's uploads go.
func userPrefix(user string) string { return "uploads/" + user + "/" }

// sessionPolicy is the inline session policy for an upload session: the
// multipart upload calls (CreateMultipartUpload, UploadPart and
// CompleteMultipartUpload are all s3:PutObject) under prefix only.
func sessionPolicy(bucket, prefix string) (string, error) {
	type statement struct {
		Effect   string
		Action   []string
		Resource string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{
		Version: "2012-10-17",
		Statement: []statement{{
			Effect:   "Allow",
			Action:   []string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			Resource: "arn:aws:s3:::" + bucket + "/" + prefix + "*",
		}},
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
