package s3

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/s3/lifecycle"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Bucket lifecycle configurations: PutBucketLifecycleConfiguration,
// GetBucketLifecycleConfiguration and DeleteBucketLifecycle. The
// configuration is stored with the bucket as XML; LifecycleWorker
// executes it.

// minSizeHeader is the 2024 header naming the default minimum object size
// of transitions; S3 echoes it on Put and Get.
const minSizeHeader = "x-amz-transition-default-minimum-object-size"

// minSizeDefault is what S3 reports when none was sent.
const minSizeDefault = "all_storage_classes_128K"

func (c *call) getBucketLifecycle() error {
	if c.b.Lifecycle == "" {
		return awsapi.LifecycleNotFound.Of().With("BucketName", c.bucket)
	}
	cfg, err := lifecycle.Load([]byte(c.b.Lifecycle))
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set(minSizeHeader, orDefault(c.b.LifecycleMinSize, minSizeDefault))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(cfg.XML())
	return nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func (c *call) putBucketLifecycle() error {
	if c.r.Header.Get("Content-Md5") == "" && !hasChecksumHeader(c.r.Header) {
		return awsapi.ContentMD5Missing.Of()
	}
	minSize := c.r.Header.Get(minSizeHeader)
	if minSize != "" && minSize != "varies_by_storage_class" && minSize != minSizeDefault {
		return awsapi.LifecycleMinSizeInvalid.Of(minSize)
	}
	data, err := c.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := lifecycle.Parse(data)
	if err != nil {
		var le *lifecycle.Error
		if errors.As(err, &le) {
			switch le.Code {
			case lifecycle.CodeInvalidArgument:
				return awsapi.LifecycleInvalidArgument.Of(le.Message)
			case lifecycle.CodeInvalidRequest:
				return awsapi.LifecycleInvalidRequest.Of(le.Message)
			}
		}
		return awsapi.XMLMalformed.Of()
	}
	doc := string(cfg.XML())
	if err := c.updateBucket(func(b *store.Bucket) error {
		if b.MFADelete == mfaEnabled {
			return awsapi.LifecycleWithMFADelete.Of()
		}
		b.Lifecycle, b.LifecycleMinSize = doc, minSize
		return nil
	}); err != nil {
		return err
	}
	c.w.Header().Set(minSizeHeader, orDefault(minSize, minSizeDefault))
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) deleteBucketLifecycle() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.Lifecycle, b.LifecycleMinSize = "", ""; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

// hasChecksumHeader reports whether the request carries a flexible
// checksum (which S3 accepts in place of Content-MD5), or a trailer of one.
func hasChecksumHeader(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") && !strings.EqualFold(k, "x-amz-checksum-type") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(h.Get("x-amz-trailer")), "x-amz-checksum-") ||
		h.Get("x-amz-sdk-checksum-algorithm") != ""
}
