package server

import (
	"net/http"
)

// serveS3 hands S3 requests to the S3 service, which runs its own pipeline
// (S3 payload modes, bucket policies, CORS) through the same authenticator
// and authorizer as IAM and STS.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request, requestID string) {
	s.s3.ServeHTTP(w, r, requestID)
}
