// Package emailaddr is the one rule for which email addresses Microsoft
// Graph accepts as an invitation address (invitedUserEmailAddress) and as
// a user's mail or otherMails. The provider's plan-time validator and the
// emulator's invitation and user handlers both call Problem, so the two
// cannot drift apart: an address the plan accepts is one the emulator
// accepts, and each rule below names the document it comes from.
//
// The package imports nothing from Terraform or the emulator.
package emailaddr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length limits from the SMTP and DNS standards. Graph documents no limit
// of its own for an invitation address, but an address longer than these
// cannot receive the invitation email, and Graph answers 400 for it.
const (
	// MaxLength is the longest address: RFC 5321 section 4.5.3.1.3 limits
	// a path to 256 octets including its angle brackets, which leaves 254
	// for the address (RFC 3696 erratum 1690).
	// https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.3
	MaxLength = 254
	// MaxLocalLength is the longest part before @ (RFC 5321 section
	// 4.5.3.1.1). https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.1
	MaxLocalLength = 64
	// MaxLabelLength is the longest label of the domain (RFC 1035 section
	// 2.3.4). https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4
	MaxLabelLength = 63
)

// ForbiddenChars are the special characters the invitation resource says
// are not permitted in invitedUserEmailAddress, "+" among them, so
// plus-addressing (alice+tag@partner.example) is refused.
// https://learn.microsoft.com/graph/api/resources/invitation (property
// invitedUserEmailAddress).
const ForbiddenChars = "~!#$%^&*()+=[]{}\\/|;:\"<>?,"

// Accepted describes, in one sentence for diagnostics and documentation,
// what Problem accepts. The forbidden characters are spaced so that
// Markdown renders them literally.
const Accepted = "local-part@domain.tld in ASCII: exactly one @; at most 254 characters, 64 before the @; " +
	"the part before @ not starting or ending with . or - and without two dots in a row; " +
	"a domain of at least two labels of letters, digits and inner hyphens (no underscore), each at most 63 characters, " +
	"an internationalised domain written in its punycode (xn--) form; no whitespace and none of the characters " +
	"~ ! # $ % ^ & * ( ) + = [ ] { } \\ / | ; : \" < > ? ,"

// Problem returns "" when s is an address Graph accepts, or else what is
// wrong with it, as a clause that completes "The address is not accepted: ".
//
// The result never quotes s, any part of it or its length: the value may come from a
// sensitive Terraform variable, and a provider cannot tell (Terraform
// strips sensitivity marks before validation), so a message that quoted it
// would leak it. At most it names one character from ForbiddenChars, a
// fixed public list that reveals nothing about the address.
func Problem(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case strings.TrimSpace(s) != s:
		// The usual case: a cell of a CSV or spreadsheet with a blank
		// around the address, which trimspace() in the configuration fixes.
		return "it has leading or trailing whitespace (trimspace() removes it, e.g. around a CSV cell)"
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		// All of Unicode's spaces: a no-break space or a vertical tab
		// pasted from a spreadsheet is as invalid to Graph as a blank.
		return "it contains whitespace"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "it contains a control character"
	case !utf8.ValidString(s):
		return "it is not valid UTF-8"
	}
	at := strings.LastIndexByte(s, '@')
	if i := strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII }); i >= 0 {
		// Graph stores the invited address in mail (and otherMails),
		// and neither "can contain accent characters"
		// (https://learn.microsoft.com/graph/api/resources/user,
		// properties mail and otherMails). A domain has an ASCII form
		// (IDNA, RFC 5891), a local part does not.
		if at >= 0 && i > at {
			return "the domain contains a non-ASCII character (an internationalised domain): " +
				"Graph stores the address in mail, which cannot contain accented characters; " +
				"write the domain in its ASCII punycode form (xn--...)"
		}
		return "it contains a non-ASCII character before the @: Graph stores the address in mail, " +
			"which cannot contain accented characters, and a local part has no ASCII form"
	}
	if i := strings.IndexAny(s, ForbiddenChars); i >= 0 {
		return fmt.Sprintf("it contains the character %q, which Graph does not permit in an invitation address", s[i])
	}
	if len(s) > MaxLength {
		return fmt.Sprintf("it is longer than the %d characters an email address can have (RFC 5321)", MaxLength)
	}
	switch n := strings.Count(s, "@"); {
	case n == 0:
		return "it has no @"
	case n > 1:
		return fmt.Sprintf("it has %d @ characters", n)
	}
	local, domain := s[:at], s[at+1:]
	if p := localProblem(local); p != "" {
		return p
	}
	return domainProblem(domain)
}

// localProblem checks the part before @. Letters, digits and the
// punctuation the invitation resource does not forbid (. - _ ' `) remain.
func localProblem(local string) string {
	switch {
	case local == "":
		return "the part before @ is empty"
	case len(local) > MaxLocalLength:
		return fmt.Sprintf("the part before @ is longer than the %d characters RFC 5321 allows", MaxLocalLength)
	// "A period (.) or a hyphen (-) is permitted anywhere in the user
	// name, except at the beginning or end of the name"; an underscore
	// is permitted anywhere (invitation resource, invitedUserEmailAddress).
	case strings.HasPrefix(local, ".") || strings.HasPrefix(local, "-"):
		return "it starts with " + local[:1]
	case strings.HasSuffix(local, ".") || strings.HasSuffix(local, "-"):
		return "the part before @ ends with " + local[len(local)-1:]
	// Without quotes (" is forbidden) a local part is a dot-atom, whose
	// dots separate non-empty atoms (RFC 5322 section 3.4.1).
	// https://www.rfc-editor.org/rfc/rfc5322#section-3.4.1
	case strings.Contains(local, ".."):
		return "the part before @ has two dots in a row"
	}
	return ""
}

// domainProblem checks the part after @ as a host name: labels of
// letters, digits and hyphens, not starting or ending with a hyphen (RFC
// 1123 section 2.1 relaxing RFC 952), at most 63 characters each (RFC 1035
// section 2.3.4). An underscore is legal in some DNS records but never in
// a host name, so mail cannot be routed to such a domain.
// https://www.rfc-editor.org/rfc/rfc1123#section-2.1
func domainProblem(domain string) string {
	switch {
	case domain == "":
		return "the domain after @ is empty"
	case !strings.Contains(domain, "."):
		// A single label is a local host name, not an Internet domain.
		return "the domain has no dot"
	case strings.HasPrefix(domain, "."):
		return "the domain starts with ."
	case strings.HasSuffix(domain, "."), strings.HasSuffix(domain, "-"):
		return "it ends with " + domain[len(domain)-1:]
	case strings.Contains(domain, ".."):
		return "the domain has an empty label (two dots in a row)"
	}
	for _, label := range strings.Split(domain, ".") {
		switch {
		case strings.Contains(label, "_"):
			return "the domain contains an underscore: a host name has only letters, digits and hyphens (RFC 1123)"
		case strings.IndexFunc(label, notLDH) >= 0:
			return "the domain contains a character other than letters, digits, hyphens and dots (RFC 1123)"
		case strings.HasPrefix(label, "-"):
			return "a label of the domain starts with - (RFC 1123)"
		case strings.HasSuffix(label, "-"):
			return "a label of the domain ends with - (RFC 1123)"
		case len(label) > MaxLabelLength:
			return fmt.Sprintf("a label of the domain is longer than the %d characters DNS allows (RFC 1035)", MaxLabelLength)
		}
	}
	return ""
}

// notLDH reports a character outside the letters-digits-hyphen set of a
// host name label.
func notLDH(r rune) bool {
	return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-'
}

// Valid reports whether Graph accepts s as an email address.
func Valid(s string) bool { return Problem(s) == "" }
