package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register(command{
		name:    "version",
		summary: "print the version of mmoauth (also --version)",
		run:     runVersion,
	})
}

const versionAbout = `
Prints the module version mmoauth was built from (a release tag such as
v0.1.0 when installed with go install ...@version, "(devel)" from a clone),
the VCS revision when the build recorded one, and the Go version.`

// moduleVersion is the version of the main module from the build
// information: the release tag for "go install ...@v0.1.0", "(devel)" for a
// build from a clone.
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	p := newFlagParser("version", "mmoauth version", versionAbout, stdout)
	positional, err := p.parse(args)
	if err == nil {
		err = wantArgs(positional, 0, 0, "")
	}
	if err != nil {
		return finish(stderr, "version", err)
	}
	writeVersion(stdout)
	return exitOK
}

func writeVersion(w io.Writer) {
	line := "mmoauth " + moduleVersion()
	if info, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			line += " (" + rev
			if settings["vcs.modified"] == "true" {
				line += ", modified"
			}
			line += ")"
		}
		line += " " + info.GoVersion
	}
	fmt.Fprintln(w, line)
}
