// Command oidcop is a real OpenID Provider for Gatehouse's end-to-end tests
// (test/e2e/oidc_op_test.go): the example OP of github.com/zitadel/oidc —
// its in-memory storage, its login form, its discovery, JWKS, authorization
// and token endpoints — served over HTTPS on 127.0.0.1 with a self-signed
// certificate made at start.
//
// It lives in a Go module of its own so that the OP library never becomes a
// dependency of the gatehouse binary; the test builds it with `go build`.
//
// Usage:
//
//	oidcop -cert CERT.pem -users USERS.json -redirect-uri URI -client ID:SECRET [-client ID:SECRET …]
//
// It listens on a free port of 127.0.0.1, writes the certificate (PEM) to
// -cert, then prints one line, "oidcop issuer=https://127.0.0.1:PORT", on
// standard output. The users file is the example storage's format: a JSON
// object of id → {"ID", "Username", "Password", …}. Every request is logged
// to standard error as a JSON line with its method, path and User-Agent, so
// that the test can see who fetched the discovery document and the keys.
// It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// clientFlags collects the repeated -client ID:SECRET flags.
type clientFlags []string

func (c *clientFlags) String() string { return strings.Join(*c, ",") }

func (c *clientFlags) Set(v string) error {
	if id, secret, ok := strings.Cut(v, ":"); !ok || id == "" || secret == "" {
		return fmt.Errorf("want ID:SECRET, got %q", v)
	}
	*c = append(*c, v)
	return nil
}

func main() {
	certFile := flag.String("cert", "", "write the server's self-signed certificate (PEM) to this file")
	usersFile := flag.String("users", "", "the users, a JSON file in the example storage's format")
	redirectURI := flag.String("redirect-uri", "", "the redirect URI registered for every client")
	var clients clientFlags
	flag.Var(&clients, "client", "a confidential web client, ID:SECRET (repeatable)")
	flag.Parse()
	if *certFile == "" || *usersFile == "" || *redirectURI == "" || len(clients) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*certFile, *usersFile, *redirectURI, clients); err != nil {
		fmt.Fprintln(os.Stderr, "oidcop:", err)
		os.Exit(1)
	}
}

func run(certFile, usersFile, redirectURI string, clients []string) error {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	issuer := "https://" + ln.Addr().String()

	cert, err := selfSigned(certFile)
	if err != nil {
		return err
	}

	users, err := storage.StoreFromFile(usersFile)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	// The example storage keeps its clients in a package-level map, filled
	// before the storage is made.
	for _, c := range clients {
		id, secret, _ := strings.Cut(c, ":")
		storage.RegisterClients(storage.WebClient(id, secret, redirectURI))
	}
	router := exampleop.SetupServer(issuer, storage.NewStorage(users), logger, false)

	srv := &http.Server{
		Handler:           logRequests(logger, router),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, "", "") }()
	fmt.Printf("oidcop issuer=%s\n", issuer)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logRequests logs every request's method, path and User-Agent.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.Info("request", "method", r.Method, "path", r.URL.Path, "user_agent", r.UserAgent())
		next.ServeHTTP(w, r)
	})
}

// selfSigned makes a self-signed ECDSA certificate for 127.0.0.1, valid
// for a day, and writes it (PEM) to certFile.
func selfSigned(certFile string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "oidcop test issuer"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
