package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// A deliberately small JWS implementation: the emulator must accept what
// MSAL produces (PS256 with x5t#S256 since MSAL-go 1.x; RS256 with x5t for
// older clients; ES256 certificates) and mint RS256 like Entra does.

type jwt struct {
	header       map[string]any
	claims       map[string]any
	signingInput string
	sig          []byte
}

func signJWT(key *rsa.PrivateKey, header, claims map[string]any) (string, error) {
	h := map[string]any{"typ": "JWT", "alg": "RS256"}
	for k, v := range header {
		h[k] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func parseJWT(tok string) (*jwt, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("JWT is not well formed, there are no dots (.) or not three parts")
	}
	var t jwt
	for i, dst := range []*map[string]any{&t.header, &t.claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("JWT part %d is not base64url: %w", i, err)
		}
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		if err := d.Decode(dst); err != nil {
			return nil, fmt.Errorf("JWT part %d is not JSON: %w", i, err)
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("JWT signature is not base64url: %w", err)
	}
	t.signingInput = parts[0] + "." + parts[1]
	t.sig = sig
	return &t, nil
}

func (t *jwt) str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (t *jwt) claim(k string) string { return t.str(t.claims, k) }
func (t *jwt) head(k string) string  { return t.str(t.header, k) }

// num returns a numeric claim (exp, nbf, iat) and whether it was present.
func (t *jwt) num(k string) (int64, bool) {
	switch v := t.claims[k].(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	case float64:
		return int64(v), true
	}
	return 0, false
}

// audiences handles aud as a string or an array, as RFC 7519 allows.
func (t *jwt) audiences() []string {
	switch v := t.claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// verify checks the signature with pub according to the header's alg.
func (t *jwt) verify(pub crypto.PublicKey) error {
	alg := t.head("alg")
	var h crypto.Hash
	switch alg {
	case "RS256", "PS256", "ES256":
		h = crypto.SHA256
	case "RS384", "PS384", "ES384":
		h = crypto.SHA384
	case "RS512", "PS512", "ES512":
		h = crypto.SHA512
	default:
		return fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	var sum []byte
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256([]byte(t.signingInput))
		sum = s[:]
	case crypto.SHA384:
		s := sha512.Sum384([]byte(t.signingInput))
		sum = s[:]
	default:
		s := sha512.Sum512([]byte(t.signingInput))
		sum = s[:]
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch alg[:2] {
		case "RS":
			return rsa.VerifyPKCS1v15(k, h, sum, t.sig)
		case "PS":
			return rsa.VerifyPSS(k, h, sum, t.sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
	case *ecdsa.PublicKey:
		if alg[:2] == "ES" && len(t.sig)%2 == 0 {
			n := len(t.sig) / 2
			r, s := new(big.Int).SetBytes(t.sig[:n]), new(big.Int).SetBytes(t.sig[n:])
			if ecdsa.Verify(k, sum, r, s) {
				return nil
			}
			return errors.New("ECDSA signature mismatch")
		}
	}
	return fmt.Errorf("algorithm %q does not match the key type", alg)
}

// jwk renders an RSA public key as a JWKS entry for jwks_uri.
func jwk(kid string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "kid": kid, "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// keyID derives a stable kid from the public key, like a thumbprint.
func keyID(pub *rsa.PublicKey) string {
	s := sha256.Sum256(pub.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(s[:15])
}
