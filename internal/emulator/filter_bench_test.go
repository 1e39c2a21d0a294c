package emulator

import (
	"fmt"
	"testing"
)

// The provider's FindUsersByEmail filter, over a 1,000-guest directory:
// every adopt-or-create and every import runs it.
func BenchmarkFilterByEmail(b *testing.B) {
	users := make([]*user, 1000)
	for i := range users {
		users[i] = &user{Props: map[string]any{
			"id": newGUID(), "mail": fmt.Sprintf("guest%05d@partner.example", i), "userType": "Guest",
			"otherMails": []any{fmt.Sprintf("guest%05d@partner.example", i)},
		}}
	}
	const f = "mail eq 'guest00999@partner.example' or otherMails/any(m:m eq 'guest00999@partner.example')"
	b.ReportAllocs()
	for b.Loop() {
		p, err := parseFilter(f, false, false)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, u := range users {
			if p(u) {
				n++
			}
		}
		if n != 1 {
			b.Fatalf("%d matches, want 1", n)
		}
	}
}
