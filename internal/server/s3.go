package server

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// serveS3 answers S3 requests. Object storage arrives with the S3 service;
// until then every S3 request gets S3's NotImplemented error.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request, requestID string) {
	awsapi.WriteS3Error(w, r, awsapi.NewError("NotImplemented", "S3 is not available in this Gatehouse build yet."), requestID)
}
