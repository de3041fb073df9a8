package lifecycle

import (
	"errors"
	"testing"
)

// rule wraps a filter and actions in an enabled rule.
func rule(filter, actions string) []byte {
	return doc(`<Rule><ID>r</ID>` + filter + `<Status>Enabled</Status>` + actions + `</Rule>`)
}

func tr(days, class string) string {
	return `<Transition><Days>` + days + `</Days><StorageClass>` + class + `</StorageClass></Transition>`
}

func trDate(date, class string) string {
	return `<Transition><Date>` + date + `</Date><StorageClass>` + class + `</StorageClass></Transition>`
}

func ntr(days, class string) string {
	return `<NoncurrentVersionTransition><NoncurrentDays>` + days + `</NoncurrentDays><StorageClass>` + class + `</StorageClass></NoncurrentVersionTransition>`
}

func exp(days string) string { return `<Expiration><Days>` + days + `</Days></Expiration>` }

func nexp(days string) string {
	return `<NoncurrentVersionExpiration><NoncurrentDays>` + days + `</NoncurrentDays></NoncurrentVersionExpiration>`
}

const abort = `<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`

func TestParseActionRefusals(t *testing.T) {
	all := `<Filter/>`
	logs := `<Filter><Prefix>logs/</Prefix></Filter>`
	big := `<Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>`
	andSize := `<Filter><And><Prefix>a/</Prefix><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>`
	cases := []struct {
		name, filter, actions, code, msg string
	}{
		{"expiration equal to transition", all, exp("30") + tr("30", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action"},
		{"expiration before transition", logs, exp("10") + tr("60", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action"},
		{"expiration before last transition", all, exp("90") + tr("30", "STANDARD_IA") + tr("90", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action"},
		{"expiration date not after transition date", all, `<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>` + trDate("2030-01-01", "GLACIER"), CodeInvalidArgument,
			"'Date' in the Expiration action for filter '(prefix=)' must be greater than 'Date' in the Transition action"},
		{"standard-ia under 30", all, tr("29", "STANDARD_IA"), CodeInvalidArgument,
			"'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"onezone-ia at 0", all, tr("0", "ONEZONE_IA"), CodeInvalidArgument,
			"'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'"},
		{"colder class not later", logs, tr("60", "STANDARD_IA") + tr("60", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action for StorageClass 'STANDARD_IA' for filter '(prefix=logs/)'"},
		{"colder class earlier, listed first", all, tr("10", "DEEP_ARCHIVE") + tr("20", "GLACIER_IR"), CodeInvalidArgument,
			"'Days' in the Transition action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=)' must be greater than 'Days' in the Transition action for StorageClass 'GLACIER_IR' for filter '(prefix=)'"},
		{"colder date not later", all, trDate("2030-02-01", "GLACIER") + trDate("2030-01-01", "DEEP_ARCHIVE"), CodeInvalidArgument,
			"'Date' in the Transition action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=)' must be greater than 'Date' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=)'"},
		{"transitions mix days and date", all, tr("30", "GLACIER") + trDate("2030-01-01", "DEEP_ARCHIVE"), CodeInvalidRequest,
			"Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '(prefix=)'"},
		{"expiration days, transition date", all, exp("30") + trDate("2030-01-01", "GLACIER"), CodeInvalidRequest,
			"Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=)'"},
		{"duplicate class", all, tr("30", "GLACIER") + tr("60", "GLACIER"), CodeInvalidArgument,
			"'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=)'"},
		{"noncurrent standard-ia under 30", all, ntr("7", "STANDARD_IA"), CodeInvalidArgument,
			"'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"noncurrent expiration not after transition", all, nexp("30") + ntr("30", "GLACIER"), CodeInvalidArgument,
			"'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action"},
		{"noncurrent colder class not later", all, ntr("40", "GLACIER") + ntr("40", "DEEP_ARCHIVE"), CodeInvalidArgument,
			"'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass 'GLACIER' for filter '(prefix=)'"},
		{"noncurrent duplicate class", all, ntr("30", "GLACIER") + ntr("60", "GLACIER"), CodeInvalidArgument,
			"'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '(prefix=)'"},
		{"abort with size", big, abort, CodeInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size."},
		{"abort with size in and", andSize, abort, CodeInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size."},
		{"marker with size", big, `<Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>`, CodeInvalidRequest,
			"ExpiredObjectDeleteMarker cannot be specified with Object Size."},
		{"filter named with and", andSize, exp("5") + tr("10", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=a/ and objectsizelessthan=100)' must be greater than 'Days' in the Transition action"},
		{"legacy prefix named", `<Prefix>old/</Prefix>`, exp("5") + tr("10", "GLACIER"), CodeInvalidArgument,
			"'Days' in the Expiration action for filter '(prefix=old/)' must be greater than 'Days' in the Transition action"},
		{"unknown transition class", all, tr("30", "STANDARD"), CodeMalformedXML, malformedMessage},
	}
	for _, tc := range cases {
		_, err := Parse(rule(tc.filter, tc.actions))
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%s: got %v, want %s: %s", tc.name, err, tc.code, tc.msg)
		}
	}
}

func TestParseActionsAccepted(t *testing.T) {
	cases := []struct{ name, filter, actions string }{
		{"waterfall", `<Filter/>`, tr("30", "STANDARD_IA") + tr("60", "GLACIER_IR") + tr("150", "DEEP_ARCHIVE") + exp("365")},
		{"waterfall listed backwards", `<Filter/>`, tr("150", "DEEP_ARCHIVE") + tr("30", "STANDARD_IA")},
		{"glacier-ir at 0", `<Filter/>`, tr("0", "GLACIER_IR")},
		{"standard-ia at 30", `<Filter/>`, tr("30", "STANDARD_IA") + exp("31")},
		{"ia by date", `<Filter/>`, trDate("2030-01-01", "STANDARD_IA") + `<Expiration><Date>2030-01-02</Date></Expiration>`},
		{"noncurrent", `<Filter/>`, ntr("30", "ONEZONE_IA") + ntr("31", "GLACIER") + nexp("32")},
		{"abort with prefix", `<Filter><Prefix>up/</Prefix></Filter>`, abort},
		{"size with expiration", `<Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>`, exp("1")},
	}
	for _, tc := range cases {
		if _, err := Parse(rule(tc.filter, tc.actions)); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestLoadKeepsStoredConfigurations: a configuration stored before the
// checks between actions existed still loads (Parse refuses it).
func TestLoadKeepsStoredConfigurations(t *testing.T) {
	d := rule(`<Filter/>`, tr("10", "STANDARD_IA")+exp("5"))
	if _, err := Parse(d); err == nil {
		t.Fatal("Parse accepted an IA transition at 10 days")
	}
	c, err := Load(d)
	if err != nil || !c.Active() {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(doc(`<Rule><Filter/><Status>On</Status></Rule>`)); err == nil {
		t.Fatal("Load accepted a bad status")
	}
}
