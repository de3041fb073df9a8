package server

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// serveS3 hands S3 requests to the S3 service, which runs its own pipeline
// (S3 payload modes, bucket policies, CORS) through the same authenticator
// and authorizer as IAM and STS.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request, rec *pipeline.Record) {
	s.s3.Serve(w, r, rec)
}
