package userprop

import (
	"strings"
	"testing"
)

// Length counts as Graph does: a character outside the Basic Multilingual
// Plane is two UTF-16 code units, any other one, whatever its UTF-8 size.
func TestLength(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"Ada", 3},
		{"é", 1},                        // 2 bytes of UTF-8
		{"株式会社", 4},                     // 3 bytes each
		{"😀", 2},                        // U+1F600: 4 bytes, a surrogate pair
		{"𠀋", 2},                        // U+2000B, CJK Extension B
		{"👩‍💻", 5},                      // woman, zero-width joiner, laptop: 2+1+2
		{strings.Repeat("😀", 128), 256}, // exactly displayName's limit
		{strings.Repeat("😀", 129), 258}, // 129 runes, over 256
		{"\xff", 1},                     // invalid UTF-8 decodes to U+FFFD
	}
	for _, tt := range tests {
		if got := Length(tt.s); got != tt.want {
			t.Errorf("Length(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
