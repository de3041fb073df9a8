package lifecycle

import (
	"fmt"
	"sort"
	"strings"
)

// The checks between a rule's filter and its actions, and between its
// actions, that PutBucketLifecycleConfiguration makes (Parse runs them;
// Load, for stored documents, does not). Messages name the rule's filter as
// S3 does: "(prefix=logs/)", "(prefix=)" for every key.

// classRank orders the transition classes from warmer to colder (S3's
// transition waterfall: Standard-IA, Intelligent-Tiering, One Zone-IA,
// Glacier Instant Retrieval, Glacier Flexible Retrieval, Deep Archive).
func classRank(class string) int {
	switch class {
	case "STANDARD_IA":
		return 1
	case "INTELLIGENT_TIERING":
		return 2
	case "ONEZONE_IA":
		return 3
	case "GLACIER_IR":
		return 4
	case "GLACIER":
		return 5
	case "DEEP_ARCHIVE":
		return 6
	}
	return 0
}

// infrequentAccess reports whether class needs 30 days in S3 Standard
// before a transition to it.
func infrequentAccess(class string) bool { return class == "STANDARD_IA" || class == "ONEZONE_IA" }

// minIADays is the fewest days before a transition to an infrequent-access
// class.
const minIADays = 30

// filterDesc is the rule's filter as S3's messages write it.
func (r *Rule) filterDesc() string {
	var parts []string
	add := func(prefix *string, tags []Tag, gt, lt *int64) {
		if prefix != nil {
			parts = append(parts, "prefix="+*prefix)
		}
		for _, t := range tags {
			parts = append(parts, fmt.Sprintf("tag={key=%s, value=%s}", t.Key, t.Value))
		}
		if gt != nil {
			parts = append(parts, fmt.Sprintf("objectsizegreaterthan=%d", *gt))
		}
		if lt != nil {
			parts = append(parts, fmt.Sprintf("objectsizelessthan=%d", *lt))
		}
	}
	switch f := r.Filter; {
	case r.LegacyPrefix != nil:
		add(r.LegacyPrefix, nil, nil, nil)
	case f != nil && f.And != nil:
		add(f.And.Prefix, f.And.Tags, f.And.ObjectSizeGreaterThan, f.And.ObjectSizeLessThan)
	case f != nil:
		var tags []Tag
		if f.Tag != nil {
			tags = []Tag{*f.Tag}
		}
		add(f.Prefix, tags, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
	}
	if len(parts) == 0 {
		return "(prefix=)"
	}
	return "(" + strings.Join(parts, " and ") + ")"
}

// hasSize reports whether the rule's filter looks at object sizes.
func (r *Rule) hasSize() bool {
	f := r.Filter
	if f == nil {
		return false
	}
	if f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil {
		return true
	}
	return f.And != nil && (f.And.ObjectSizeGreaterThan != nil || f.And.ObjectSizeLessThan != nil)
}

// validateActions makes the checks between the rule's filter and actions.
func (r *Rule) validateActions() error {
	if r.hasSize() {
		if r.AbortUpload != nil {
			return invalidReq("AbortIncompleteMultipartUpload cannot be specified with Object Size.")
		}
		if e := r.Expiration; e != nil && e.ExpiredObjectDeleteMarker != nil {
			return invalidReq("ExpiredObjectDeleteMarker cannot be specified with Object Size.")
		}
	}
	if err := r.validateTransitions(); err != nil {
		return err
	}
	return r.validateNoncurrentTransitions()
}

// timed is one transition reduced to its class and its instant: days, or a
// date as a sortable string (dates are normalized to dateLayout).
type timed struct {
	class string
	days  int
	date  string
}

func (a timed) after(b timed) bool {
	if a.date != "" {
		return a.date > b.date
	}
	return a.days > b.days
}

func (r *Rule) validateTransitions() error {
	if len(r.Transitions) == 0 {
		return nil
	}
	f := r.filterDesc()
	var ts []timed
	days, dates := false, false
	for _, t := range r.Transitions {
		if t.Days != nil {
			days = true
			if infrequentAccess(t.StorageClass) && *t.Days < minIADays {
				return invalidArg("'Days' in Transition action must be greater than or equal to %d for storageClass '%s'", minIADays, t.StorageClass)
			}
			ts = append(ts, timed{class: t.StorageClass, days: *t.Days})
		} else {
			dates = true
			ts = append(ts, timed{class: t.StorageClass, date: *t.Date})
		}
	}
	if days && dates {
		return invalidReq("Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '%s'", f)
	}
	if e := r.Expiration; e != nil && (e.Days != nil && dates || e.Date != nil && days) {
		return invalidReq("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '%s'", f)
	}
	sort.Slice(ts, func(i, j int) bool { return classRank(ts[i].class) < classRank(ts[j].class) })
	unit := "Days"
	if dates {
		unit = "Date"
	}
	for i := 1; i < len(ts); i++ {
		if !ts[i].after(ts[i-1]) {
			return invalidArg("'%s' in the Transition action for StorageClass '%s' for filter '%s' must be greater than '%s' in the Transition action for StorageClass '%s' for filter '%s'",
				unit, ts[i].class, f, unit, ts[i-1].class, f)
		}
	}
	if e := r.Expiration; e != nil && (e.Days != nil || e.Date != nil) {
		exp := timed{}
		if e.Days != nil {
			exp.days = *e.Days
		} else {
			exp.date = *e.Date
		}
		if !exp.after(ts[len(ts)-1]) {
			return invalidArg("'%s' in the Expiration action for filter '%s' must be greater than '%s' in the Transition action", unit, f, unit)
		}
	}
	return nil
}

func (r *Rule) validateNoncurrentTransitions() error {
	if len(r.NoncurrentTransitions) == 0 {
		return nil
	}
	f := r.filterDesc()
	var ts []timed
	for _, t := range r.NoncurrentTransitions {
		if infrequentAccess(t.StorageClass) && *t.NoncurrentDays < minIADays {
			return invalidArg("'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to %d for storageClass '%s'", minIADays, t.StorageClass)
		}
		ts = append(ts, timed{class: t.StorageClass, days: *t.NoncurrentDays})
	}
	sort.Slice(ts, func(i, j int) bool { return classRank(ts[i].class) < classRank(ts[j].class) })
	for i := 1; i < len(ts); i++ {
		if !ts[i].after(ts[i-1]) {
			return invalidArg("'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '%s' for filter '%s' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '%s' for filter '%s'",
				ts[i].class, f, ts[i-1].class, f)
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays != nil && *n.NoncurrentDays <= ts[len(ts)-1].days {
		return invalidArg("'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '%s' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action", f)
	}
	return nil
}
