package conformance

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Mattermost release as a server announces it in the
// X-Version-Id header of every API answer (server/channels/web/handlers.go
// ServeHTTP: "<version>.<build number>.<config hash>.<licensed>"). The zero
// Version is "unknown": the server sent no parsable header.
type Version struct {
	Major, Minor, Patch int
	// Raw is the header as sent, for the report.
	Raw string
}

// ParseVersion reads the release from an X-Version-Id value such as
// "11.6.0.realmm-lsv-b24f322.b24f322ebce3....false"; the build number,
// config hash and license flag after the third number are ignored.
func ParseVersion(header string) (Version, error) {
	header = strings.TrimSpace(header)
	parts := strings.SplitN(header, ".", 4)
	if len(parts) < 3 {
		return Version{}, fmt.Errorf("X-Version-Id %q: want MAJOR.MINOR.PATCH[.build...]", header)
	}
	var n [3]int
	for i := range n {
		v, err := strconv.Atoi(parts[i])
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("X-Version-Id %q: %q is not a release number", header, parts[i])
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2], Raw: header}, nil
}

// Known reports whether the server announced a parsable version.
func (v Version) Known() bool { return v.Raw != "" }

// AtLeast reports whether v is release major.minor or later. An unknown
// version is never at least anything.
func (v Version) AtLeast(major, minor int) bool {
	if !v.Known() {
		return false
	}
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// String is "11.6.0", or "unknown".
func (v Version) String() string {
	if !v.Known() {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}
