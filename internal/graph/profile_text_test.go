package graph

import (
	"testing"
	"time"
)

// A Time profile value is carried as RFC 3339 in UTC to the second, the
// one spelling the provider accepts, whatever offset or fractions Graph
// answers with; null stays null.
func TestProfileTextNormalisesTimes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 31, 9, 30, 0, 500, time.FixedZone("CET", 3600))
	s := "Buyer"
	for _, c := range []struct {
		in   any
		want string
		ok   bool
	}{
		{&at, "2026-01-31T08:30:00Z", true},
		{&s, "Buyer", true},
		{(*time.Time)(nil), "", false},
		{(*string)(nil), "", false},
		{42, "", false},
	} {
		if got, ok := profileText(c.in); got != c.want || ok != c.ok {
			t.Errorf("profileText(%v) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	u, err := decodeUserJSON([]byte(`{"id":"x","employeeHireDate":"2026-01-31T09:30:00.5+01:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.ProfileValue("employeeHireDate"); got == nil || *got != "2026-01-31T08:30:00Z" {
		t.Errorf("batch decoder: employeeHireDate = %v, want 2026-01-31T08:30:00Z", got)
	}
}
