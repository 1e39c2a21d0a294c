package provider

import (
	"testing"
	"time"
)

func TestParseExpiresOn(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"2026-12-31":                "2026-12-31T00:00:00Z", // a date: midnight UTC
		"2028-02-29":                "2028-02-29T00:00:00Z", // a leap day
		"2026-12-31T17:00:00+01:00": "2026-12-31T16:00:00Z",
		"2026-12-31T16:00:00Z":      "2026-12-31T16:00:00Z",
		"2026-12-31T16:00:00.5Z":    "2026-12-31T16:00:00Z",
	}
	for in, want := range valid {
		got, ok := parseExpiresOn(in)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("parseExpiresOn(%q) = %v, %t; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2026-02-29", "2026-13-01", "31/12/2026", "2026-12-31 17:00", "2026-12-31T17:00:00", "20261231", "tomorrow"} {
		if got, ok := parseExpiresOn(in); ok {
			t.Errorf("parseExpiresOn(%q) = %v; want it refused", in, got)
		}
	}
}

func TestExpiryChanged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string // "" is null
		want     bool
	}{
		{"", "2026-12-31", true},
		{"2026-12-31", "2026-12-31T00:00:00Z", false}, // same instant, other spelling
		{"2026-12-31", "2027-01-01", true},
		{"2026-12-31", "", false}, // removed: unmanaged, not cleared
	} {
		if _, got := expiryChanged(stringOrNull(tc.from), stringOrNull(tc.to)); got != tc.want {
			t.Errorf("expiryChanged(%q, %q) = %t, want %t", tc.from, tc.to, got, tc.want)
		}
	}
}
