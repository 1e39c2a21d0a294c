package userprop

import "unicode/utf16"

// Length is s's length as Graph counts it against MaxLen: in UTF-16 code
// units, so a character outside the Basic Multilingual Plane (an emoji,
// a rare CJK ideograph) counts as 2, and any other character as 1,
// whatever its size in UTF-8.
//
// Graph's user page gives each limit as "maximum length is N characters"
// (https://learn.microsoft.com/graph/api/resources/user) without saying
// which characters. The directory behind it stores a String(Unicode)
// attribute as UTF-16 (MS-DRSR 5.16.3.7,
// https://learn.microsoft.com/openspecs/windows_protocols/ms-drsr/f9369e4b-6aa3-490c-a8e4-ad3550174d3e)
// and bounds it in those characters (rangeUpper, MS-ADA3 2.183,
// https://learn.microsoft.com/openspecs/windows_protocols/ms-ada3/83b00fc4-1312-40ba-991d-b410524e2778),
// and a .NET string's Length counts UTF-16 chars, not Unicode characters
// (https://learn.microsoft.com/dotnet/api/system.string.length). Counting
// code units is also the safe side: it is never less than the count of
// Unicode characters, so a value within it is within either reading.
func Length(s string) int {
	n := 0
	for _, r := range s {
		// Ranging over a string never yields a surrogate (invalid UTF-8
		// decodes to U+FFFD), so RuneLen is 1 or 2 here.
		n += utf16.RuneLen(r)
	}
	return n
}
