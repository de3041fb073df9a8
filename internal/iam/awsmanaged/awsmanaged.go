// Package awsmanaged embeds the AWS managed policies so that scripts which
// attach them by ARN (arn:aws:iam::aws:policy/…) work unchanged.
//
// Source: aws-managed-policies.json.gz, the 1,485 AWS managed policies as
// published by AWS, gathered in the moto project's
// moto/iam/aws_managed_policies.py (version 5.2.1, Apache-2.0), reshaped to
// one JSON object keyed by policy name. Load decodes it once into an
// immutable Catalog.
package awsmanaged

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"time"
)

//go:embed aws-managed-policies.json.gz
var data []byte

// Policy is one AWS managed policy.
type Policy struct {
	Name             string
	Path             string
	ARN              string
	DefaultVersionID string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Document         string // the default version's document, as JSON
}

// Catalog is the immutable set of AWS managed policies.
type Catalog struct {
	byARN  map[string]*Policy
	sorted []*Policy // by lower-cased name
}

// Load decodes the embedded catalog.
func Load() (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var m map[string]struct {
		Path             string          `json:"Path"`
		DefaultVersionID string          `json:"DefaultVersionId"`
		CreateDate       string          `json:"CreateDate"`
		UpdateDate       string          `json:"UpdateDate"`
		Document         json.RawMessage `json:"Document"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	c := &Catalog{byARN: make(map[string]*Policy, len(m))}
	for name, v := range m {
		path := v.Path
		if path == "" {
			path = "/"
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return nil, err
		}
		p := &Policy{Name: name, Path: path, ARN: "arn:aws:iam::aws:policy" + path + name, DefaultVersionID: v.DefaultVersionID,
			CreatedAt: parseTime(v.CreateDate), UpdatedAt: parseTime(v.UpdateDate), Document: doc.String()}
		if p.DefaultVersionID == "" {
			p.DefaultVersionID = "v1"
		}
		c.byARN[p.ARN] = p
		c.sorted = append(c.sorted, p)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return strings.ToLower(c.sorted[i].Name) < strings.ToLower(c.sorted[j].Name) })
	return c, nil
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05-07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
}

// Get returns the policy with the ARN.
func (c *Catalog) Get(arn string) (*Policy, bool) {
	p, ok := c.byARN[arn]
	return p, ok
}

// List returns the policies whose path starts with pathPrefix, ordered by
// lower-cased name.
func (c *Catalog) List(pathPrefix string) []*Policy {
	var out []*Policy
	for _, p := range c.sorted {
		if strings.HasPrefix(p.Path, pathPrefix) {
			out = append(out, p)
		}
	}
	return out
}

// Len is the number of policies.
func (c *Catalog) Len() int { return len(c.sorted) }

// Document returns the default version's document of an AWS managed policy.
func (c *Catalog) Document(arn string) (string, bool) {
	p, ok := c.byARN[arn]
	if !ok {
		return "", false
	}
	return p.Document, true
}
