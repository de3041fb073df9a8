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
)
