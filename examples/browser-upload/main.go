// Command browser-upload is a small web app whose users upload files from
// their browser straight to a Gatehouse S3 bucket, without the bytes going
// through the app.
//
// The app logs its own users in (a fixed demo login: alice and bob, password
// "demo-" + name). For each upload the page asks GET /api/credentials; the
// app calls STS AssumeRole on a role with an inline session policy that
// allows only the multipart upload calls under uploads/<user>/, and returns
// the 15-minute credentials. The page then uploads with the AWS SDK for
// JavaScript (lib-storage, 5 MiB parts), and GET /api/files lists the user's
// uploads with the app's own credentials.
//
// Usage (see README.md for the Gatehouse side):
//
//	export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   # the app's IAM user
//	go run . --gatehouse http://127.0.0.1:8700 --bucket uploads \
//	    --role-arn arn:aws:iam::123456789012:role/browser-upload
//
// Every flag can also come from the environment variable named in its help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "browser-upload:", err)
		os.Exit(1)
	}
}

// run parses the flags, starts the server and serves until SIGINT/SIGTERM.
func run(args []string) error {
	fs := flag.NewFlagSet("browser-upload", flag.ContinueOnError)
	listen := fs.String("listen", envOr("LISTEN", "127.0.0.1:8080"), "address to serve the app on (env LISTEN)")
	var cfg Config
	fs.StringVar(&cfg.Gatehouse, "gatehouse", envOr("GATEHOUSE_URL", "http://127.0.0.1:8700"), "Gatehouse endpoint URL, as the browser reaches it (env GATEHOUSE_URL)")
	fs.StringVar(&cfg.Region, "region", envOr("AWS_REGION", "us-east-1"), "signing region (env AWS_REGION)")
	fs.StringVar(&cfg.Bucket, "bucket", os.Getenv("UPLOAD_BUCKET"), "bucket that receives the uploads (env UPLOAD_BUCKET)")
	fs.StringVar(&cfg.RoleARN, "role-arn", os.Getenv("UPLOAD_ROLE_ARN"), "role assumed for each user's upload credentials (env UPLOAD_ROLE_ARN)")
	fs.StringVar(&cfg.Assets, "assets", envOr("ASSETS_DIR", "web/dist"), "directory of the built page (env ASSETS_DIR)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return errors.New("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the app's own IAM user's access key")
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN"))

	app, err := NewServer(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	slog.Info("browser-upload listening", "url", "http://"+ln.Addr().String(), "gatehouse", cfg.Gatehouse, "bucket", cfg.Bucket)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
