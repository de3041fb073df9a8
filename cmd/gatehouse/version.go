package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version and buildTime are stamped by release builds (scripts/release, the
// Dockerfile) with
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.buildTime=2025-01-02T03:04:05Z" ./cmd/gatehouse
//
// version, when set, overrides the module version of the build info;
// buildTime is printed as given. Both are empty in an unstamped build, and
// nothing assigns them at run time.
var (
	version   string
	buildTime string
)

// buildVersion is what `gatehouse version` reports about the running binary.
type buildVersion struct {
	Version   string // -X main.version, else the module version ("v1.2.0", a pseudo-version), else "dev"
	Revision  string // VCS revision the binary was built from ("" unknown)
	Committed string // time of that revision (vcs.time, RFC 3339)
	Modified  bool   // the work tree had changes not in Revision
	BuildTime string // -X main.buildTime ("" not stamped)
	Go        string // Go version
	Platform  string // GOOS/GOARCH
}

// readVersion combines the -X stamps with the build info Go embeds in every
// binary (runtime/debug.ReadBuildInfo). Go records the VCS revision, its time
// and whether the tree was modified when it builds a main package inside a
// git checkout (go build, not go run or go test; not when -buildvcs=false).
func readVersion(stamped, built string, info *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: stamped, BuildTime: built}
	if ok && info != nil {
		if v.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		v.Go = info.GoVersion
		var goos, goarch string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Committed = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			}
		}
		if goos != "" && goarch != "" {
			v.Platform = goos + "/" + goarch
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	return v
}

// String is the text `gatehouse version` prints: the version on the first
// line, then one "name: value" line per known detail.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gatehouse %s\n", v.Version)
	switch {
	case v.Revision == "":
		b.WriteString("revision:  unknown (built without VCS information)\n")
	case v.Modified:
		fmt.Fprintf(&b, "revision:  %s (modified: the work tree had uncommitted changes)\n", v.Revision)
	default:
		fmt.Fprintf(&b, "revision:  %s\n", v.Revision)
	}
	if v.Committed != "" {
		fmt.Fprintf(&b, "committed: %s\n", v.Committed)
	}
	if v.BuildTime != "" {
		fmt.Fprintf(&b, "built:     %s\n", v.BuildTime)
	}
	if v.Go != "" {
		fmt.Fprintf(&b, "go:        %s", v.Go)
		if v.Platform != "" {
			fmt.Fprintf(&b, " %s", v.Platform)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// currentVersion describes this binary.
func currentVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	return readVersion(version, buildTime, info, ok)
}
