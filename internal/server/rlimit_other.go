//go:build !unix

package server

func descriptorLimit() (uint64, bool) { return 0, false }
