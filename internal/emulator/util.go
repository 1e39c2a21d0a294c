package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"regexp"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emailaddr"
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

// validEmail is the provider's own plan-time rule (package emailaddr,
// which cites its sources), so an address the plan accepts is never
// refused here and the emulator refuses what Graph refuses.
func validEmail(s string) bool { return emailaddr.Valid(s) }

func nullLogger() *log.Logger { return log.New(io.Discard, "", 0) }
