// Package buildinfo holds the version stamped into the binary at build time.
package buildinfo

import (
	"fmt"
	"io"
	"runtime/debug"
	"sort"
)

// Version is set with -ldflags "-X inspraak/internal/buildinfo.Version=...".
var Version = "dev"

// Revision is the commit, set with -ldflags "-X
// inspraak/internal/buildinfo.Revision=...", for builds that have no VCS
// information: CI builds with -buildvcs=false, and a docker build's
// context has no .git. When set, Commit reports it.
var Revision = ""

// Commit returns the VCS revision the binary was built from, when known:
// Revision when the build set it, otherwise what the Go toolchain
// recorded from the checkout.
func Commit() string {
	if Revision != "" {
		return Revision
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}

// Module is one Go module linked into the binary.
type Module struct {
	Path, Version string
	// Replaced names the module that stands in for it, if any.
	Replaced string
}

// Modules lists the modules linked into the binary, sorted by path, as
// the Go toolchain recorded them: what an auditor compares with the SBOM.
func Modules() []Module {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var ms []Module
	for _, d := range info.Deps {
		m := Module{Path: d.Path, Version: d.Version}
		if d.Replace != nil {
			m.Replaced = d.Replace.Path + " " + d.Replace.Version
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Path < ms[j].Path })
	return ms
}

// GoVersion is the Go release the binary was built with.
func GoVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.GoVersion
	}
	return ""
}

// Write prints the version, the commit, the Go release and, with modules,
// every linked module with its version, one per line.
func Write(w io.Writer, modules bool) error {
	commit := Commit()
	if commit == "" {
		commit = "unknown"
	}
	if _, err := fmt.Fprintf(w, "inspraak %s\ncommit %s\nbuilt with %s\n", Version, commit, GoVersion()); err != nil {
		return err
	}
	if !modules {
		return nil
	}
	for _, m := range Modules() {
		line := m.Path + " " + m.Version
		if m.Replaced != "" {
			line += " => " + m.Replaced
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
