package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"regexp"
)

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// newSecret looks like an Entra client secret value (40 characters), so
// code that sniffs secret shapes behaves as it would against Entra.
func newSecret() string {
	var b [30]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidRE.MatchString(s) }

// emailRE follows the rules of
// https://learn.microsoft.com/graph/api/resources/invitation for
// invitedUserEmailAddress: none of ~ ! # $ % ^ & * ( ) + = [ ] { } \ / | ; : " < > ? ,
// in the local part, and '.' or '-' not at its start or end.
var emailRE = regexp.MustCompile(`^[A-Za-z0-9_'](?:[A-Za-z0-9_.'-]*[A-Za-z0-9_'])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)

func validEmail(s string) bool { return len(s) <= 256 && emailRE.MatchString(s) }

func nullLogger() *log.Logger { return log.New(io.Discard, "", 0) }
