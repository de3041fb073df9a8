package store

import "errors"

// Sentinel errors returned by every Store implementation.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a record with the same key (case-insensitive name, id) exists.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a concurrent transaction changed the data; retry.
	ErrConflict = errors.New("store: conflict")
	// ErrLocked: an Object Lock retention or legal hold protects the
	// version from removal (see Object.Removable).
	ErrLocked = errors.New("store: version locked by Object Lock")
)
