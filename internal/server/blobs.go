package server

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/bloburl"
	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/blob/s3blob"
	"github.com/gatehouse/gatehouse/internal/config"
)

// openBlobStore opens where cfg keeps object bytes: the data directory's
// blobs/ on local disk (blob/fs), or the S3-compatible store the blob
// setting names (blob/s3blob). The rest of the server sees a blob.Store
// and asks for optional capabilities (blob.RangeWriter,
// blob.UnhashedPutter, s3.TempCleaner) where it uses them.
func openBlobStore(ctx context.Context, cfg *config.Config) (blob.Store, error) {
	if cfg.Blob == "" {
		f, err := blobfs.Open(filepath.Join(cfg.DataDir, BlobDir))
		if err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
		return f, nil
	}
	s, err := s3blob.Open(ctx, cfg.Blob)
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return s, nil
}

// blobDescription names where object bytes go, for the start-up log line:
// the directory, or the bucket, prefix and endpoint of the upstream (built
// from the parsed URL, which never holds a credential).
func blobDescription(cfg *config.Config) string {
	if cfg.Blob == "" {
		return filepath.Join(cfg.DataDir, BlobDir)
	}
	loc, err := bloburl.Parse(cfg.Blob)
	if err != nil {
		return "(invalid blob setting)"
	}
	d := "s3://" + loc.Bucket + "/" + loc.Prefix
	if loc.Endpoint != "" {
		d += " at " + loc.Endpoint
	}
	return d
}
