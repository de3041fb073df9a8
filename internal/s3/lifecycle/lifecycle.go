// Package lifecycle is the grammar and the clock arithmetic of S3 bucket
// lifecycle configurations: Parse validates a PutBucketLifecycleConfiguration
// document as S3 does (an *Error names S3's code and message for every
// refusal), XML renders a configuration as GetBucketLifecycleConfiguration
// returns it, and the Config methods decide, for a given instant, which
// versions and uploads a rule makes due. It does no I/O: the S3 service's
// lifecycle worker walks the store and acts. A parsed Config is never
// changed, so it is safe for concurrent use.
//
// Semantics (S3's): a rule's Days count from an object's creation and are
// rounded up to the next midnight UTC; a Date applies from midnight UTC on
// that date; NoncurrentDays count from when a version became noncurrent,
// also rounded to midnight; DaysAfterInitiation from an upload's initiation.
// Transitions are validated, stored and reported, but move nothing: there
// is one storage tier.
package lifecycle

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// MaxRules is the most rules a configuration may hold.
const MaxRules = 1000

// Codes of an *Error (S3's error codes).
const (
	CodeMalformedXML    = "MalformedXML"
	CodeInvalidArgument = "InvalidArgument"
	CodeInvalidRequest  = "InvalidRequest"
)

// Error is a refusal of a document, with S3's code and message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// malformedMessage is S3's MalformedXML message.
const malformedMessage = "The XML you provided was not well-formed or did not validate against our published schema"

func malformed() error { return &Error{CodeMalformedXML, malformedMessage} }
func invalidArg(format string, args ...any) error {
	return &Error{CodeInvalidArgument, fmt.Sprintf(format, args...)}
}
func invalidReq(format string, args ...any) error {
	return &Error{CodeInvalidRequest, fmt.Sprintf(format, args...)}
}

// Tag is an object tag of a filter.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// And is the conjunction of a filter.
type And struct {
	Prefix                *string `xml:"Prefix"`
	Tags                  []Tag   `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
}

// Filter selects the objects of a rule: exactly one of its elements (an
// empty Filter selects every object).
type Filter struct {
	Prefix                *string `xml:"Prefix"`
	Tag                   *Tag    `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
	And                   *And    `xml:"And"`
}

// Expiration expires current versions (Days or Date) or removes expired
// delete markers (ExpiredObjectDeleteMarker).
type Expiration struct {
	Days                      *int    `xml:"Days"`
	Date                      *string `xml:"Date"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

// NoncurrentExpiration removes noncurrent versions.
type NoncurrentExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

// Transition is a (stored, never executed) change of storage class.
type Transition struct {
	Days         *int    `xml:"Days,omitempty"`
	Date         *string `xml:"Date,omitempty"`
	StorageClass string  `xml:"StorageClass"`
}

// NoncurrentTransition is a (stored, never executed) change of storage
// class of noncurrent versions.
type NoncurrentTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions,omitempty"`
	StorageClass            string `xml:"StorageClass"`
}

// AbortUpload aborts incomplete multipart uploads.
type AbortUpload struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

// Rule is one lifecycle rule.
type Rule struct {
	ID                          string                 `xml:"ID,omitempty"`
	LegacyPrefix                *string                `xml:"Prefix"` // legacy form of Filter
	Filter                      *Filter                `xml:"Filter"`
	Status                      string                 `xml:"Status"`
	Expiration                  *Expiration            `xml:"Expiration"`
	Transitions                 []Transition           `xml:"Transition"`
	NoncurrentTransitions       []NoncurrentTransition `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration *NoncurrentExpiration  `xml:"NoncurrentVersionExpiration"`
	AbortUpload                 *AbortUpload           `xml:"AbortIncompleteMultipartUpload"`
	expDate                     time.Time
}

// Config is a bucket's lifecycle configuration.
type Config struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []*Rule  `xml:"Rule"`
}

// transitionClasses are the classes a transition may name (botocore's
// TransitionStorageClass).
var transitionClasses = map[string]bool{"GLACIER": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true}

// Parse decodes and validates a configuration document as
// PutBucketLifecycleConfiguration does.
func Parse(data []byte) (*Config, error) {
	c, err := Load(data)
	if err != nil {
		return nil, err
	}
	for _, r := range c.Rules {
		if err := r.validateActions(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Load decodes a stored configuration: the grammar Parse checks, without
// the checks between a rule's actions (a configuration stored before they
// were made still reads and runs as it was accepted).
func Load(data []byte) (*Config, error) {
	var c Config
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&c); err != nil {
		return nil, malformed()
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > MaxRules {
		return malformed()
	}
	ids := map[string]bool{}
	for _, r := range c.Rules {
		if len(r.ID) > 255 {
			return invalidArg("ID length should not exceed allowed limit of 255")
		}
		if r.ID != "" {
			if ids[r.ID] {
				return invalidArg("Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if err := r.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Rule) validate() error {
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return malformed()
	}
	if (r.LegacyPrefix == nil) == (r.Filter == nil) {
		return malformed() // exactly one of the legacy Prefix and Filter
	}
	if f := r.Filter; f != nil {
		n := 0
		for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil} {
			if set {
				n++
			}
		}
		if n > 1 {
			return malformed()
		}
		if err := sizes(f.ObjectSizeGreaterThan, f.ObjectSizeLessThan); err != nil {
			return err
		}
		if a := f.And; a != nil {
			if err := sizes(a.ObjectSizeGreaterThan, a.ObjectSizeLessThan); err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, t := range a.Tags {
				if seen[t.Key] {
					return invalidReq("Duplicate Tag Keys are not allowed.")
				}
				seen[t.Key] = true
			}
		}
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortUpload == nil &&
		len(r.Transitions) == 0 && len(r.NoncurrentTransitions) == 0 {
		return invalidReq("At least one action needs to be specified in a rule")
	}
	if e := r.Expiration; e != nil {
		set := 0
		for _, b := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
			if b {
				set++
			}
		}
		if set != 1 {
			return malformed()
		}
		if e.Days != nil && *e.Days <= 0 {
			return invalidArg("'Days' for Expiration action must be a positive integer")
		}
		if e.Date != nil {
			t, err := parseDate(*e.Date)
			if err != nil {
				return err
			}
			r.expDate = t
			*e.Date = t.Format(dateLayout)
		}
		if e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker && r.hasTags() {
			return invalidReq("ExpiredObjectDeleteMarker cannot be specified with tags.")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays == nil || *n.NoncurrentDays <= 0 {
			return invalidArg("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
		if v := n.NewerNoncurrentVersions; v != nil && (*v <= 0 || *v > 100) {
			return invalidArg("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100")
		}
	}
	if a := r.AbortUpload; a != nil {
		if a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0 {
			return invalidArg("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if r.hasTags() {
			return invalidReq("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	classes := map[string]bool{}
	for i := range r.Transitions {
		t := &r.Transitions[i]
		if !transitionClasses[t.StorageClass] {
			return malformed()
		}
		if classes[t.StorageClass] {
			return invalidArg("'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '%s'", r.filterDesc())
		}
		classes[t.StorageClass] = true
		if (t.Days == nil) == (t.Date == nil) {
			return malformed()
		}
		if t.Days != nil && *t.Days < 0 {
			return invalidArg("'Days' for Transition action must be a positive integer")
		}
		if t.Date != nil {
			d, err := parseDate(*t.Date)
			if err != nil {
				return err
			}
			*t.Date = d.Format(dateLayout)
		}
	}
	classes = map[string]bool{}
	for _, t := range r.NoncurrentTransitions {
		if !transitionClasses[t.StorageClass] {
			return malformed()
		}
		if classes[t.StorageClass] {
			return invalidArg("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '%s'", r.filterDesc())
		}
		classes[t.StorageClass] = true
		if t.NoncurrentDays == nil || *t.NoncurrentDays < 0 {
			return invalidArg("'NoncurrentDays' for NoncurrentVersionTransition action must be a positive integer")
		}
	}
	return nil
}

// MaxFilterSize is the largest object size a filter may name (1000 × 2^40
// bytes, the bound of S3's message).
const MaxFilterSize = 1_099_511_627_776_000

func sizes(gt, lt *int64) error {
	if gt != nil && (*gt < 0 || *gt > MaxFilterSize) {
		return invalidReq("'ObjectSizeGreaterThan' should be between 0 and %d.", int64(MaxFilterSize))
	}
	if lt != nil && (*lt < 1 || *lt > MaxFilterSize) {
		return invalidReq("'ObjectSizeLessThan' should be between 1 and %d.", int64(MaxFilterSize))
	}
	if gt != nil && lt != nil && *gt >= *lt {
		return invalidReq("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.")
	}
	return nil
}

// dateLayout is how S3 reports a rule's dates.
const dateLayout = "2006-01-02T15:04:05.000Z"

// parseDate reads an ISO 8601 date that must be midnight UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, invalidArg("Invalid date or date format")
	}
	if t = t.UTC(); !t.Equal(t.Truncate(24 * time.Hour)) {
		return time.Time{}, invalidArg("'Date' must be at midnight GMT")
	}
	return t, nil
}

func (r *Rule) hasTags() bool {
	f := r.Filter
	return f != nil && (f.Tag != nil || f.And != nil && len(f.And.Tags) > 0)
}

// XML renders the configuration as GetBucketLifecycleConfiguration returns
// it (and as it is stored).
func (c *Config) XML() []byte {
	out := *c
	out.Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"
	data, _ := xml.Marshal(&out) // only strings, numbers and pointers to them
	return append([]byte(xml.Header), data...)
}

// Object is what a rule's filter and actions look at in a version.
type Object struct {
	Key  string
	Size int64
	Tags map[string]string // nil: not read (asked for only when NeedsTags)
	// Created is the version's creation (LastModified).
	Created time.Time
}

// NeedsTags reports whether any enabled rule filters on tags (the worker
// reads a version's record only then).
func (c *Config) NeedsTags() bool {
	for _, r := range c.Rules {
		if r.Status == "Enabled" && r.hasTags() {
			return true
		}
	}
	return false
}

// KeyPrefix is the rule's key prefix ("" for every key).
func (r *Rule) KeyPrefix() string {
	switch {
	case r.LegacyPrefix != nil:
		return *r.LegacyPrefix
	case r.Filter == nil:
		return ""
	case r.Filter.Prefix != nil:
		return *r.Filter.Prefix
	case r.Filter.And != nil && r.Filter.And.Prefix != nil:
		return *r.Filter.And.Prefix
	}
	return ""
}

// Matches reports whether an enabled rule's filter selects o.
func (r *Rule) Matches(o Object) bool {
	if r.Status != "Enabled" || !strings.HasPrefix(o.Key, r.KeyPrefix()) {
		return false
	}
	f := r.Filter
	if f == nil {
		return true
	}
	var tags []Tag
	gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
	if f.Tag != nil {
		tags = []Tag{*f.Tag}
	}
	if a := f.And; a != nil {
		tags, gt, lt = a.Tags, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan
	}
	if gt != nil && o.Size <= *gt || lt != nil && o.Size >= *lt {
		return false
	}
	for _, t := range tags {
		if v, ok := o.Tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// midnightAfter is t plus days, rounded up to the next midnight UTC (S3's
// rounding: an object created at 10:30 on the 1st with Days 1 expires at
// 00:00 on the 3rd).
func midnightAfter(t time.Time, days int) time.Time {
	d := t.UTC().Add(time.Duration(days) * 24 * time.Hour)
	m := d.Truncate(24 * time.Hour)
	if m.Before(d) {
		m = m.Add(24 * time.Hour)
	}
	return m
}

// Expiry is when a rule expires the current version o (zero: never).
func (r *Rule) Expiry(o Object) time.Time {
	e := r.Expiration
	if e == nil || !r.Matches(o) {
		return time.Time{}
	}
	if e.Days != nil {
		return midnightAfter(o.Created, *e.Days)
	}
	if e.Date != nil {
		return r.expDate
	}
	return time.Time{}
}

// CurrentExpiry is the earliest expiry of the current version o by any rule
// and that rule's id (zero time: none).
func (c *Config) CurrentExpiry(o Object) (time.Time, string) {
	var at time.Time
	var id string
	for _, r := range c.Rules {
		if t := r.Expiry(o); !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at, id = t, r.ID
		}
	}
	return at, id
}

// NoncurrentDue reports whether a rule removes the noncurrent version o,
// which became noncurrent at since and has newer newer noncurrent versions
// of its key, at now.
func (c *Config) NoncurrentDue(o Object, since time.Time, newer int, now time.Time) bool {
	for _, r := range c.Rules {
		n := r.NoncurrentVersionExpiration
		if n == nil || n.NoncurrentDays == nil || !r.Matches(o) {
			continue
		}
		if n.NewerNoncurrentVersions != nil && newer < *n.NewerNoncurrentVersions {
			continue
		}
		if !now.Before(midnightAfter(since, *n.NoncurrentDays)) {
			return true
		}
	}
	return false
}

// MarkerDue reports whether a rule removes the delete marker of key that
// is its key's only version.
func (c *Config) MarkerDue(key string) bool {
	for _, r := range c.Rules {
		e := r.Expiration
		if e != nil && e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker && r.Matches(Object{Key: key}) {
			return true
		}
	}
	return false
}

// UploadDue reports whether a rule aborts an upload of key initiated at
// created, at now.
func (c *Config) UploadDue(key string, created, now time.Time) bool {
	for _, r := range c.Rules {
		a := r.AbortUpload
		if a != nil && a.DaysAfterInitiation != nil && r.Matches(Object{Key: key}) &&
			!now.Before(midnightAfter(created, *a.DaysAfterInitiation)) {
			return true
		}
	}
	return false
}

// Active reports whether any rule is enabled.
func (c *Config) Active() bool {
	for _, r := range c.Rules {
		if r.Status == "Enabled" {
			return true
		}
	}
	return false
}
