package models

import "testing"

func TestParseRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Release
		bad  bool
	}{
		{in: "11.6", want: Release{11, 6}},
		{in: "v9.10", want: Release{9, 10}},
		{in: "11.9.0.mock", want: Release{11, 9}},
		{in: " 10.11.3 ", want: Release{10, 11}},
		{in: "11", bad: true},
		{in: "eleven.6", bad: true},
		{in: "11.-1", bad: true},
		{in: "0.0", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseRelease(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseRelease(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestReleaseOrder(t *testing.T) {
	t.Parallel()
	known := KnownReleases()
	for i := 1; i < len(known); i++ {
		if !known[i-1].Before(known[i]) || known[i].Before(known[i-1]) {
			t.Errorf("KnownReleases is not in order at %v, %v", known[i-1], known[i])
		}
	}
	if known[0] != ReleaseOldestKnown || known[len(known)-1] != ReleaseNewestKnown {
		t.Errorf("KnownReleases runs %v to %v, want %v to %v", known[0], known[len(known)-1], ReleaseOldestKnown, ReleaseNewestKnown)
	}
	if (Release{9, 10}).Before(Release{9, 9}) || !(Release{9, 10}).Before(Release{10, 0}) {
		t.Error("Before compares minor numbers as text")
	}
	if (Release{}).String() != "unknown" || (Release{11, 2}).String() != "11.2" {
		t.Error("String")
	}
}
