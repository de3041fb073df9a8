package s3

import (
	"errors"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/s3/cors"
	"github.com/gatehouse/gatehouse/internal/store"
)

// compileCORS parses a stored CORS configuration ("" = none).
func compileCORS(_ string, doc string) *cors.Config {
	if doc == "" {
		return nil
	}
	cfg, err := cors.Parse([]byte(doc))
	if err != nil {
		return nil // validated on write
	}
	return cfg
}

// preflight answers a browser's OPTIONS request from the bucket's CORS
// rules. Preflights are not signed and need no permission.
func (c *call) preflight() error {
	origin := c.r.Header.Get("Origin")
	method := c.r.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		return awsapi.PreflightOriginMissing.Of()
	}
	if method == "" {
		return awsapi.PreflightMethodMissing.Of()
	}
	if c.bucket == "" {
		return awsapi.PreflightBucketNotFound.Of()
	}
	b, err := c.s.bucket(c.ctx, c.bucket)
	if errors.Is(err, store.ErrNotFound) {
		return awsapi.PreflightBucketNotFound.Of()
	}
	if err != nil {
		return err
	}
	cfg := c.s.cors.get(b.Name, b.CORS)
	if cfg == nil {
		return awsapi.PreflightCORSDisabled.Of()
	}
	h, ok := cfg.Preflight(origin, method, cors.ParseRequestHeaders(c.r.Header.Get("Access-Control-Request-Headers")))
	if !ok {
		return awsapi.PreflightNotAllowed.Of()
	}
	for k, v := range h {
		c.w.Header()[k] = v
	}
	c.emptyOK()
	return nil
}

// corsHeaders adds the bucket's CORS response headers to a request that
// carries an Origin, whatever its outcome (errors included), as S3 does.
func (c *call) corsHeaders() {
	origin := c.r.Header.Get("Origin")
	if origin == "" || c.b == nil || c.b.CORS == "" {
		return
	}
	cfg := c.s.cors.get(c.b.Name, c.b.CORS)
	if cfg == nil {
		return
	}
	if h, ok := cfg.Actual(origin, c.r.Method); ok {
		for k, v := range h {
			c.w.Header()[k] = v
		}
	}
}
