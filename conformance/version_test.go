package conformance

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		header string
		want   string
		err    bool
	}{
		{"11.6.0.realmm-lsv-b24f322.b24f322ebce36b9d.false", "11.6.0", false},
		{"9.10.0.realmm-old-v9.10.0.5530b914aa2fe56688ebf3a51c2e45b6.false", "9.10.0", false},
		{"11.9.0.mock.mock.false", "11.9.0", false},
		{"10.0.1", "10.0.1", false},
		{"", "", true},
		{"11.x.0.build", "", true},
		{"11.6", "", true},
		{"-1.2.3", "", true},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.header)
		if (err != nil) != tt.err {
			t.Fatalf("ParseVersion(%q) error = %v, want error %v", tt.header, err, tt.err)
		}
		if err == nil && v.String() != tt.want {
			t.Errorf("ParseVersion(%q) = %s, want %s", tt.header, v, tt.want)
		}
	}
}

func TestVersionAtLeast(t *testing.T) {
	v, err := ParseVersion("11.2.1.x")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		major, minor int
		want         bool
	}{{11, 2, true}, {11, 1, true}, {10, 11, true}, {11, 3, false}, {12, 0, false}} {
		if got := v.AtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("11.2.1 AtLeast(%d.%d) = %v, want %v", tt.major, tt.minor, got, tt.want)
		}
	}
	if (Version{}).AtLeast(0, 0) {
		t.Error("an unknown version must not be at least 0.0")
	}
	if (Version{}).String() != "unknown" {
		t.Errorf("zero Version prints %q", Version{}.String())
	}
}
