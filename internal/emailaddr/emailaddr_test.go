package emailaddr

import (
	"strings"
	"testing"
)

func TestProblemAccepts(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"alice@partner.example",
		"Alice.Smith@Partner.Example.com",
		"a_b-c'd@sub.domain.co.uk",
		"_alice_@partner.example", // underscore anywhere in the user name (invitation docs)
		"o`neil@partner.example",  // not in Graph's forbidden list
		"x@y.z",
		"ada@xn--bcher-kva.example", // an internationalised domain in its punycode form
		strings.Repeat("a", 64) + "@partner.example",
		"a@" + strings.Repeat("b", 63) + ".example",
		// exactly 254 characters
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61),
	} {
		if p := Problem(s); p != "" {
			t.Errorf("%q (%d characters): refused: %s", s, len(s), p)
		}
	}
}

func TestAcceptedListsEveryForbiddenCharacter(t *testing.T) {
	t.Parallel()
	if want := strings.Join(strings.Split(ForbiddenChars, ""), " "); !strings.HasSuffix(Accepted, want) {
		t.Errorf("Accepted does not end with the forbidden characters %q: %q", want, Accepted)
	}
}

func TestProblemRefuses(t *testing.T) {
	t.Parallel()
	long255 := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62)
	cases := map[string]string{
		"":                                          "it is empty",
		"alice":                                     "it has no @",
		"alice@@partner.example":                    "it has 2 @ characters",
		"alice@partner":                             "the domain has no dot",
		"@partner.example":                          "the part before @ is empty",
		"alice@":                                    "the domain after @ is empty",
		".alice@partner.example":                    "it starts with .",
		"-alice@partner.example":                    "it starts with -",
		"alice.@partner.example":                    "the part before @ ends with .",
		"alice-@partner.example":                    "the part before @ ends with -",
		"al..ice@partner.example":                   "two dots in a row",
		"alice@partner.example.":                    "it ends with .",
		"alice@partner.example-":                    "it ends with -",
		"alice@.partner.example":                    "the domain starts with .",
		"alice@partner..example":                    "empty label",
		"alice@part_ner.example":                    "the domain contains an underscore",
		"alice@-partner.example":                    "a label of the domain starts with -",
		"alice@partner-.example":                    "a label of the domain ends with -",
		"alice@part'ner.example":                    "other than letters, digits, hyphens and dots",
		"alice+tag@partner.example":                 `the character '+'`,
		"ada@bücher.example":                        "the domain contains a non-ASCII character",
		"ünïcödé@partner.example":                   "non-ASCII character before the @",
		"al ice@partner.example":                    "it contains whitespace",
		" ada@partner.example":                      "it has leading or trailing whitespace (trimspace() removes it",
		"ada@partner.example\t":                     "it has leading or trailing whitespace",
		"ada\u00a0@partner.example":                 "it contains whitespace",
		"ada\x00@partner.example":                   "it contains a control character",
		"ada\xff@partner.example":                   "not valid UTF-8",
		long255:                                     "longer than the 254 characters",
		strings.Repeat("a", 65) + "@p.x":            "the part before @ is longer than the 64",
		"a@" + strings.Repeat("b", 64) + ".example": "a label of the domain is longer than the 63",
	}
	for _, c := range ForbiddenChars {
		cases["al"+string(c)+"ice@partner.example"] = "the character"
	}
	for in, want := range cases {
		p := Problem(in)
		if !strings.Contains(p, want) {
			t.Errorf("%q: Problem = %q, want it to contain %q", in, p, want)
		}
		if Valid(in) {
			t.Errorf("%q: Valid = true", in)
		}
	}
}

// FuzzProblem checks properties stated apart from the code: an accepted
// address is ASCII, at most 254 characters, has one @, a local part and a
// dotted host name; and a refusal does not depend on which letters and
// digits the address holds (rotating them gives the same words), so the
// problem cannot quote the address and a secret cannot leak through it.
func FuzzProblem(f *testing.F) {
	for _, s := range []string{
		"ada@partner.example", "ada+tag@partner.example", "ada@bücher.example", "ada@xn--bcher-kva.example",
		"ada@part_ner.example", "ada@-partner.example", "ada@partner-.example", "ada..b@partner.example",
		"ada-@partner.example", strings.Repeat("a", 250) + "@b.cd", "secretsecret@@partner.example", "secretvalue",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Problem(s)
		if p != "" {
			if q := Problem(rotate(s)); q != p {
				t.Fatalf("%q: the problem %q changes to %q when its letters and digits change: it depends on the value", s, p, q)
			}
			return
		}
		if len(s) > MaxLength || strings.Count(s, "@") != 1 {
			t.Fatalf("%q accepted: longer than %d or not exactly one @", s, MaxLength)
		}
		local, domain, _ := strings.Cut(s, "@")
		if local == "" || len(local) > MaxLocalLength {
			t.Fatalf("%q accepted with a bad local part", s)
		}
		labels := strings.Split(domain, ".")
		if len(labels) < 2 {
			t.Fatalf("%q accepted with a single-label domain", s)
		}
		for _, l := range labels {
			if l == "" || len(l) > MaxLabelLength || l[0] == '-' || l[len(l)-1] == '-' || strings.IndexFunc(l, notLDH) >= 0 {
				t.Fatalf("%q accepted with the bad label %q", s, l)
			}
		}
		for _, r := range s {
			if r > 127 || r <= ' ' || r == 127 || strings.ContainsRune(ForbiddenChars, r) {
				t.Fatalf("%q accepted with the character %q", s, r)
			}
		}
	})
}

// rotate maps ASCII letters by rot13 and digits by rot5, keeping case,
// length and every other byte (invalid UTF-8 included).
func rotate(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+5)%10
		}
	}
	return string(b)
}
